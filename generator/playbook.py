"""The built-in crisis playbook of each language: content chosen by threat kind and severity.

Most of a handbook's value is here, so that a short questionnaire still gives a professional
handbook: for each kind of threat a first statement, the facts to confirm, actions with their
owners, hard questions with answer outlines, key messages, who to notify (legal clocks
included), what each audience worries about, a spokesperson brief and lines for front-line
staff; and, for every handbook, channel formats, the comment and rumour guides, cadences by
status, update and closing templates, governance, exercises and recovery. A questionnaire's
own fields replace any of it for one client.

``content/<language>/playbook.yaml`` holds it; it is validated with these models when loaded,
and both languages must have the same kinds and keys (a test checks; lists may differ in length).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from . import resources
from .errors import QuestionnaireError
from .kinds import AudienceKind, ChannelKind, Kind, Role, Tone
from .loader import load_builtin, load_yaml
from .messages import schema_problems


class Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Action(Part):
    """One thing to do, and the role that owns it."""

    do: str = Field(description="What to do, as an instruction.")
    owner: Role = Field(description="The role that owns it.")


class Question(Part):
    """A hard question people will ask, and the outline of the answer."""

    q: str = Field(description="The question, as a journalist or a customer would ask it.")
    a: str = Field(description="The answer's outline: what to say, in one to three sentences.")


class Notice(Part):
    """Someone to notify, by when, and why."""

    who: str = Field(description="Who is notified (a regulator, a partner, an insurer...).")
    within: str = Field(description="By when, as people say it ('within 3 x 24 hours').")
    why: str = Field(description="The rule or the reason, with the law's name where there is one.")


class Spokesperson(Part):
    """Who speaks for this kind of threat, and how."""

    who: Role = Field(description="The role that speaks; the backup is that person's backup.")
    bridging: list[str] = Field(description="Lines that bring an interview back to the message.")
    never: list[str] = Field(description="What the spokesperson never says on this kind.")


class KindContent(Part):
    """The built-in content for one kind of threat."""

    label: str = Field(description="The kind's name, as the handbook shows it.")
    words: list[str] = Field(
        description="Lower-case words in a threat's category or title that mean this kind."
    )
    tone: Tone = Field(
        description="grave (harm, money, data, law), firm (conduct, service) or light (a joke, a rival)."
    )
    public: str = Field(
        description="Whether and when to go public, for this kind (some answer privately first)."
    )
    statement: str = Field(
        description=(
            "The first public message, in the first-message recipe: acknowledge with empathy,"
            " what we know, what we do not know yet, what we are doing, when the next update"
            " comes ({next_update}) and where ({source_of_truth}). {placeholders} are blanks."
        )
    )
    apology: str = Field(description="When to apologise for this kind, and how.")
    facts: list[str] = Field(description="Facts to confirm before posting (4 to 6).")
    actions: list[Action] = Field(description="What the team does, with owners (4 to 6).")
    questions: list[Question] = Field(description="Hard questions with answer outlines (5 to 8).")
    key_messages: list[str] = Field(description="Up to three key messages, about 27 words each.")
    notify: list[Notice] = Field(description="Who to notify and by when, legal clocks included.")
    concerns: dict[AudienceKind, str] = Field(
        description="What each kind of audience worries about, for this kind of threat."
    )
    spokesperson: Spokesperson
    staff_lines: list[str] = Field(
        description="What front-line staff may say to customers (3 to 5 lines)."
    )
    internal: str = Field(
        description="The message to staff, sent before or with the public one. {placeholders}."
    )
    reply: str = Field(description="A reply to a comment or a direct message about it.")


class ChannelFormat(Part):
    """How a kind of channel takes a crisis message."""

    words: list[str] = Field(description="Lower-case words in a channel's id or name.")
    limit: int | None = Field(None, description="Its usual length limit, when it has one.")
    note: str = Field(description="Format guidance: video or card, subject line, title and body...")


class Status(Part):
    """A stage of a crisis, and how often to update while it lasts."""

    label: str
    meaning: str = Field(description="What is true at this stage.")
    factor: float = Field(
        description="The severity's public update interval is multiplied by this."
    )
    say: str = Field(description="What an update at this stage says.")


class Template(Part):
    """A message template: a title and the text, with {placeholders}."""

    title: str
    text: str


class SitrepLine(Part):
    heading: str
    write: str = Field(description="What goes under the heading.")


class Exercise(Part):
    """A recurring exercise or check of the calendar."""

    label: str
    every_months: int = Field(description="How often, in months.")
    owner: Role
    what: str


class Playbook(Part):
    """Everything the built-in playbook of one language holds."""

    kinds: dict[Kind, KindContent]
    channels: dict[ChannelKind, ChannelFormat]
    audiences: dict[AudienceKind, list[str]] = Field(
        description="Lower-case words in an audience's id or name that mean each kind."
    )
    internal_audiences: list[AudienceKind] = Field(description="Kinds inside the company.")
    roles: dict[Role, list[str]] = Field(
        description="Lower-case words in a team member's id or role that mean each role."
    )
    role_labels: dict[Role, str] = Field(description="Each role's name, when no one is named.")
    customer_words: dict[str, list[str]] = Field(
        description="The word for customers, by lower-case words of the industry ('nasabah': bank)."
    )
    first_steps: list[str] = Field(description="The three things to do in the first 15 minutes.")
    first_post: str = Field(
        description="The first post, within minutes: we know, we are on it, when and where we say more."
    )
    statuses: dict[Literal["investigating", "identified", "monitoring", "resolved"], Status]
    long_incident: str = Field(description="What changes when a crisis runs past a day.")
    templates: dict[
        Literal["update", "closing", "follow_up", "apology", "internal", "correction"], Template
    ]
    comment_guide: list[Template] = Field(
        description="When to reply in public, move to private, not engage, hide or escalate."
    )
    rumour_steps: list[str] = Field(description="Spot, verify, correct once, point, report.")
    never_say: list[str] = Field(description="What no spokesperson says, on any threat.")
    sitrep: list[SitrepLine] = Field(description="The lines of a one-page situation report.")
    exercises: list[Exercise]
    review_questions: list[str]
    revise_after: list[str] = Field(description="What to revise in this handbook after a crisis.")
    resume_order: list[str] = Field(description="The order for resuming content and advertising.")
    handover: list[str] = Field(description="The shift handover checklist of a long crisis.")
    contact_kinds: dict[str, str] = Field(
        description="External contacts a handbook lists, by key, with their label."
    )
    going_public: list[str] = Field(description="When to answer in public rather than privately.")
    account_checks: list[str] = Field(description="What an account inventory must hold.")


@cache
def playbook(language: str) -> Playbook:
    """The built-in playbook of ``language``."""
    path = resources.content_dir() / language / "playbook.yaml"
    try:
        return Playbook.model_validate(load_builtin(path))
    except ValidationError as exc:  # a broken built-in file is a bug: say where it is
        doc = load_yaml(path)
        raise QuestionnaireError.from_problems(schema_problems(doc, exc, Playbook)) from None


# -- matching a client's words to the playbook's kinds -----------------------------------------


def matches(words: Iterable[str], *texts: str | None) -> bool:
    """Whether any of ``words`` is a whole word (or phrase) of any of ``texts``."""
    haystack = " ".join(t.lower() for t in texts if t)
    return bool(_words_pattern(tuple(words)).search(haystack))


@cache
def _words_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for a list of words: compiled once, not once per word and per call."""
    alternatives = "|".join(re.escape(w) for w in words) or "(?!)"
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")


def crisis_lead(team: Iterable[Any], book: Playbook) -> str | None:
    """The id of the team's crisis lead: the member with that id, else the first whose id,
    role or title says so, else the first member."""
    members = list(team)
    words = book.roles["crisis-lead"]
    found = next((m for m in members if m.id == "crisis-lead"), None) or next(
        (m for m in members if matches(words, m.id.replace("-", " "), m.role, m.title)), None
    )
    return found.id if found else (members[0].id if members else None)


def first_match(options: dict[str, list[str]], *texts: str | None) -> str | None:
    """The first key of ``options`` whose words match ``texts``."""
    return next((key for key, words in options.items() if matches(words, *texts)), None)


def threat_kind(t: Any, book: Playbook) -> Kind:
    """A threat's kind: as the questionnaire says, else from its category, else its title."""
    if t.kind:
        return t.kind
    words = {k: c.words for k, c in book.kinds.items() if k != "other"}
    return first_match(words, t.category) or first_match(words, t.title) or "other"


def channel_kind(c: Any, book: Playbook) -> ChannelKind:
    """A channel's kind: as the questionnaire says, else from its id and name."""
    if c.kind:
        return c.kind
    words = {k: f.words for k, f in book.channels.items()}
    return first_match(words, c.id.replace("-", " "), c.name) or "other"


def channel_limit(c: Any, book: Playbook) -> int | None:
    """A channel's length limit: its own, else its kind's usual one."""
    limit: int | None = (
        c.max_length if c.max_length is not None else book.channels[channel_kind(c, book)].limit
    )
    return limit


def source_of_truth(q: Any, book: Playbook, blank: str) -> tuple[str, str | None]:
    """The single place every statement points to, as statements name it, and its address:
    the questionnaire's ``company.updates``, else a website or newsroom channel with an
    address, else the company's website, else a blank to fill in."""
    url = None
    if q.company.updates:
        url = q.company.updates.url
        if not url:
            return str(q.company.updates.name), None
    if url is None:
        url = next(
            (
                c.handle
                for c in q.channels
                if channel_kind(c, book) == "website" and c.handle and c.handle.startswith("http")
            ),
            q.company.website,
        )
    if url is None:
        return "{" + blank + "}", None
    return re.sub(r"^https?://", "", url).rstrip("/"), str(url)
