"""Stage 1, checks: unique ids, references that resolve, files by their content, and warnings.

The references are found through the schema (:class:`crisisplan.schema.Ref`), so a new field
that names a team member, a channel, an audience or a severity level is checked without a line
here. They run on the raw data, so these problems are reported together with the schema's own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from .defaults import default_ids
from .errors import Problem
from .images import Image, ImageError, read_image
from .loader import Document
from .messages import did_you_mean
from .schema import Questionnaire, channels_for, references
from .text import fill_placeholders, strings

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
                        f"duplicate id {key!r}: ids must be unique within {section}",
                    )
                )
            known[section].append(key)
    for path, value, ref, is_key in references(data):
        if not isinstance(value, str) or value in known[ref.section]:
            continue
        choices = sorted(set(known[ref.section]))
        listed = f"known ids are {', '.join(choices)}" if choices else f"no {ref.kind}s are defined"
        out.problems.append(
            doc.problem(
                path,
                f"no {ref.kind} with id {value!r}: {did_you_mean(value, choices)}{listed}",
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
                doc.problem(("team", i, "backup"), "a person cannot be their own backup")
            )
    brand = data.get("brand")
    brand = brand if isinstance(brand, dict) else {}
    for key, favicon in FILES.items():
        name = brand.get(key)
        if isinstance(name, str) and name.strip():
            try:
                out.images[key] = read_image(inside(folder, name), favicon=favicon)
            except _Outside as exc:
                out.problems.append(doc.problem(("brand", key), str(exc)))
            except (ImageError, OSError) as exc:
                why = (
                    str(exc) if isinstance(exc, ImageError) else f"cannot be read ({exc.strerror})"
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
            f"{name!r} is an absolute path or a URL: name a file inside the questionnaire's folder"
        )
    root = folder.resolve()
    target = (root / relative).resolve()
    if not target.is_relative_to(root):
        raise _Outside(
            f"{name!r} leads outside the questionnaire's folder: keep files inside {root}"
        )
    if not target.is_file():
        raise _Outside(f"file {name!r} not found in {root}")
    return target


def warnings(q: Questionnaire, doc: Document, defaulted: set[str], today: dt.date) -> list[Problem]:
    """What a reviewer should see: nothing here stops a build unless --strict.

    ``defaulted``: the sections filled from the defaults, which are not the client's to fix.
    """
    out: list[Problem] = []
    assert q.severity_levels and q.team is not None and q.threats is not None
    top = q.severity_levels[0]
    by_id = {m.id: m for m in q.team}
    for j, who in enumerate(top.activate if "team" not in defaulted else []):
        if who in by_id and by_id[who].backup is None:
            out.append(
                doc.problem(
                    ("severity_levels", 0, "activate", j),
                    f"{who!r} is called in at {top.id!r} but has no backup: add team.backup",
                    warning=True,
                )
            )
    effective = q.handbook.effective or today
    assert q.handbook.review_every is not None
    due = q.handbook.review_every.after(effective)
    if due < today:
        out.append(
            doc.problem(
                ("handbook", "effective"),
                f"the review was due on {due.isoformat()}: review the handbook and update effective",
                warning=True,
            )
        )
    if (
        q.approvals
        and q.approvals.within
        and q.approvals.within.minutes >= top.first_response.minutes
    ):
        out.append(
            doc.problem(
                ("approvals", "within"),
                f"approvals may take {q.approvals.within}, the whole first response of {top.id!r} "
                f"({top.first_response}): shorten approvals.within",
                warning=True,
            )
        )
    audiences = q.audiences or []
    if any(a.channels for a in audiences):
        reached = {cid for a in audiences for cid in a.channels}
        for i, c in enumerate(q.channels):
            if c.id not in reached and not any(c.id in t.messages for t in q.threats):
                out.append(
                    doc.problem(
                        ("channels", i, "id"),
                        f"channel {c.id!r} is in no audience's channels, so no threat uses it: "
                        "add it to audiences[].channels",
                        warning=True,
                    )
                )
    levels = {s.id: s for s in q.severity_levels}
    limits = {c.id: c.max_length for c in q.channels}
    names = {c.id: c.name for c in q.channels}
    standard = strings(q.handbook.language)["default_statement"]
    for i, t in enumerate(q.threats):
        if t.holding_statement is None and "threats" not in defaulted:
            out.append(
                doc.problem(
                    ("threats", i),
                    f"threat {t.id!r} has no holding_statement: the standard one will be used",
                    warning=True,
                )
            )
        level = levels.get(t.severity or "")
        if level is not None:
            statement = t.holding_statement or standard
            length = len(fill_placeholders(statement, level.public_updates, q.handbook.language))
            for key in channels_for(t, audiences, q.channels):
                limit = limits.get(key)
                if key not in t.messages and limit is not None and length > limit:
                    out.append(
                        doc.problem(
                            ("threats", i, "holding_statement")
                            if t.holding_statement
                            else ("threats", i),
                            f"the holding statement is {length} characters; {names[key]} ({key}) "
                            f"allows {limit}: add messages.{key} with a shorter version",
                            warning=True,
                        )
                    )
        for key, message in t.messages.items():
            limit = limits.get(key)
            if limit is None or level is None:
                continue
            length = len(fill_placeholders(message, level.public_updates, q.handbook.language))
            if length > limit:
                out.append(
                    doc.problem(
                        ("threats", i, "messages", key),
                        f"message is {length} characters; {key} allows {limit}",
                        warning=True,
                    )
                )
    return out
