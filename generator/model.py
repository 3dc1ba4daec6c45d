"""Stage 2: the handbook model: scores, sorted tables, cadences, timelines and character counts.

Everything a template shows that needs a calculation is computed here, so templates stay
Markdown an agency writer can edit.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from . import clock, text
from .images import Image
from .questionnaire import Loaded
from .schema import Audience, Channel, Member, Questionnaire, SeverityLevel, Threat, channels_for
from .types import Duration, tel_link

BANDS = ("critical", "high", "moderate", "low")
SCORE_BANDS = (15, 10, 5, 1)  # lowest likelihood x impact score of each priority band


@dataclass
class Person:
    """A team member as the handbook shows them: contact details only in the internal edition."""

    id: str
    role: str
    name: str | None
    title: str | None
    phone: str | None
    email: str | None
    duties: list[str]
    backup: Person | None = None

    @property
    def label(self) -> str:
        """``Sari Wulandari (Crisis lead)`` or just the role when no name is given."""
        return f"{self.name} ({self.role})" if self.name else self.role

    @property
    def tel(self) -> str | None:
        return tel_link(self.phone) if self.phone else None


@dataclass
class Level:
    """A severity level with its people and its first-24-hours timeline."""

    level: SeverityLevel
    rank: int
    activate: list[Person]
    timeline: list[tuple[int, list[str]]] = field(default_factory=list)
    then: list[tuple[str, Duration]] = field(default_factory=list)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.level, name)


@dataclass
class Version:
    """A threat's message on one channel, with its length against the channel's limit."""

    channel: Channel
    html: Markup
    plain: str
    length: int
    limit: int | None
    custom: bool

    @property
    def over(self) -> bool:
        return self.limit is not None and self.length > self.limit


@dataclass
class ThreatView:
    """A threat with everything its page needs."""

    threat: Threat
    number: int
    score: int
    band: str
    level: Level
    owner: Person | None
    audiences: list[Audience]
    statement_html: Markup
    statement_plain: str
    default_statement: bool
    versions: list[Version]
    approvals: list[Person]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.threat, name)

    #: The threats before and after this one in the register (their pages link each other).
    previous: ThreatView | None = None
    next: ThreatView | None = None

    @property
    def has_blanks(self) -> bool:
        """Whether the holding statement still has ``{placeholders}`` to fill in."""
        return bool(text.PLACEHOLDER.search(self.statement_plain))

    @property
    def page(self) -> Markup:
        """Path of the threat's page under docs/ (ids are validated slugs, safe as they are)."""
        return Markup(f"response/{self.threat.id}.md")


@dataclass
class Handbook:
    """The whole handbook, ready for the templates."""

    q: Questionnaire
    language: str
    public: bool
    effective: dt.date
    next_review: dt.date
    team: list[Person]
    people: dict[str, Person]
    levels: list[Level]
    threats: list[ThreatView]
    audiences: list[Audience]
    channels: list[Channel]
    public_channels: list[Channel]
    heatmap: Markup
    prevention: list[tuple[str, ThreatView]]
    approve_holding: list[Person]
    approve_full: list[Person]
    #: The PDF's file name, in the client's folder beside the site.
    pdf: str = ""
    #: File names under the site's ``assets/`` of the checked logo and favicon.
    logo: str | None = None
    favicon: str | None = None
    #: The checked images to publish, by their name under ``assets/``.
    images: dict[str, Image] = field(default_factory=dict)

    @property
    def logo_uri(self) -> str | None:
        """The logo as a ``data:`` URL, for print: the checked copy, never the client's file."""
        return self.images[self.logo].data_uri() if self.logo else None

    @property
    def company(self) -> Any:
        return self.q.company

    @property
    def handbook(self) -> Any:
        return self.q.handbook

    @property
    def title(self) -> str:
        return self.q.handbook.title or ""

    def person(self, member_id: str | None) -> Person | None:
        return self.people.get(member_id or "")

    def level(self, level_id: str) -> Level:
        return next(lv for lv in self.levels if lv.id == level_id)

    @property
    def top_threats(self) -> list[ThreatView]:
        return self.threats[:3]


def band(score: int) -> str:
    """``critical``, ``high``, ``moderate`` or ``low`` for a likelihood x impact score."""
    return next(b for b, low in zip(BANDS, SCORE_BANDS, strict=True) if score >= low)


def build_model(loaded: Loaded, *, build_date: dt.date | None = None) -> Handbook:
    """Turn a validated questionnaire into the handbook model."""
    q = loaded.questionnaire
    lang = q.handbook.language
    public = q.handbook.edition == "public"
    assert q.team is not None and q.severity_levels is not None and q.threats is not None
    assert q.audiences is not None and q.approvals is not None and q.handbook.review_every
    people = {m.id: _person(m, public) for m in q.team}
    for m in q.team:
        people[m.id].backup = people.get(m.backup or "")
    levels = [
        Level(s, i, [people[a] for a in s.activate if a in people], *_timeline(s, lang))
        for i, s in enumerate(q.severity_levels)
    ]
    by_level = {lv.id: lv for lv in levels}
    audiences = sorted(q.audiences, key=lambda a: a.priority)
    channels = {c.id: c for c in q.channels}
    threats: list[ThreatView] = []
    ordered = sorted(
        q.threats, key=lambda t: (-t.likelihood * t.impact, -t.impact, t.title.lower())
    )
    for number, t in enumerate(ordered, 1):
        level = by_level[t.severity or levels[-1].id]
        statement = t.holding_statement or text.strings(lang)["default_statement"]
        cadence = level.public_updates
        reach = [a for a in audiences if a.id in t.audiences]
        versions = []
        for cid in channels_for(t, audiences, q.channels):
            channel = channels[cid]
            raw = t.messages.get(cid, statement)
            plain = text.fill_placeholders(raw, cadence, lang)
            versions.append(
                Version(
                    channel,
                    text.statement(raw, cadence, lang),
                    plain,
                    len(plain),
                    channel.max_length,
                    cid in t.messages,
                )
            )
        approvers = q.approvals.holding_statement + [
            a for a in q.approvals.full_statement if a not in q.approvals.holding_statement
        ]
        threats.append(
            ThreatView(
                threat=t,
                number=number,
                score=t.likelihood * t.impact,
                band=band(t.likelihood * t.impact),
                level=level,
                owner=people.get(t.owner or ""),
                audiences=reach,
                statement_html=text.statement(statement, cadence, lang),
                statement_plain=text.fill_placeholders(statement, cadence, lang),
                default_statement=t.holding_statement is None,
                versions=versions,
                approvals=[people[a] for a in approvers if a in people],
            )
        )
    for before, after in itertools.pairwise(threats):
        before.next, after.previous = after, before
    effective = q.handbook.effective or build_date or clock.today()
    images = {f"{key}.{image.suffix}": image for key, image in loaded.images.items()}
    logo = next((name for name in images if name.startswith("logo.")), None)
    favicon = next((name for name in images if name.startswith("favicon.")), None)
    return Handbook(
        q=q,
        language=lang,
        public=public,
        effective=effective,
        next_review=q.handbook.review_every.after(effective),
        team=list(people.values()),
        people=people,
        levels=levels,
        threats=threats,
        audiences=audiences,
        channels=list(q.channels),
        public_channels=[c for c in q.channels if not c.internal],
        heatmap=heatmap(threats, lang),
        prevention=[(p, tv) for tv in threats for p in tv.threat.prevention],
        approve_holding=[people[a] for a in q.approvals.holding_statement if a in people],
        approve_full=[people[a] for a in q.approvals.full_statement if a in people],
        pdf=pdf_name(q.company.name, q.handbook.version),
        logo=logo,
        favicon=favicon or logo,
        images=images,
    )


def pdf_name(company: str, version: str) -> str:
    """``kopi-nusantara-crisis-handbook-2026-2.pdf``."""
    return f"{text.slug_for(company)}-crisis-handbook-{text.slugify(version) or '1'}.pdf"


def _person(m: Member, public: bool) -> Person:
    return Person(
        id=m.id,
        role=m.role,
        name=m.name,
        title=m.title,
        phone=None if public else m.phone,
        email=None if public else m.email,
        duties=list(m.duties),
    )


TIMELINE_HOURS = 24
TIMELINE_ROWS = 10


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
    horizon = TIMELINE_HOURS * 60
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
    if len(rows) <= TIMELINE_ROWS:
        return rows, []
    return rows[:TIMELINE_ROWS], recurring


HEAT_COLORS = {"critical": "#B3261E", "high": "#E8710A", "moderate": "#F2C12E", "low": "#7CB342"}


def heatmap(threats: list[ThreatView], lang: str) -> Markup:
    """A 5x5 likelihood x impact grid as inline SVG, each threat shown by its register number."""
    s = text.strings(lang)["heatmap"]
    cell, left, top = 64, 92, 16
    width, height = left + 5 * cell + 8, top + 5 * cell + 64
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="heatmap" role="img" aria-labelledby="heatmap-title">',
        f'<title id="heatmap-title">{text.html(s["title"])}</title>',
    ]
    cells: dict[tuple[int, int], list[int]] = {}
    for tv in threats:
        cells.setdefault((tv.threat.likelihood, tv.threat.impact), []).append(tv.number)
    for impact in range(5, 0, -1):
        y = top + (5 - impact) * cell
        out.append(
            f'<text x="{left - 8}" y="{y + cell / 2 + 5}" text-anchor="end" class="axis">{impact}</text>'
        )
        for likelihood in range(1, 6):
            x = left + (likelihood - 1) * cell
            color = HEAT_COLORS[band(likelihood * impact)]
            numbers = cells.get((likelihood, impact), [])
            out.append(
                f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" fill="{color}" '
                f'stroke="#ffffff" stroke-width="2"/>'
            )
            if numbers:
                label = ", ".join(str(n) for n in numbers[:4]) + ("…" if len(numbers) > 4 else "")
                out.append(
                    f'<text x="{x + cell / 2}" y="{y + cell / 2 + 5}" text-anchor="middle" '
                    f'class="count">{text.html(label)}</text>'
                )
    for likelihood in range(1, 6):
        centre = left + (likelihood - 1) * cell + cell / 2
        out.append(
            f'<text x="{centre}" y="{top + 5 * cell + 20}" text-anchor="middle" class="axis">{likelihood}</text>'
        )
    out.append(
        f'<text x="{left + 2.5 * cell}" y="{top + 5 * cell + 48}" text-anchor="middle" '
        f'class="label">{text.html(s["likelihood"])}</text>'
    )
    out.append(
        f'<text x="18" y="{top + 2.5 * cell}" text-anchor="middle" class="label" '
        f'transform="rotate(-90 18 {top + 2.5 * cell})">{text.html(s["impact"])}</text>'
    )
    out.append("</svg>")
    return Markup("".join(out))
