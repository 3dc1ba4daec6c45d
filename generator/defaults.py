"""Stage 1, defaults: the built-in sections of each language, filled in where a questionnaire is silent."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from functools import cache

from pydantic import ValidationError

from . import resources
from .errors import QuestionnaireError
from .loader import load_builtin, load_yaml
from .messages import schema_problems
from .playbook import crisis_lead, playbook
from .schema import Questionnaire

#: The sections a questionnaire may leave out entirely, to take the language's built-in ones.
SECTIONS = ("audiences", "team", "approvals", "severity_levels", "threats")
#: The fields a questionnaire may leave empty to take the value of its language's defaults
#: file, by (section, field): filled here and stated from the same data in the reference.
FROM_DATA = (
    ("handbook", "title"),
    ("handbook", "review_every"),
    ("brand", "voice"),
    ("approvals", "within"),
    ("monitoring", "check_every"),
    ("monitoring", "alert_when"),
    ("recovery", "review_within"),
    ("recovery", "listen_for"),
    ("recovery", "back_to_normal_when"),
)


@cache
def defaults(language: str) -> Questionnaire:
    """The built-in defaults of ``language``, validated with the questionnaire model."""
    path = resources.content_dir() / language / "defaults.yaml"
    data = {**load_builtin(path), "company": {"name": "-"}}
    try:
        return Questionnaire.model_validate(data)
    except ValidationError as exc:  # a broken built-in file is a bug: say where it is
        raise QuestionnaireError.from_problems(schema_problems(load_yaml(path), exc)) from None


def default_ids(language: str, section: str) -> list[str]:
    """The ids of a built-in section (none for sections without defaults, such as channels)."""
    items = getattr(defaults(language), section, None) or []
    return [item.id for item in items]


def apply_defaults(q: Questionnaire) -> set[str]:
    """Fill whatever ``q`` leaves out from its language's defaults; return the sections filled."""
    d = defaults(q.handbook.language)
    filled: set[str] = set()
    if q.brand.voice is None:
        filled.add("brand.voice")
    for name in SECTIONS:
        if getattr(q, name) is None:
            setattr(q, name, copy.deepcopy(getattr(d, name)))
            filled.add(name)
    team_ids = [m.id for m in q.team or []]
    lead = crisis_lead(q.team or [], playbook(q.handbook.language))

    def known(ids: Iterable[str]) -> list[str]:
        return [i for i in ids if i in team_ids] or ([lead] if lead else [])

    assert q.approvals is not None and q.severity_levels is not None and q.threats is not None
    if "approvals" in filled:
        q.approvals.holding_statement = known(q.approvals.holding_statement)
        q.approvals.full_statement = known(q.approvals.full_statement)
    for section, name in FROM_DATA:
        mine, builtin = getattr(q, section), getattr(d, section)
        if getattr(mine, name) in (None, []):
            setattr(mine, name, copy.deepcopy(getattr(builtin, name)))
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
    if not m.keywords:
        m.keywords = [q.company.name]
    if m.owner is None:
        m.owner = "social-lead" if "social-lead" in team_ids else lead
    if r.review_owner is None:
        r.review_owner = lead
    for t in q.threats:  # no category: the kind (from the title) names it
        if t.owner is None:
            t.owner = lead
        if t.severity is None:
            t.severity = severity_for_impact(t.impact, [s.id for s in q.severity_levels])
    return filled


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
