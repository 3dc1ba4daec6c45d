"""Stage 1: load a questionnaire, validate it, fill in defaults and check every reference."""

from __future__ import annotations

import copy
import datetime as dt
import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from . import resources
from .choices import LANGUAGES
from .errors import Problem, QuestionnaireError
from .loader import Document, dotted, load_yaml
from .schema import Questionnaire
from .types import Duration


@dataclass
class Loaded:
    """A validated questionnaire with its defaults applied, and what a reviewer should see."""

    questionnaire: Questionnaire
    path: Path
    document: Document
    warnings: list[Problem] = field(default_factory=list)
    defaulted: set[str] = field(default_factory=set)

    @property
    def folder(self) -> Path:
        return self.path.resolve().parent


def today() -> dt.date:
    """The build date: from ``SOURCE_DATE_EPOCH`` when set, so builds are reproducible."""
    import os

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    return dt.date.today()


def load_questionnaire(path: Path | str, *, today_: dt.date | None = None) -> Loaded:
    """Load and validate ``path``; raise :class:`QuestionnaireError` listing every problem."""
    path = Path(path)
    doc = load_yaml(path, collect=True)
    problems = doc.problems + references(doc, path.resolve().parent)
    try:
        q = Questionnaire.model_validate(doc.data)
    except ValidationError as exc:
        problems += _problems(doc, exc, Questionnaire)
    if problems:
        raise QuestionnaireError.from_problems(problems)
    loaded = Loaded(q, path, doc)
    loaded.defaulted = apply_defaults(q)
    loaded.warnings = warnings(loaded, today_ or today())
    return loaded


# -- pydantic errors to compiler-style problems -----------------------------------------------


def _problems(doc: Document, exc: ValidationError, model: type[BaseModel]) -> list[Problem]:
    out: list[Problem] = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        kind = err["type"]
        if kind == "extra_forbidden":
            out.append(doc.problem(loc, _unknown_key(model, loc), key=True))
        elif loc and loc[-1] == "[key]":  # pydantic's marker for a bad key of a dict field
            out.append(doc.problem(loc[:-1], _message(err), key=True))
        elif kind == "missing":
            where = doc.problem(loc[:-1], f"{loc[-1]} is required")
            out.append(replace(where, path=dotted(loc)))
        else:
            out.append(doc.problem(loc, _message(err)))
    return out


def _message(err: Any) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "literal_error":
        return f"{err['input']!r} is not allowed: write one of {ctx.get('expected', '')}"
    if kind in ("list_type",):
        return "expected a list (lines starting with '- ')"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "expected a mapping (key: value lines)"
    if kind == "bool_parsing":
        return f"{err['input']!r} is not true or false: write true or false"
    if kind in ("string_type",):
        return "expected text, not a list or a mapping"
    msg = str(err["msg"])
    return msg[len("Value error, ") :] if msg.startswith("Value error, ") else msg


def _fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The field names allowed at ``loc`` (the parent of an unknown key)."""
    import typing

    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return []
        info = current.model_fields.get(part)
        if info is None:
            return []
        current = info.annotation
        for _ in range(3):
            args = [a for a in typing.get_args(current) if a is not type(None)]
            if isinstance(current, type) and issubclass(current, BaseModel):
                break
            current = next(
                (a for a in args if isinstance(a, type) and issubclass(a, BaseModel)),
                args[0] if args else current,
            )
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _unknown_key(model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    allowed = _fields_at(model, loc[:-1])
    near = difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.6)
    hint = f"did you mean {near[0]!r}? " if near else ""
    return f"unknown key {str(loc[-1])!r}: {hint}allowed keys are {', '.join(allowed)}"


# -- defaults ---------------------------------------------------------------------------------


@cache
def defaults(language: str) -> Questionnaire:
    """The built-in defaults of ``language``, validated with the questionnaire model."""
    path = resources.content_dir() / language / "defaults.yaml"
    doc = load_yaml(path)
    data = dict(doc.data)
    data["company"] = {"name": "-"}
    try:
        return Questionnaire.model_validate(data)
    except ValidationError as exc:  # a broken built-in file is a bug: say where it is
        raise QuestionnaireError.from_problems(_problems(doc, exc, Questionnaire)) from None


def apply_defaults(q: Questionnaire) -> set[str]:
    """Fill whatever ``q`` leaves out from its language's defaults; return the sections filled."""
    d = defaults(q.handbook.language)
    filled: set[str] = set()
    if q.handbook.title is None:
        q.handbook.title = d.handbook.title
    if q.handbook.review_every is None:
        q.handbook.review_every = d.handbook.review_every
    if q.brand.voice is None:
        q.brand.voice = d.brand.voice.model_copy(deep=True) if d.brand.voice else None
        filled.add("brand.voice")
    for name in ("audiences", "team", "approvals", "severity_levels", "threats"):
        if getattr(q, name) is None:
            setattr(q, name, copy.deepcopy(getattr(d, name)))
            filled.add(name)
    team_ids = [m.id for m in q.team or []]
    first = team_ids[0] if team_ids else None
    lead = "crisis-lead" if "crisis-lead" in team_ids else first

    def known(ids: Iterable[str]) -> list[str]:
        return [i for i in ids if i in team_ids] or ([lead] if lead else [])

    assert q.approvals is not None and q.severity_levels is not None and q.threats is not None
    if "approvals" in filled:
        q.approvals.holding_statement = known(q.approvals.holding_statement)
        q.approvals.full_statement = known(q.approvals.full_statement)
    if q.approvals.within is None:
        q.approvals.within = d.approvals.within if d.approvals else Duration(30, "minutes")
    if "severity_levels" in filled:
        # Call in more of the team the more severe the level: everyone at the top.
        n = len(q.severity_levels)
        for i, level in enumerate(q.severity_levels):
            size = max(1, round(len(team_ids) * (n - i) / n))
            level.activate = team_ids[:size] if team_ids else []
    for level in q.severity_levels:
        if level.internal_updates is None:
            level.internal_updates = level.public_updates
        if level.team_meets is None:
            level.team_meets = level.internal_updates
    m, r = q.monitoring, q.recovery
    if m.check_every is None:
        m.check_every = d.monitoring.check_every
    if not m.alert_when:
        m.alert_when = list(d.monitoring.alert_when)
    if not m.keywords:
        m.keywords = [q.company.name]
    if m.owner is None:
        m.owner = "social-lead" if "social-lead" in team_ids else lead
    if r.review_within is None:
        r.review_within = d.recovery.review_within
    if r.listen_for is None:
        r.listen_for = d.recovery.listen_for
    if not r.back_to_normal_when:
        r.back_to_normal_when = list(d.recovery.back_to_normal_when)
    if r.review_owner is None:
        r.review_owner = lead
    other = _other_category(q.handbook.language)
    for t in q.threats:
        if t.category is None:
            t.category = other
        if t.owner is None:
            t.owner = lead
        if t.severity is None:
            t.severity = severity_for_impact(t.impact, [s.id for s in q.severity_levels])
        if not t.audiences:
            t.audiences = [a.id for a in q.audiences or []]
    return filled


def _other_category(language: str) -> str:
    from .text import strings

    return str(strings(language)["other_category"])


SCORE_BANDS = (15, 10, 5, 1)  # lowest score of the four priority bands of the register


def severity_for_impact(impact: int, levels: list[str]) -> str | None:
    """The default severity level of a threat: how bad it is when it happens, not how likely.

    Impact 5 takes the most severe level, 4 the next, 3 the next and 1-2 the least severe,
    spread over however many levels the questionnaire has. Likelihood sets the register's
    priority, not the response time: a rare poisoning is still a critical crisis.
    """
    if not levels:
        return None
    step = {5: 0, 4: 1, 3: 2, 2: 3, 1: 3}[impact]
    return levels[round(step * (len(levels) - 1) / 3) if len(levels) > 1 else 0]


# -- references, uniqueness, files and warnings -----------------------------------------------


def references(doc: Document, folder: Path) -> list[Problem]:
    """Unique ids, every reference naming something that exists, and files inside ``folder``.

    Runs on the raw data, so these problems are reported together with the schema's own.
    Sections left out count with the ids of their built-in defaults.
    """
    data = doc.data
    handbook = data.get("handbook")
    language = handbook.get("language") if isinstance(handbook, dict) else None
    fallback = defaults(language if language in LANGUAGES else "en")
    out: list[Problem] = []

    def items(name: str) -> list[tuple[int, dict[str, Any]]]:
        raw = data.get(name)
        if raw is None and name != "channels":
            raw = [{"id": item.id} for item in getattr(fallback, name) or []]
        if not isinstance(raw, list):
            return []
        return [(i, item) for i, item in enumerate(raw) if isinstance(item, dict)]

    def idset(name: str) -> set[str]:
        return {item["id"] for _, item in items(name) if isinstance(item.get("id"), str)}

    for name in ("audiences", "channels", "team", "severity_levels", "threats"):
        seen: set[str] = set()
        for i, item in items(name):
            key = item.get("id")
            if isinstance(key, str) and key in seen:
                out.append(
                    doc.problem(
                        (name, i, "id"), f"duplicate id {key!r}: ids must be unique within {name}"
                    )
                )
            if isinstance(key, str):
                seen.add(key)
    known = {
        "team member": idset("team"),
        "channel": idset("channels"),
        "audience": idset("audiences"),
        "severity level": idset("severity_levels"),
    }

    def ref(path: tuple[Any, ...], value: Any, kind: str, *, key: bool = False) -> None:
        if not isinstance(value, str) or value in known[kind]:
            return
        choices = sorted(known[kind])
        near = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
        hint = f"did you mean {near[0]!r}? " if near else ""
        listed = f"known ids are {', '.join(choices)}" if choices else f"no {kind}s are defined"
        out.append(doc.problem(path, f"no {kind} with id {value!r}: {hint}{listed}", key=key))

    def refs(path: tuple[Any, ...], values: Any, kind: str) -> None:
        for j, value in enumerate(values if isinstance(values, list) else []):
            ref((*path, j), value, kind)

    def section(name: str) -> dict[str, Any]:
        value = data.get(name)
        return value if isinstance(value, dict) else {}

    for i, c in items("channels"):
        ref(("channels", i, "owner"), c.get("owner"), "team member")
    if "team" in data:
        for i, m in items("team"):
            ref(("team", i, "backup"), m.get("backup"), "team member")
            if m.get("backup") is not None and m.get("backup") == m.get("id"):
                out.append(
                    doc.problem(("team", i, "backup"), "a person cannot be their own backup")
                )
    for i, a in items("audiences"):
        refs(("audiences", i, "channels"), a.get("channels"), "channel")
    for key in ("holding_statement", "full_statement"):
        refs(("approvals", key), section("approvals").get(key), "team member")
    if "severity_levels" in data:
        if isinstance(data["severity_levels"], list) and not data["severity_levels"]:
            out.append(doc.problem(("severity_levels",), "at least one severity level is needed"))
        for i, s in items("severity_levels"):
            refs(("severity_levels", i, "activate"), s.get("activate"), "team member")
    ref(("monitoring", "owner"), section("monitoring").get("owner"), "team member")
    ref(("recovery", "review_owner"), section("recovery").get("review_owner"), "team member")
    refs(
        ("recovery", "share_lessons_with"),
        section("recovery").get("share_lessons_with"),
        "audience",
    )
    if "threats" in data:
        for i, t in items("threats"):
            ref(("threats", i, "owner"), t.get("owner"), "team member")
            ref(("threats", i, "severity"), t.get("severity"), "severity level")
            refs(("threats", i, "audiences"), t.get("audiences"), "audience")
            messages = t.get("messages")
            for channel in messages if isinstance(messages, dict) else {}:
                ref(("threats", i, "messages", channel), channel, "channel", key=True)
    suffixes = {"logo": (".svg", ".png"), "favicon": (".svg", ".png", ".ico")}
    for key, allowed in suffixes.items():
        value = section("brand").get(key)
        if isinstance(value, str) and value.strip():
            problem = check_file(folder, value, allowed)
            if problem:
                out.append(doc.problem(("brand", key), problem))
    return out


def check_file(folder: Path, name: str, suffixes: tuple[str, ...]) -> str | None:
    """Why ``name`` is not an acceptable file under ``folder``, or None when it is."""
    relative = Path(name)
    if relative.is_absolute() or name.startswith(("/", "\\")) or ":" in name:
        return (
            f"{name!r} is an absolute path or a URL: name a file inside the questionnaire's folder"
        )
    target = (folder / relative).resolve()
    if not target.is_relative_to(folder.resolve()):
        return f"{name!r} leads outside the questionnaire's folder: keep files inside {folder}"
    if not target.is_file():
        return f"file {name!r} not found in {folder}"
    if target.suffix.lower() not in suffixes:
        return f"{name!r} has an unsupported type: use {', '.join(suffixes)}"
    return None


def warnings(loaded: Loaded, today_: dt.date) -> list[Problem]:
    """What a reviewer should see: nothing here stops a build unless --strict."""
    from .model import channels_for
    from .text import fill_placeholders, strings

    q, doc = loaded.questionnaire, loaded.document
    out: list[Problem] = []
    assert q.severity_levels and q.team is not None and q.threats is not None
    top = q.severity_levels[0]
    by_id = {m.id: m for m in q.team}
    for j, who in enumerate(top.activate if "team" not in loaded.defaulted else []):
        if who in by_id and by_id[who].backup is None:
            out.append(
                doc.problem(
                    ("severity_levels", 0, "activate", j),
                    f"{who!r} is called in at {top.id!r} but has no backup: add team.backup",
                    warning=True,
                )
            )
    effective = q.handbook.effective or today_
    assert q.handbook.review_every is not None
    due = q.handbook.review_every.after(effective)
    if due < today_:
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
        if t.holding_statement is None and "threats" not in loaded.defaulted:
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
