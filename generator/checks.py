"""Stage 1, checks: unique ids, references that resolve, files by their content, and warnings.

The references are found through the schema (:class:`crisisplan.schema.Ref`), so a new field
that names a team member, a channel, an audience or a severity level is checked without a line
here. They run on the raw data, so these problems are reported together with the schema's own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from . import i18n, resources, text
from .choices import LANGUAGES
from .defaults import default_ids
from .errors import Problem
from .i18n import N_, _
from .images import Image, ImageError, read_image
from .loader import Document, load_builtin
from .messages import did_you_mean
from .playbook import channel_limit, playbook, source_of_truth, threat_kind
from .schema import Questionnaire, first_screen_lines, references

#: The sections whose items have an ``id``.
SECTIONS = ("audiences", "channels", "team", "severity_levels", "threats")
#: The files a questionnaire may name, and whether a favicon's ICO is allowed.
FILES = {"logo": False, "favicon": True}


@dataclass
class Checked:
    """What the checks found: problems, and the images that passed."""

    problems: list[Problem] = field(default_factory=list)
    images: dict[str, Image] = field(default_factory=dict)


def check(doc: Document, folder: Path, language: str) -> Checked:
    """Every check that needs no valid questionnaire: ids, references and files."""
    out = Checked()
    data = doc.data
    known: dict[str, list[str]] = {}
    for section in SECTIONS:
        items = data.get(section)
        if items is None:  # left out: the built-in section's ids count
            known[section] = default_ids(language, section)
            continue
        known[section] = []
        for i, item in enumerate(items if isinstance(items, list) else []):
            key = item.get("id") if isinstance(item, dict) else None
            if not isinstance(key, str):
                continue
            if key in known[section]:
                out.problems.append(
                    doc.problem(
                        (section, i, "id"),
                        _(
                            "duplicate id {key!r}: ids must be unique within {section}",
                            key=key,
                            section=section,
                        ),
                    )
                )
            known[section].append(key)
    for path, value, ref, is_key in references(data):
        if not isinstance(value, str) or value in known[ref.section]:
            continue
        choices = sorted(set(known[ref.section]))
        kind = _(ref.kind)
        listed = (
            _("known ids are {ids}", ids=", ".join(choices))
            if choices
            else _("no {kind} is defined", kind=kind)
        )
        out.problems.append(
            doc.problem(
                path,
                _(
                    "no {kind} with id {value!r}: {hint}{listed}",
                    kind=kind,
                    value=value,
                    hint=did_you_mean(value, choices),
                    listed=listed,
                ),
                key=is_key,
            )
        )
    for i, member in enumerate(
        data.get("team") or [] if isinstance(data.get("team"), list) else []
    ):
        if (
            isinstance(member, dict)
            and member.get("backup")
            and member.get("backup") == member.get("id")
        ):
            out.problems.append(
                doc.problem(("team", i, "backup"), _("a person cannot be their own backup"))
            )
    brand = data.get("brand")
    brand = brand if isinstance(brand, dict) else {}
    for key, favicon in FILES.items():
        name = brand.get(key)
        if isinstance(name, str):
            name = name.strip("\n")  # a file name is one line: what `logo: >` leaves is dropped
        if isinstance(name, str) and name.strip():
            try:
                out.images[key] = read_image(inside(folder, name), favicon=favicon)
            except _Outside as exc:
                out.problems.append(doc.problem(("brand", key), str(exc)))
            except (ImageError, OSError) as exc:
                why = (
                    str(exc)
                    if isinstance(exc, ImageError)
                    else _("cannot be read ({why})", why=exc.strerror)
                )
                out.problems.append(doc.problem(("brand", key), f"{name!r}: {why}"))
    return out


class _Outside(ValueError):
    """A file name that does not name a file inside the questionnaire's folder."""


def inside(folder: Path, name: str) -> Path:
    """``name`` as a file inside ``folder`` (links resolved), or why it is not one."""
    relative = Path(name)
    if relative.is_absolute() or name.startswith(("/", "\\")) or ":" in name:
        raise _Outside(
            _(
                "{name!r} is an absolute path or a URL: name a file inside the questionnaire's"
                " folder",
                name=name,
            )
        )
    root = folder.resolve()
    try:
        target = (root / relative).resolve()
    except (RuntimeError, OSError):  # a link that leads to itself, round and round
        raise _Outside(
            _("{name!r} is a link that leads back to itself: name the file itself", name=name)
        ) from None
    if not target.is_relative_to(root):
        raise _Outside(
            _(
                "{name!r} leads outside the questionnaire's folder: keep files inside {root}",
                name=name,
                root=root,
            )
        )
    if not target.exists():
        raise _Outside(_("file {name!r} not found in {root}", name=name, root=root))
    return target  # read_image refuses a folder, a pipe or a device, saying which


def warnings(q: Questionnaire, doc: Document, defaulted: set[str], today: dt.date) -> list[Problem]:
    """What a reviewer should see: nothing here stops a build unless --strict.

    ``defaulted``: the sections filled from the defaults, which are not the client's to fix.
    """
    found: list[tuple[Path_, str]] = []
    for check in (
        _backups,
        _backup_loops,
        _reachable,
        _starter,
        _review,
        _approvals,
        _triggers,
        _channels,
        _accounts,
        _language,
    ):
        found += check(q, defaulted, today)
    found += _statements(q, defaulted)
    return [doc.problem(path, message, warning=True) for path, message in found]


Path_ = tuple[str | int, ...]
Found = list[tuple[Path_, str]]


def _backups(q: Questionnaire, defaulted: set[str], today: dt.date) -> Found:
    """Everyone called in at the two most severe levels has a backup."""
    assert q.severity_levels is not None and q.team is not None
    if "team" in defaulted:
        return []
    by_id = {m.id: m for m in q.team}
    out: Found = []
    warned: set[str] = set()
    for i, level in enumerate(q.severity_levels[:2]):
        for j, who in enumerate(level.activate):
            if who in by_id and by_id[who].backup is None and who not in warned:
                warned.add(who)
                out.append(
                    (
                        ("severity_levels", i, "activate", j),
                        _(
                            "{who!r} is called in at {level!r} but has no backup: add team.backup",
                            who=who,
                            level=level.id,
                        ),
                    )
                )
    return out


def _reachable(q: Questionnaire, defaulted: set[str], today: dt.date) -> Found:
    """The people the home page tells the reader to call have a number to call (the public
    edition prints none, so it needs a hotline instead)."""
    assert q.severity_levels is not None and q.team is not None
    if q.handbook.edition == "public":
        if q.company.hotline or first_screen_lines(q.contacts):
            return []
        return [
            (
                ("company",),
                _(
                    "the public edition prints no personal numbers and there is no"
                    " company.hotline or contact with personal: false: its home page has no"
                    " number to call"
                ),
            )
        ]
    if "team" in defaulted:
        return [
            (
                ("company",),
                _(
                    "no team is listed: the handbook prints blanks for the crisis team's names"
                    " and phone numbers; list the team (team[].name, team[].phone)"
                ),
            )
        ]
    by_id = {m.id: (i, m) for i, m in enumerate(q.team)}
    first = [who for who in q.severity_levels[0].activate if who in by_id][:4]
    callers = [*first, *(str(by_id[w][1].backup) for w in first if by_id[w][1].backup)]
    out: Found = []
    for who in dict.fromkeys(callers):
        i, member = by_id[who]
        if member.phone is None:
            out.append(
                (
                    ("team", i),
                    _(
                        "{who!r} is on the home page's call list but has no phone: add team.phone",
                        who=who,
                    ),
                )
            )
    return out


#: The starter's placeholders (`crisisplan init`): its values here warn until replaced, and
#: what to write instead.
PLACEHOLDERS: dict[tuple[str, str], str] = {
    ("handbook", "prepared_by"): N_("write who prepared the handbook, such as the agency's name"),
    ("handbook", "contacts_verified"): N_("write the day you last checked every phone number"),
    ("company", "name"): N_("write the company's name"),
    ("company", "website"): N_("write the company's website"),
    ("team", "name"): N_("write the person's name"),
    ("team", "phone"): N_("write the real number"),
    ("team", "email"): N_("write the real address"),
    ("channels", "handle"): N_("write the account's handle"),
}


def _plain(value: object) -> str:
    """A value as placeholders are compared: a phone number by its digits, text by its words."""
    text = str(value).strip().lower()
    digits = "".join(filter(str.isdigit, text))
    return digits if text.startswith("+") and len(digits) > 6 else text


@cache
def starter_values() -> dict[tuple[str, str], set[str]]:
    """The placeholders of every language's starter questionnaire, by section and field."""
    out: dict[tuple[str, str], set[str]] = {key: set() for key in PLACEHOLDERS}
    for path in resources.content_dir().glob("*/starter.yaml"):
        data = load_builtin(path)
        for section, name in PLACEHOLDERS:
            items = data.get(section) or []
            for item in items if isinstance(items, list) else [items]:
                if item.get(name):
                    out[(section, name)].add(_plain(item[name]))
    return out


def _is_example(section: str, name: str, value: object) -> bool:
    """Whether ``value`` is the starter's placeholder for ``section.name``."""
    return _plain(value) in starter_values()[(section, name)]


def _starter(q: Questionnaire, defaulted: set[str], today: dt.date) -> Found:
    """Example values from ``crisisplan init`` still in place."""
    out: Found = []
    for (section, name), advice in PLACEHOLDERS.items():
        items = getattr(q, section) or []
        for i, item in enumerate(items) if isinstance(items, list) else [(None, items)]:
            value = getattr(item, name)
            if value is None:
                continue
            # Any number ending in eight zeros is the starter's, whatever its country code.
            zeros = name == "phone" and "".join(filter(str.isdigit, value)).endswith("0" * 8)
            if zeros or _is_example(section, name, value):
                path = (section, name) if i is None else (section, i, name)
                out.append((path, _("still the starter's example: {advice}", advice=_(advice))))
    return out


def _language(q: Questionnaire, defaulted: set[str], today: dt.date) -> Found:
    """The client's own texts are in the handbook's language: an English statement in an
    Indonesian handbook is published half in English."""
    assert q.threats is not None
    language = q.handbook.language
    texts = [q.company.summary or ""]
    for t in q.threats:
        texts += [t.title, t.holding_statement or "", *t.messages.values()]
    words = " ".join(texts).lower().split()
    markers = {code: set(text.strings(code)["markers"]) for code in LANGUAGES}
    counts = {
        code: sum(w.strip(".,;:!?()") in marks for w in words) for code, marks in markers.items()
    }
    other = max(counts, key=lambda code: counts[code])
    if other == language or counts[other] < 10 or counts[other] < 3 * counts.get(language, 0):
        return []
    with i18n.speaking(other):  # said in the language its author writes in
        message = _(
            "the questionnaire's statements and titles read as {other!r} but the handbook is"
            " {language!r}: translate them, or set handbook.language: {other}",
            other=other,
            language=language,
        )
    return [(("handbook", "language"), message)]


def _backup_loops(q: Questionnaire, defaulted: set[str], today: dt.date) -> Found:
    """A chain of backups that ends bouncing between two other people (crisis lead → social
    lead → care lead → social lead) never comes back to anyone who can decide in the first
    one's place. A ring back to the start, or a pair of mutual backups, is fine."""
    assert q.team is not None
    if "team" in defaulted:
        return []
    backup = {m.id: m.backup for m in q.team if m.backup}
    index = {m.id: i for i, m in enumerate(q.team)}
    out: Found = []
    for start in backup:
        chain = [start]
        while chain[-1] in backup and backup[chain[-1]] not in chain:
            chain.append(str(backup[chain[-1]]))
        again = backup.get(chain[-1])
        if again is not None and again != start and chain.index(again) == len(chain) - 2:
            shown = " → ".join([*chain, str(again)])
            out.append(
                (
                    ("team", index[start], "backup"),
                    _(
                        "the backup chain {chain} goes round without coming back to {start!r}:"
                        " give one of them a backup outside it",
                        chain=shown,
                        start=start,
                    ),
                )
            )
    return out


def _review(q: Questionnaire, defaulted: set[str], today: dt.date) -> Found:
    """The handbook's review, and the contact sheet's check, are not overdue."""
    assert q.handbook.review_every is not None
    out: Found = []
    effective = q.handbook.effective or today
    due = q.handbook.review_every.after(effective)
    if due < today:
        out.append(
            (
                ("handbook", "effective"),
                _(
                    "the review was due on {due}: review the handbook and update effective",
                    due=due.isoformat(),
                ),
            )
        )
    verified = q.handbook.contacts_verified
    if verified is None and "team" not in defaulted:
        out.append(
            (
                ("handbook",),
                _(
                    "handbook.contacts_verified is not set: write the date the contact sheet's"
                    " numbers were last checked (the handbook prints it)"
                ),
            )
        )
    elif (
        verified
        and not _is_example("handbook", "contacts_verified", verified)
        and (q.handbook.review_every.after(verified) < today)
    ):
        out.append(
            (
                ("handbook", "contacts_verified"),
                _(
                    "the phone numbers were last checked on {verified}, longer ago than"
                    " review_every ({every}): check them and update contacts_verified",
                    verified=verified.isoformat(),
                    every=text.duration(q.handbook.review_every, q.handbook.language),
                ),
            )
        )
    return out


def _approvals(q: Questionnaire, defaulted: set[str], today: dt.date) -> Found:
    """Approvals fit inside the first response of every level."""
    assert q.severity_levels is not None and q.approvals is not None
    within = q.approvals.within
    if within is None:
        return []
    for level in q.severity_levels:
        if within.minutes >= level.first_response.minutes:
            return [
                (
                    ("approvals", "within"),
                    _(
                        "approvals may take {within}, as long as the whole first response of"
                        " {level!r} ({first}): shorten approvals.within to leave time to publish",
                        within=within,
                        level=level.id,
                        first=level.first_response,
                    ),
                )
            ]
    return []


def _triggers(q: Questionnaire, defaulted: set[str], today: dt.date) -> Found:
    """Every severity level has signs that put a crisis at it."""
    assert q.severity_levels is not None
    if "severity_levels" in defaulted:
        return []
    return [
        (
            ("severity_levels", i, "id"),
            _(
                "severity level {level!r} has no triggers: add the measurable signs that put a"
                " crisis at it, such as 'more than 30 negative mentions in an hour'",
                level=level.id,
            ),
        )
        for i, level in enumerate(q.severity_levels)
        if not level.triggers
    ]


def _channels(q: Questionnaire, defaulted: set[str], today: dt.date) -> Found:
    """Every channel is reached by some audience or threat."""
    assert q.threats is not None
    audiences = q.audiences or []
    if not any(a.channels for a in audiences):
        return []
    reached = {cid for a in audiences for cid in a.channels}
    return [
        (
            ("channels", i, "id"),
            _(
                "channel {channel!r} is in no audience's channels, so no threat uses it: add it"
                " to audiences[].channels",
                channel=c.id,
            ),
        )
        for i, c in enumerate(q.channels)
        if c.id not in reached and not any(c.id in t.messages for t in q.threats)
    ]


def _accounts(q: Questionnaire, defaulted: set[str], today: dt.date) -> Found:
    """An account with one admin is one lost phone away from being locked out."""
    return [
        (
            ("channels", i, "admins"),
            _(
                "{name} ({channel}) has one admin: add a second, so the account survives a lost"
                " phone or a person away",
                name=c.name,
                channel=c.id,
            ),
        )
        for i, c in enumerate(q.channels)
        if len(c.admins) == 1
    ]


def _statements(q: Questionnaire, defaulted: set[str]) -> Found:
    """Statements that leave out the next update, and messages too long for their channel."""
    assert q.severity_levels is not None and q.threats is not None
    book = playbook(q.handbook.language)
    # The same place the model writes into statements: a blank when the client has none.
    place, _url = source_of_truth(q, book, str(text.strings(q.handbook.language)["place_blank"]))
    levels = {s.id: s for s in q.severity_levels}
    channels = {c.id: c for c in q.channels}
    out: Found = []
    for i, t in enumerate(q.threats):
        where: Path_ = ("threats", i, "holding_statement")
        if t.holding_statement is None:
            if "threats" not in defaulted:
                kind = book.kinds[threat_kind(t, book)]
                out.append(
                    (
                        ("threats", i),
                        _(
                            "threat {threat!r} has no holding_statement: the built-in one for"
                            " {kind!r} will be used; write one for this client",
                            threat=t.id,
                            kind=kind.label.lower(),
                        ),
                    )
                )
        elif book.kinds[threat_kind(t, book)].tone != "light" and not text.complete(
            t.holding_statement, place
        ):
            missing = (
                _("when the next update comes")
                if "{next_update}" not in t.holding_statement
                else _("where the next update will be")
            )
            out.append(
                (
                    where,
                    _(
                        "the holding statement does not say {missing}: a closing line saying so"
                        " was added; write {next_update} and {source_of_truth} in it to place"
                        " them yourself",
                        missing=missing,
                        next_update="{next_update}",
                        source_of_truth="{source_of_truth}",
                    ),
                )
            )
        level = levels.get(t.severity or "")
        if level is None:
            continue
        for key, message in t.messages.items():
            limit = channel_limit(channels[key], book) if key in channels else None
            filled = text.fill_placeholders(
                message, level.public_updates, q.handbook.language, place=place
            )
            length = len(filled)
            if limit is not None and length > limit:
                out.append(
                    (
                        ("threats", i, "messages", key),
                        _(
                            "message is {length} characters; {name} ({channel}) allows {limit}",
                            length=length,
                            name=channels[key].name,
                            channel=key,
                            limit=limit,
                        ),
                    )
                )
    return out
