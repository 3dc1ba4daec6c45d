"""Stage 2: the handbook model: everything the pages, the site and the PDF show, decided here.

The questionnaire says what is specific to the client; the language's built-in playbook
(``playbook.py``) fills the rest by kind of threat and severity. Scores and order, cadences by
severity and status, channel versions that fit, people resolved from roles, the calendar, the
governance page: all of it is computed here, once for every language, so that templates hold
prose, headings, simple slots and loops, and never a decision.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from . import clock, text
from .images import Image
from .kinds import ALERT_CHANNELS, ALERT_KINDS, INFORM, AudienceKind, ChannelKind, Kind
from .playbook import (
    ChannelFormat,
    KindContent,
    Playbook,
    channel_kind,
    channel_limit,
    first_match,
    matches,
    playbook,
    source_of_truth,
    threat_kind,
)
from .questionnaire import Loaded
from .schema import (
    Audience,
    Channel,
    Company,
    Contact,
    Member,
    SeverityLevel,
    Threat,
    channels_for,
    first_screen_lines,
)
from .types import Duration, tel_link

BANDS = ("critical", "high", "moderate", "low")
SCORE_BANDS = (15, 10, 5, 1)  # lowest likelihood x impact score of each priority band
HEAT_COLORS = {"critical": "#B3261E", "high": "#E8710A", "moderate": "#F2C12E", "low": "#7CB342"}
#: Days within which the post-crisis review is held, from the most severe level down.
REVIEW_DAYS = (7, 14, 30, 60)
#: How long a crisis runs before the long-incident rules apply.


# -- people --------------------------------------------------------------------------------------


@dataclass(eq=False)  # people are compared and hashed by who they are
class Person:
    """A team member as the handbook shows them: contact details only in the internal edition."""

    id: str
    role: str
    name: str | None
    title: str | None
    phone: str | None
    email: str | None
    out_of_hours: str | None
    duties: list[str]
    backup: Person | None = None

    @property
    def label(self) -> str:
        """``Sari Wulandari (Crisis lead)`` or just the role when no name is given."""
        return f"{self.name} ({self.role})" if self.name else self.role

    @property
    def tel(self) -> str | None:
        return tel_link(self.phone) if self.phone else None


def _person(m: Member, public: bool) -> Person:
    return Person(
        id=m.id,
        role=m.role,
        name=m.name,
        title=m.title,
        phone=None if public else m.phone,
        email=None if public else m.email,
        out_of_hours=None if public else m.out_of_hours,
        duties=list(m.duties),
    )


# -- severity, cadence, status ----------------------------------------------------------------


@dataclass
class StatusRow:
    """A stage of a crisis, and how often to update at it, level by level (None: no more
    regular updates, as when it is resolved)."""

    key: str
    label: str
    meaning: str
    every: list[Duration | None]
    say: str


@dataclass
class Level:
    """A severity level with its people, its first-24-hours timeline and its cadences."""

    level: SeverityLevel
    rank: int
    activate: list[Person]
    review_within: Duration
    long_every: Duration
    timeline: list[tuple[int, list[str]]] = field(default_factory=list)
    then: list[tuple[str, Duration]] = field(default_factory=list)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.level, name)


# -- channels, audiences -------------------------------------------------------------------------


@dataclass
class ChannelView:
    """A channel with its kind's format note and its owner and accounts resolved."""

    channel: Channel
    kind: ChannelKind
    format: ChannelFormat
    limit: int | None
    owner: Person | None
    admins: list[Person]
    two_factor: list[Person]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.channel, name)


@dataclass
class AudienceView:
    """An audience with its kind, whether it is inside the company, and its channels."""

    audience: Audience
    kind: AudienceKind | None
    internal: bool
    channels: list[ChannelView]
    owners: list[Person]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.audience, name)

    @property
    def side(self) -> str:
        """``internal`` or ``external``, for labels."""
        return "internal" if self.internal else "external"


@dataclass
class Version:
    """A threat's message on one channel: its own, the statement, or a short one derived from
    the statement that fits the channel's limit."""

    channel: ChannelView
    html: Markup
    plain: str
    source: str  # "own", "statement" or "derived"

    @property
    def length(self) -> int:
        return len(self.plain)

    @property
    def limit(self) -> int | None:
        return self.channel.limit

    @property
    def over(self) -> bool:
        return self.limit is not None and self.length > self.limit


@dataclass
class Reach:
    """An audience a threat informs, and what it worries about for that threat."""

    audience: AudienceView
    concerns: str
    channels: list[ChannelView]  #: the audience's channels this threat goes out on


# -- threats -------------------------------------------------------------------------------------


@dataclass
class Task:
    """An action with the person who owns it."""

    do: str
    owner: Person | None
    role: str


@dataclass
class Answer:
    question: str
    answer: str


@dataclass
class Notice:
    who: str
    within: str
    why: str | None


@dataclass
class ThreatView:
    """A threat with everything its page needs."""

    threat: Threat
    number: int
    score: int
    band: str
    level: Level
    kind: Kind
    content: KindContent
    owner: Person | None
    reach: list[Reach]
    statement_html: Markup
    statement_plain: str
    builtin_statement: bool
    completed: bool  #: a closing line with the next update and the place was added
    signature: str
    versions: list[Version]
    facts: list[str]
    tasks: list[Task]
    questions: list[Answer]
    key_messages: list[str]
    notify: list[Notice]
    spokesperson: Person | None
    staff_lines: list[str]
    internal_html: Markup
    reply_html: Markup
    review: dt.date
    #: The threats before and after this one in the register (their pages link each other).
    previous: ThreatView | None = None
    next: ThreatView | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.threat, name)

    @property
    def audiences(self) -> list[AudienceView]:
        return [r.audience for r in self.reach]

    @property
    def kind_label(self) -> str:
        """The kind's name, and the questionnaire's own category when it says something else."""
        category = self.threat.category
        label = self.content.label.lower()
        # In words, not letters: "product" is in "Product or food safety", "er" is not in "Other".
        if category and not re.search(rf"(?<!\w){re.escape(category.lower())}(?!\w)", label):
            return f"{self.content.label} ({category})"
        return self.content.label

    @property
    def has_blanks(self) -> bool:
        """Whether the holding statement still has ``{placeholders}`` to fill in."""
        return bool(text.PLACEHOLDER.search(self.statement_plain))

    @property
    def page(self) -> Markup:
        """Path of the threat's page under docs/ (ids are validated slugs, safe as they are)."""
        return Markup(f"response/{self.threat.id}.md")

    def step(self, name: str) -> int:
        """The number of the page's section ``name``: the channels' section is there only when
        the threat goes out on channels."""
        steps = ["confirm", "statement", "channels", "inform", "notify", "actions", "questions"]
        if not self.versions:
            steps.remove("channels")
        return [*steps, "spokesperson"].index(name) + 1


# -- the handbook --------------------------------------------------------------------------------


@dataclass
class Colors:
    """The brand's colours, and the variants that keep text readable on the site."""

    primary: str
    accent: str
    on_primary: str
    accent_light: str
    accent_dark: str
    link_light: str
    link_dark: str


@dataclass
class HeatCell:
    x: int
    y: int
    color: str
    label: str


@dataclass
class Heatmap:
    """A 5x5 likelihood x impact grid, each threat shown by its register number."""

    cells: list[HeatCell]
    size: int = 64
    left: int = 92
    top: int = 16


@dataclass
class Exercise:
    """A dated entry of the exercise and review calendar."""

    date: dt.date
    label: str
    owner: Person | None
    role: str
    what: str


@dataclass
class ContactRow:
    """An outside contact, or a blank row for a kind the questionnaire has none of."""

    kind: str
    label: str
    contact: Contact | None


@dataclass
class Governance:
    owner: str
    sign_off: Any
    holders: list[Any]
    changes: list[Any]
    contacts_verified: dt.date | None


@dataclass
class Handbook:
    """The whole handbook, ready for the templates."""

    language: str
    public: bool
    title: str
    company: Company
    handbook: Any
    effective: dt.date
    next_review: dt.date
    customers: str
    place: str  #: the single source of truth, as statements name it
    place_shown: Markup  #: the same in running text, a highlighted blank when it is one
    place_url: str | None
    place_name: str | None  #: what the questionnaire calls it ("our newsroom"), if it says
    hotlines: list[Contact]  #: the first screen's numbers, in both editions: the duty number first
    team: list[Person]
    people: dict[str, Person]
    lead: Person | None
    first_call: list[Person]
    levels: list[Level]
    statuses: list[StatusRow]
    threats: list[ThreatView]
    by_level: list[tuple[Level, list[ThreatView]]]
    by_kind: list[tuple[str, list[ThreatView]]]
    most_severe: list[ThreatView]
    first_message: Markup
    templates: dict[str, Markup]
    audiences: list[AudienceView]
    channels: list[ChannelView]
    public_channels: list[ChannelView]
    voice_tone: str | None
    voice_rows: list[tuple[str, str]]
    monitoring: Any
    monitoring_owner: Person | None
    approve_holding: list[Person]
    approve_full: list[Person]
    approvals_within: Duration
    recovery: Any
    review_owner: Person | None
    share_with: list[AudienceView]
    prevention: list[tuple[str, ThreatView]]
    governance: Governance
    contacts: list[ContactRow]
    cascade: list[tuple[Person, list[Person]]]
    calendar: list[Exercise]
    staffing: Any
    colors: Colors
    heatmap: Heatmap
    playbook: Playbook
    pdf: str = ""
    logo: str | None = None
    favicon: str | None = None
    images: dict[str, Image] = field(default_factory=dict)

    @property
    def logo_uri(self) -> str | None:
        """The logo as a ``data:`` URL, for print: the checked copy, never the client's file."""
        return self.images[self.logo].data_uri() if self.logo else None

    @property
    def folder(self) -> str:
        """The handbook's folder under the output folder."""
        return text.folder_for(self.company.name, self.handbook.edition)

    @property
    def site_url(self) -> str | None:
        """Where the site is published, ending in ``/`` (MkDocs joins page paths to it)."""
        url: str | None = self.handbook.site_url
        return url if url is None or url.endswith("/") else f"{url}/"

    @property
    def calendar_file(self) -> Markup:
        """The iCalendar file of the exercise calendar, beside the PDF and named after it,
        ``-calendar.ics`` in every language (a slug: safe as is)."""
        return Markup(f"{self.pdf.removesuffix('.pdf')}-calendar.ics")

    def person(self, member_id: str | None) -> Person | None:
        return self.people.get(member_id or "")


def band(score: int) -> str:
    """``critical``, ``high``, ``moderate`` or ``low`` for a likelihood x impact score."""
    return next(b for b, low in zip(BANDS, SCORE_BANDS, strict=True) if score >= low)


# -- building it ---------------------------------------------------------------------------------


def build_model(loaded: Loaded, *, build_date: dt.date | None = None) -> Handbook:
    """Turn a validated questionnaire (defaults applied) into the handbook model."""
    q = loaded.questionnaire
    lang = q.handbook.language
    book = playbook(lang)
    s = text.strings(lang)
    public = q.handbook.edition == "public"
    assert q.team is not None and q.severity_levels is not None and q.threats is not None
    assert q.audiences is not None and q.approvals is not None and q.handbook.review_every
    assert q.approvals.within is not None

    people = {m.id: _person(m, public) for m in q.team}
    for m in q.team:
        people[m.id].backup = people.get(m.backup or "")
    roles = _roles(q.team, people, book)
    lead = roles.get("crisis-lead")
    # The playbook's blanks that the handbook can fill: the people behind roles, the company.
    known = {
        str(word): roles[role].label
        for role, word in s["role_blanks"].items()
        if role in roles and roles[role].name
    } | {str(s["company_blank"]): q.company.name}
    effective = q.handbook.effective or build_date or clock.today()
    next_review = q.handbook.review_every.after(effective)

    # Channels and audiences
    channels = [_channel(c, book, people) for c in q.channels]
    by_channel = {c.id: c for c in channels}
    audiences = sorted(
        (_audience(a, book, by_channel, people) for a in q.audiences), key=lambda a: a.priority
    )
    place, place_url = source_of_truth(q, book, str(s["place_blank"]))

    # Severity levels
    levels = [
        _level(sl, i, len(q.severity_levels), q, people, book, lang)
        for i, sl in enumerate(q.severity_levels)
    ]
    by_level = {lv.id: lv for lv in levels}

    # Threats, most severe first, then by score
    ordered = sorted(
        q.threats,
        key=lambda t: (
            by_level[t.severity or levels[-1].id].rank,
            -t.likelihood * t.impact,
            -t.impact,
            t.title.lower(),
        ),
    )
    company = q.company.name
    threats: list[ThreatView] = []
    for number, t in enumerate(ordered, 1):
        threats.append(
            _threat(
                t,
                number,
                by_level[t.severity or levels[-1].id],
                book=book,
                lang=lang,
                people=people,
                roles=roles,
                audiences=audiences,
                by_channel=by_channel,
                place=place,
                company=company,
                next_review=next_review,
                known=known,
            )
        )
    for before, after in itertools.pairwise(threats):
        before.next, after.previous = after, before

    first_level = levels[0]
    first_call = first_level.activate[:4] or list(people.values())[:4]
    if lead and lead in first_call:  # the crisis lead is called first
        first_call = [lead, *(p for p in first_call if p is not lead)]
    # Posted within the first response; it promises the next update at the public cadence.
    first_message = text.statement(
        book.first_post, first_level.public_updates, lang, place=place, known=known
    )
    kinds_seen: dict[str, list[ThreatView]] = {}
    for tv in threats:
        kinds_seen.setdefault(tv.content.label, []).append(tv)

    images = {f"{key}.{image.suffix}": image for key, image in loaded.images.items()}
    logo = next((name for name in images if name.startswith("logo.")), None)
    favicon = next((name for name in images if name.startswith("favicon.")), None)
    voice = q.brand.voice
    do, avoid = (voice.do, voice.avoid) if voice else ([], [])
    hotlines = first_screen_lines(q.contacts)
    if q.company.hotline:
        hotlines.insert(
            0, Contact(kind="other", name=s["hotline"], phone=q.company.hotline, personal=False)
        )
    monitoring_owner = people.get(q.monitoring.owner or "")
    return Handbook(
        language=lang,
        public=public,
        title=q.handbook.title or "",
        company=q.company,
        handbook=q.handbook,
        effective=effective,
        next_review=next_review,
        customers=_customers(q.company, book),
        place=place,
        place_shown=text.blanks(place, lang),
        place_url=place_url,
        place_name=q.company.updates.name if q.company.updates else None,
        hotlines=hotlines,
        team=list(people.values()),
        people=people,
        lead=lead,
        first_call=first_call,
        levels=levels,
        statuses=[
            StatusRow(
                key,
                st.label,
                st.meaning,
                [_times(lv.public_updates, st.factor) if st.factor else None for lv in levels],
                st.say,
            )
            for key, st in book.statuses.items()
        ],
        threats=threats,
        by_level=[(lv, [t for t in threats if t.level is lv]) for lv in levels],
        by_kind=list(kinds_seen.items()),
        most_severe=[t for t in threats if t.level.rank == threats[0].level.rank][:3]
        if threats
        else [],
        first_message=first_message,
        templates={
            key: text.statement(
                template.text,
                first_level.public_updates,
                lang,
                place=place,
                known=known,
                next_internal_update=first_level.internal_updates,
            )
            for key, template in book.templates.items()
        },
        audiences=audiences,
        channels=channels,
        public_channels=[c for c in channels if not c.internal],
        voice_tone=voice.tone if voice else None,
        voice_rows=list(itertools.zip_longest(do, avoid, fillvalue="")),
        monitoring=q.monitoring,
        monitoring_owner=monitoring_owner,
        approve_holding=[people[a] for a in q.approvals.holding_statement if a in people],
        approve_full=[people[a] for a in q.approvals.full_statement if a in people],
        approvals_within=q.approvals.within,
        recovery=q.recovery,
        review_owner=people.get(q.recovery.review_owner or "") or lead,
        share_with=[a for a in audiences if a.id in q.recovery.share_lessons_with],
        prevention=[(p, tv) for tv in threats for p in tv.threat.prevention],
        governance=Governance(
            owner=q.handbook.owner or (lead.label if lead else s["crisis_lead"]),
            sign_off=q.handbook.sign_off,
            holders=list(q.handbook.holders),
            changes=list(q.handbook.changes),
            contacts_verified=q.handbook.contacts_verified,
        ),
        contacts=_contacts(q.contacts, book, public),
        cascade=_cascade(first_level, lead, monitoring_owner),
        calendar=_calendar(book, roles, effective),
        staffing=q.staffing,
        colors=_colors(q.brand.colors.primary, q.brand.colors.accent),
        heatmap=_heatmap(threats),
        playbook=book,
        pdf=pdf_name(q.company.name, q.handbook.version, s["pdf_name"], q.handbook.edition),
        logo=logo,
        favicon=favicon or logo,
        images=images,
    )


def pdf_name(company: str, version: str, words: str = "crisis-handbook", edition: str = "") -> str:
    """``kopi-nusantara-crisis-handbook-2026.2-internal.pdf``: the company, the handbook's
    words in its language and its version (dots kept, so ``2026.2`` reads as written), then
    its edition, ``internal`` or ``public`` in every language: the internal PDF is never taken
    for the public one, and a script finds either by the same name in every language."""
    parts = [text.slug_for(company), words, text.slugify(version, keep=".") or "1"]
    return "-".join([*parts, text.slugify(edition)] if edition else parts) + ".pdf"


def _roles(team: list[Member], people: dict[str, Person], book: Playbook) -> dict[str, Person]:
    """Each playbook role resolved to a team member: by id first, by the role's words second.

    The crisis lead stands in for a role nobody in the team has."""
    found: dict[str, Person] = {}
    for role, words in book.roles.items():
        member = next((m for m in team if m.id == role), None) or next(
            (m for m in team if matches(words, m.id.replace("-", " "), m.role, m.title)), None
        )
        if member:
            found[role] = people[member.id]
    lead = found.get("crisis-lead") or (next(iter(people.values())) if people else None)
    if lead:
        found.setdefault("crisis-lead", lead)
        for role in book.roles:
            found.setdefault(role, lead)
    return found


def _channel(c: Channel, book: Playbook, people: dict[str, Person]) -> ChannelView:
    kind = channel_kind(c, book)
    fmt = book.channels[kind]
    return ChannelView(
        channel=c,
        kind=kind,
        format=fmt,
        limit=channel_limit(c, book),
        owner=people.get(c.owner or ""),
        admins=[people[a] for a in c.admins if a in people],
        two_factor=[people[a] for a in c.two_factor if a in people],
    )


def _audience(
    a: Audience, book: Playbook, channels: dict[str, ChannelView], people: dict[str, Person]
) -> AudienceView:
    kind: AudienceKind | None = a.kind or first_match(
        dict(book.audiences), a.id.replace("-", " "), a.name
    )
    views = [channels[c] for c in a.channels if c in channels]
    owners = list(dict.fromkeys(v.owner for v in views if v.owner))
    return AudienceView(
        audience=a,
        kind=kind,
        internal=kind in book.internal_audiences,
        channels=views,
        owners=owners,
    )


def _customers(company: Company, book: Playbook) -> str:
    if company.customers:
        return company.customers
    default = next(iter(book.customer_words))
    for word, industries in book.customer_words.items():
        if industries and matches(industries, company.industry):  # not the summary: a café
            # with a loyalty programme still has customers, not members
            return word
    return default


def _level(
    sl: SeverityLevel,
    rank: int,
    count: int,
    q: Any,
    people: dict[str, Person],
    book: Playbook,
    lang: str,
) -> Level:
    step = round(rank * (len(REVIEW_DAYS) - 1) / (count - 1)) if count > 1 else 0
    review = sl.review_within or Duration(REVIEW_DAYS[step], "days")
    cap = q.recovery.review_within
    if cap is not None and review.minutes > cap.minutes:
        review = cap
    timeline, then = _timeline(sl, lang)
    return Level(
        level=sl,
        rank=rank,
        activate=[people[a] for a in sl.activate if a in people],
        review_within=review,
        long_every=_times(sl.public_updates, 2),
        timeline=timeline,
        then=then,
    )


def _times(d: Duration, factor: float) -> Duration:
    """``d`` multiplied by ``factor``, in the largest unit that keeps a whole number."""
    minutes = round(d.minutes * factor)
    for unit, size in (("days", 1440), ("hours", 60)):
        if minutes % size == 0:
            return Duration(minutes // size, unit)
    return Duration(minutes, "minutes")


def _threat(
    t: Threat,
    number: int,
    level: Level,
    *,
    book: Playbook,
    lang: str,
    people: dict[str, Person],
    roles: dict[str, Person],
    audiences: list[AudienceView],
    by_channel: dict[str, ChannelView],
    place: str,
    company: str,
    next_review: dt.date,
    known: dict[str, str],
) -> ThreatView:
    s = text.strings(lang)
    kind = threat_kind(t, book)
    content = book.kinds[kind]
    cadence = level.public_updates
    raw = t.holding_statement or content.statement
    # The first-message recipe ends with the next update and its place; a light reply (a
    # rival's joke) is not a crisis statement and is left as it is.
    completed = content.tone != "light" and not text.complete(raw, place)
    if completed:
        raw = text.completed(raw, place, lang)
    plain = text.fill_placeholders(raw, cadence, lang, place=place, known=known)
    speaker = people.get(t.spokesperson or "") or roles.get(content.spokesperson.who)
    signer = speaker if speaker and speaker.name else None
    signature = (
        s["signature"].format(name=signer.name, title=signer.title or signer.role, company=company)
        if signer
        else s["signature_company"].format(company=company)
    )
    informed = t.audiences or [a.id for a in audiences if a.kind is None or a.kind in INFORM[kind]]
    versions = []
    skipped: set[str] = set()
    for cid in channels_for(
        [a.audience for a in audiences],
        informed,
        [c.channel for c in by_channel.values()],
        t.messages,
    ):
        channel = by_channel[cid]
        if channel.kind in ALERT_CHANNELS and kind not in ALERT_KINDS and cid not in t.messages:
            skipped.add(cid)  # nobody is woken by a notification unless they must act
            continue
        if cid in t.messages:
            own = text.fill_placeholders(t.messages[cid], cadence, lang, place=place, known=known)
            more = s["more"].format(place=place)
            if place not in own and (channel.limit is None or len(own) + len(more) < channel.limit):
                own = f"{own} {more}"  # every channel points to the source of truth
            versions.append(Version(channel, text.blanks(own, lang), own, "own"))
        elif channel.limit is None or len(plain) <= channel.limit:
            versions.append(Version(channel, text.blanks(plain, lang), plain, "statement"))
        else:
            short = text.shorten(plain, channel.limit, s["more"].format(place=place))
            versions.append(Version(channel, text.blanks(short, lang), short, "derived"))
    reach = [
        Reach(
            a,
            content.concerns.get(a.kind, "") if a.kind else (a.concerns or ""),
            [c for c in a.channels if c.id not in skipped],
        )
        for a in audiences
        if a.id in informed
    ]
    tasks = (
        [Task(a, people.get(t.owner or ""), "") for a in t.actions]
        if t.actions
        else [Task(a.do, roles.get(a.owner), book.role_labels[a.owner]) for a in content.actions]
    )
    for task in tasks:
        if not task.role and task.owner:
            task.role = task.owner.role
    return ThreatView(
        threat=t,
        number=number,
        score=t.likelihood * t.impact,
        band=band(t.likelihood * t.impact),
        level=level,
        kind=kind,
        content=content,
        owner=people.get(t.owner or ""),
        reach=reach,
        statement_html=text.blanks(plain, lang),
        statement_plain=plain,
        builtin_statement=t.holding_statement is None,
        completed=completed,
        signature=signature,
        versions=versions,
        facts=list(t.facts_to_confirm) or list(content.facts),
        tasks=tasks,
        questions=[Answer(qa.question, qa.answer) for qa in t.questions]
        or [Answer(x.q, x.a) for x in content.questions],
        key_messages=list(t.key_messages) or list(content.key_messages),
        notify=[Notice(n.who, n.within, n.why) for n in t.notify]
        or [Notice(n.who, n.within, n.why) for n in content.notify],
        spokesperson=speaker,
        staff_lines=list(t.staff_lines) or list(content.staff_lines),
        internal_html=text.statement(
            content.internal,
            cadence,
            lang,
            place=place,
            known=known,
            next_internal_update=level.internal_updates,
        ),
        reply_html=text.statement(content.reply, cadence, lang, place=place, known=known),
        review=t.review or next_review,
    )


def _contacts(contacts: list[Contact], book: Playbook, public: bool) -> list[ContactRow]:
    """Outside contacts by kind, a blank row for each kind the questionnaire has none of; in
    the public edition only numbers that are not a person's."""
    rows: list[ContactRow] = []
    for kind, label in book.contact_kinds.items():
        mine = [c for c in contacts if c.kind == kind]
        shown = [c for c in mine if not (public and c.personal)]
        rows += [ContactRow(kind, label, c) for c in shown] or (
            [] if public and mine else [ContactRow(kind, label, None)]
        )
    rows += [
        ContactRow("other", c.organisation or c.name, c)
        for c in contacts
        if c.kind == "other" and not (public and c.personal)
    ]
    return rows


def _cascade(
    level: Level, lead: Person | None, watcher: Person | None
) -> list[tuple[Person, list[Person]]]:
    """Who calls whom, in order, when a crisis at the top level starts: whoever spots it calls
    the crisis lead, who calls the rest of the people for that level."""
    steps: list[tuple[Person, list[Person]]] = []
    if watcher and lead and watcher is not lead:
        steps.append((watcher, [lead]))
    if lead:
        rest = [p for p in level.activate if p is not lead and p is not watcher]
        if rest:
            steps.append((lead, rest))
    return steps


def _calendar(book: Playbook, roles: dict[str, Person], effective: dt.date) -> list[Exercise]:
    """The exercises of the next twelve months from the effective date."""
    horizon = Duration(12, "months").after(effective)
    out = []
    for exercise in book.exercises:
        when = Duration(exercise.every_months, "months").after(effective)
        while when <= horizon:
            out.append(
                Exercise(
                    when,
                    exercise.label,
                    roles.get(exercise.owner),
                    book.role_labels[exercise.owner],
                    exercise.what,
                )
            )
            when = Duration(exercise.every_months, "months").after(when)
    return sorted(out, key=lambda e: (e.date, e.label))


def _timeline(
    s: SeverityLevel, lang: str
) -> tuple[list[tuple[int, list[str]]], list[tuple[str, Duration]]]:
    """The first 24 hours of a crisis at this level: minute offsets and what is due then.

    Returns the rows to show and, when the cadence repeats past what fits on a page, the
    recurring items the table ends with ("then every ...").
    """
    labels = text.strings(lang)["timeline"]
    assert s.internal_updates and s.team_meets
    events: dict[int, list[str]] = {0: [labels["alert"]], 15: [labels["convene"]]}
    events.setdefault(s.first_response.minutes, []).append(labels["holding"])
    horizon = 24 * 60
    recurring = [
        (labels["public"], s.public_updates),
        (labels["internal"], s.internal_updates),
        (labels["meeting"], s.team_meets),
    ]
    for label, every in recurring:
        start = s.first_response.minutes if label == labels["public"] else 0
        t = start + every.minutes
        while t <= horizon:
            events.setdefault(t, []).append(label)
            t += every.minutes
    rows = sorted(events.items())
    if len(rows) <= 10:
        return rows, []
    return rows[:10], recurring


def _heatmap(threats: list[ThreatView]) -> Heatmap:
    numbers: dict[tuple[int, int], list[int]] = {}
    for tv in threats:
        numbers.setdefault((tv.threat.likelihood, tv.threat.impact), []).append(tv.number)
    cells = []
    for impact in range(5, 0, -1):
        for likelihood in range(1, 6):
            found = numbers.get((likelihood, impact), [])
            label = ", ".join(str(n) for n in found[:4]) + ("…" if len(found) > 4 else "")
            cells.append(
                HeatCell(likelihood, impact, HEAT_COLORS[band(likelihood * impact)], label)
            )
    return Heatmap(cells)


# -- colours -------------------------------------------------------------------------------------


def _luminance(color: str) -> float:
    def channel(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two #RRGGBB colours (1 to 21)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def readable(color: str, background: str | Sequence[str], minimum: float = 4.5) -> str:
    """``color`` mixed towards white or black until text in it reads on ``background``, or on
    every one of several backgrounds of one scheme (all light or all dark)."""
    backgrounds = (background,) if isinstance(background, str) else tuple(background)
    target = "#FFFFFF" if _luminance(backgrounds[0]) < 0.5 else "#000000"
    for step in range(21):
        t = step / 20
        mixed = "#" + "".join(
            f"{round(int(color[i : i + 2], 16) * (1 - t) + int(target[i : i + 2], 16) * t):02X}"
            for i in (1, 3, 5)
        )
        if all(contrast(mixed, b) >= minimum for b in backgrounds):
            return mixed
    return target


LIGHT_BACKGROUND, DARK_BACKGROUND = "#FFFFFF", "#1E2129"  # Material's default and slate
#: Where links sit in each scheme: the page, and the boxes on it (code blocks, the home page's
#: call card), which are Material's code background (#F5F5F5; slate: #272A35).
LIGHT_SURFACES, DARK_SURFACES = (LIGHT_BACKGROUND, "#F5F5F5"), (DARK_BACKGROUND, "#272A35")


def _colors(primary: str, accent: str) -> Colors:
    """The header keeps the brand colour with black or white text, whichever reads better;
    links use the brand colour, lightened on the dark scheme and darkened on the light one
    only as far as WCAG's 4.5:1 needs on every surface of the scheme (links are underlined
    too, so colour is not what tells them from the text around them)."""
    on_primary = (
        "#FFFFFF" if contrast("#FFFFFF", primary) >= contrast("#000000", primary) else "#000000"
    )
    return Colors(
        primary=primary,
        accent=accent,
        on_primary=on_primary,
        accent_light=readable(accent, LIGHT_BACKGROUND, 3.0),
        accent_dark=readable(accent, DARK_BACKGROUND, 3.0),
        link_light=readable(primary, LIGHT_SURFACES),
        link_dark=readable(primary, DARK_SURFACES),
    )
