"""The questionnaire as a closed pydantic model: every field typed and described.

Sections left out are ``None`` here and filled from the language's built-in defaults by
:mod:`crisisplan.defaults`; the descriptions are also the questionnaire reference in the docs.
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter
from pydantic_core import PydanticCustomError

from .choices import LANGUAGES
from .i18n import N_, _
from .kinds import ChannelKind, Kind
from .types import (
    Color,
    Count,
    Date,
    DurationField,
    Email,
    Flag,
    Id,
    LongText,
    Name,
    OneLine,
    Phone,
    Score,
    Text,
    Url,
    VaultName,
)

Language = Literal[LANGUAGES]  # type: ignore[valid-type]


@dataclass(frozen=True)
class Ref:
    """Marks an id that names an item of another section: the checks and the docs read it."""

    section: str  #: the questionnaire section whose items' ``id`` it names
    kind: str  #: what such an item is called in messages


class File:
    """Marks a text that names a file beside the questionnaire, checked by its content."""


FileName = Annotated[Name, File()]
MemberId = Annotated[Id, Ref("team", N_("team member"))]
ChannelId = Annotated[Id, Ref("channels", N_("channel"))]
AudienceId = Annotated[Id, Ref("audiences", N_("audience"))]
LevelId = Annotated[Id, Ref("severity_levels", N_("severity level"))]

#: Names a threat's page may not take: they are the site's own pages and folders.
RESERVED = frozenset({"index", "404", "search", "assets", "sitemap", "search_index"})


def _not_reserved(value: str) -> str:
    if value in RESERVED:
        raise PydanticCustomError(
            "reserved",
            _(
                "{quoted} is a name the site uses for its own pages: choose another id, such as"
                " {value}-threat"
            ),
            {"quoted": repr(value), "value": value},
        )
    return value


ThreatId = Annotated[Id, AfterValidator(_not_reserved)]


class Model(BaseModel):
    """Base of every questionnaire section: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=False, validate_default=False)


class SignOff(Model):
    """An executive's sign-off of the handbook."""

    name: Name = Field(description="The executive's name.")
    role: Name = Field(description="Their role, such as 'Chief Executive Officer'.")
    date: Date | None = Field(None, description="When they signed it off (YYYY-MM-DD).")


class Holder(Model):
    """Someone who holds a copy of the handbook."""

    holder: Name = Field(
        description="A person or a team, such as 'Crisis team' or 'Franchise desk'."
    )
    edition: Literal["internal", "public"] = Field("internal", description="The edition they hold.")


class Change(Model):
    """What changed in one version of the handbook."""

    version: Name = Field(description="The version, such as `2026.2`.")
    date: Date | None = Field(None, description="When it took effect (YYYY-MM-DD).")
    change: Text = Field(description="What changed, in a sentence.")


class Handbook(Model):
    """About the handbook document itself."""

    language: Language = Field(
        "en",
        description="Language of the handbook: a folder of content/, such as `en` (English) or `id` (Bahasa Indonesia).",
    )
    title: Name | None = Field(
        None,
        description="Title on the cover and in the header.",
    )
    version: Name = Field(
        "1.0",
        description="Version of this handbook, shown on the cover and in the PDF footer, such as `2026.2`.",
    )
    effective: Date | None = Field(
        None, description="Date the handbook takes effect (YYYY-MM-DD). Default: the build date."
    )
    edition: Literal["internal", "public"] = Field(
        "internal",
        description="`internal` includes personal phone numbers and e-mail addresses; `public` leaves out every personal contact detail.",
    )
    prepared_by: Name | None = Field(
        None, description="Who prepared the handbook, usually the agency. Becomes the PDF's author."
    )
    review_every: DurationField | None = Field(
        None,
        description="How often the handbook is reviewed, such as `6 months`.",
    )
    owner: Name | None = Field(
        None,
        description="Who owns this document and keeps it up to date: a name and role, such as 'Sari Wulandari, Head of Communications'. Default: the crisis lead.",
    )
    sign_off: SignOff | None = Field(
        None,
        description="The executive who signed the handbook off, with a signature line in print.",
    )
    holders: list[Holder] = Field(
        default_factory=list, description="Who holds a copy, and of which edition."
    )
    changes: list[Change] = Field(
        default_factory=list,
        description="What changed in each version, newest first; the current version's entry is shown first.",
    )
    contacts_verified: Date | None = Field(
        None,
        description="When the phone numbers in the handbook were last checked (YYYY-MM-DD); a warning when older than review_every.",
    )
    site_url: Url | None = Field(
        None,
        description="Where the site will be published (http or https), such as `https://crisis.example.com/kopi/`. With it, the site has a sitemap and its error page works at any depth of that address; without it, no sitemap is written and the error page works from disk and at the site's top level.",
    )


class Updates(Model):
    """Where the latest information always is."""

    name: Name = Field(description="What it is called, such as 'our newsroom'.")
    url: Url | None = Field(None, description="Its address (http or https).")


class Company(Model):
    """The client the handbook is for."""

    name: Name = Field(description="The company's usual name, as customers know it. Required.")
    legal_name: Name | None = Field(None, description="Registered legal name.")
    industry: Name | None = Field(None, description="Industry or line of business.")
    headquarters: Name | None = Field(None, description="City and country of the head office.")
    website: Url | None = Field(None, description="Public website (http or https).")
    summary: LongText | None = Field(
        None, description="A few sentences about the company, its customers and its channels."
    )
    values: list[Text] = Field(
        default_factory=list, description="Company values the crisis voice must stay true to."
    )
    hotline: Phone | None = Field(
        None,
        description="A duty number that is not a person's (a hotline or switchboard): shown in both editions, on the first screen of the public one.",
    )
    customers: Name | None = Field(
        None,
        description="The word for customers in this business, such as 'members' or 'nasabah'. Default: from the industry.",
    )
    updates: Updates | None = Field(
        None,
        description="The single source of truth (newsroom, status page or pinned post) every statement and channel points to. Default: a website or newsroom channel, else the company website.",
    )


class Colors(Model):
    """Brand colours used by the site and the PDF."""

    primary: Color = Field(
        "#1F4E79", description="Main brand colour (#RRGGBB or #RGB): header, headings."
    )
    accent: Color = Field(
        "#E07A1F", description="Accent colour (#RRGGBB or #RGB): links and highlights."
    )


class Voice(Model):
    """How the company sounds in a crisis."""

    tone: Text | None = Field(None, description="The tone of voice in one or two sentences.")
    do: list[Text] = Field(default_factory=list, description="Things every crisis message does.")
    avoid: list[Text] = Field(default_factory=list, description="Things no crisis message does.")


class Brand(Model):
    """Logo, colours and voice."""

    logo: FileName | None = Field(
        None,
        description="Logo file, relative to the questionnaire's folder and inside it: SVG, PNG, JPEG or WebP, checked by its content, at most 2 MB and 4096x4096 pixels. SVGs are rebuilt without scripts, links or external references.",
    )
    favicon: FileName | None = Field(
        None,
        description="Favicon file (SVG, PNG, JPEG, WebP or ICO), relative to the questionnaire's folder, checked like the logo. Default: the logo.",
    )
    colors: Colors = Field(default_factory=Colors, description="Brand colours.")
    voice: Voice | None = Field(
        None, description="Voice guide: a calm, human crisis voice when left out."
    )


class Audience(Model):
    """A group of people the company must keep informed."""

    id: Id = Field(description="Short id used to refer to this audience, such as `customers`.")
    name: Name = Field(description="Name of the audience.")
    priority: Score = Field(3, description="Priority from 1 (inform first) to 5 (inform last).")
    concerns: Text | None = Field(None, description="What this audience worries about in a crisis.")
    channels: list[ChannelId] = Field(
        default_factory=list, description="Ids of the channels used to reach this audience."
    )
    kind: (
        Literal[
            "customers", "employees", "partners", "media", "regulators", "investors", "community"
        ]
        | None
    ) = Field(
        None,
        description="What this audience is, for the concerns each kind of threat raises in it. Default: from its id and name.",
    )


class Channel(Model):
    """A channel the company speaks through."""

    id: Id = Field(description="Short id used to refer to this channel, such as `instagram`.")
    name: Name = Field(description="Name of the channel.")
    handle: Name | None = Field(
        None, description="Account handle, number or address on this channel."
    )
    followers: Count | None = Field(
        None, description="Audience size (followers, subscribers, members)."
    )
    owner: MemberId | None = Field(
        None, description="Team member id who publishes on this channel."
    )
    max_length: Count | None = Field(
        None, description="Longest message the channel takes, in characters (such as 280)."
    )
    internal: Flag = Field(
        False, description="`true` for channels that reach only staff or partners."
    )
    kind: ChannelKind | None = Field(
        None,
        description="What the channel is, for its format notes (tiktok, instagram, x, whatsapp, email, push, website...). Default: from its id and name.",
    )
    admins: list[MemberId] = Field(
        default_factory=list,
        description="Team member ids who are admins of the account: at least two (a warning if one).",
    )
    two_factor: list[MemberId] = Field(
        default_factory=list,
        description="Team member ids who hold the two-factor device and the recovery codes.",
    )
    credentials: VaultName | None = Field(
        None,
        description="Where the login is kept: the password manager or vault's name, never a password (one that looks like a secret is refused).",
    )
    pause: list[Name] = Field(
        default_factory=list,
        description="Scheduling and ads tools to pause on this account in a crisis, such as 'Meta Business Suite'.",
    )
    pinned: Text | None = Field(None, description="What to do with pinned posts in a crisis.")


class Member(Model):
    """A member of the crisis team."""

    id: Id = Field(description="Short id used to refer to this person, such as `crisis-lead`.")
    role: Name = Field(description="Role in the crisis team, such as 'Crisis lead'.")
    name: Name | None = Field(None, description="Person's name.")
    title: Name | None = Field(None, description="Job title.")
    phone: Phone | None = Field(None, description="Phone number (internal edition only).")
    email: Email | None = Field(None, description="E-mail address (internal edition only).")
    out_of_hours: Phone | None = Field(
        None,
        description="Phone number out of office hours, when not the same (internal edition only).",
    )
    backup: MemberId | None = Field(
        None, description="Team member id who stands in when this person cannot be reached."
    )
    duties: list[Text] = Field(
        default_factory=list, description="What this person does in a crisis."
    )


class Approvals(Model):
    """Who signs off messages before they go out."""

    holding_statement: list[MemberId] = Field(
        default_factory=list, description="Team member ids who approve a holding statement."
    )
    full_statement: list[MemberId] = Field(
        default_factory=list, description="Team member ids who approve a full statement."
    )
    within: DurationField | None = Field(
        None, description="Time limit for an approval, such as `30m`."
    )


class SeverityLevel(Model):
    """A level of severity, from the most severe down."""

    id: Id = Field(description="Short id, such as `critical`.")
    name: Name = Field(description="Name shown in the handbook.")
    description: Text | None = Field(None, description="What makes a crisis this severe.")
    triggers: list[Text] = Field(
        default_factory=list, description="Signs that put a crisis at this level."
    )
    first_response: DurationField = Field(description="Time allowed for the first public response.")
    public_updates: DurationField = Field(description="Interval between public updates.")
    internal_updates: DurationField | None = Field(
        None, description="Interval between internal updates. Default: the public interval."
    )
    team_meets: DurationField | None = Field(
        None, description="Interval between crisis team meetings. Default: the internal interval."
    )
    activate: list[MemberId] = Field(
        default_factory=list, description="Team member ids called in at this level."
    )
    review_within: DurationField | None = Field(
        None,
        description="The post-crisis review is held within this time of closing a crisis at this level. Default: 7, 14, 30 and 60 days from the most to the least severe level, never later than recovery.review_within.",
    )


class Watch(Model):
    """Who watches the channels, and when."""

    who: MemberId = Field(description="Team member id.")
    when: Name = Field(description="When, such as 'weekdays 08:00-20:00' or 'weekends'.")


class Monitoring(Model):
    """How the company watches for a crisis."""

    tools: list[Name] = Field(default_factory=list, description="Listening and analytics tools.")
    keywords: list[Name] = Field(
        default_factory=list,
        description="Keywords, hashtags and handles watched. Default: the company's name.",
    )
    owner: MemberId | None = Field(
        None,
        description="Team member id who owns monitoring. Default: `social-lead` when the team has it, else the crisis lead.",
    )
    check_every: DurationField | None = Field(
        None, description="How often mentions are checked, such as `2h`."
    )
    alert_when: list[Text] = Field(
        default_factory=list, description="Thresholds that raise the alarm."
    )
    misspellings: list[Name] = Field(
        default_factory=list, description="Misspellings and nicknames of the company people use."
    )
    hashtags: list[Name] = Field(default_factory=list, description="Hashtags watched.")
    rota: list[Watch] = Field(
        default_factory=list,
        description="Who watches when, out of hours included.",
    )


class QA(Model):
    """A hard question and its prepared answer."""

    question: Text = Field(description="The question, as it will be asked.")
    answer: LongText = Field(description="The answer, or its outline.")


class Notice(Model):
    """Someone to notify about a threat, and by when."""

    who: Name = Field(description="Who is notified, such as 'BPOM'.")
    within: Name = Field(description="By when, such as 'within 24 hours'.")
    why: Text | None = Field(None, description="The rule or the reason.")


class Threat(Model):
    """A threat in the register, with its response script."""

    id: ThreatId = Field(
        description="Short id, such as `food-safety`; not one of the site's own names (index, 404, search, assets, sitemap)."
    )
    title: Name = Field(description="What happens, in one line.")
    origin: Literal["internal", "external"] = Field(
        "external", description="`internal` (starts inside the company) or `external`."
    )
    category: Name | None = Field(
        None,
        description="Category, such as customer complaint, world events, employee dissatisfaction, product. Default: 'other' in the handbook's language.",
    )
    description: LongText | None = Field(None, description="A short scenario.")
    likelihood: Score = Field(description="Likelihood from 1 (rare) to 5 (almost certain).")
    impact: Score = Field(description="Impact from 1 (minor) to 5 (severe).")
    severity: LevelId | None = Field(
        None,
        description="Severity level id. Default: from the impact (5: the most severe level, 4 the next, 3 the next, 1-2 the least severe).",
    )
    owner: MemberId | None = Field(
        None, description="Team member id who owns this threat. Default: the crisis lead."
    )
    warning_signs: list[Text] = Field(
        default_factory=list, description="Early signs this threat is happening."
    )
    prevention: list[Text] = Field(
        default_factory=list, description="What lowers the likelihood or the impact."
    )
    audiences: list[AudienceId] = Field(
        default_factory=list,
        description="Audience ids to inform, in any order (sorted by priority). Default: the audiences the threat's kind concerns (a rival's joke: customers, staff and media; a data breach: regulators and investors too), and every audience whose kind is not known.",
    )
    facts_to_confirm: list[Text] = Field(
        default_factory=list, description="Facts to establish before posting."
    )
    holding_statement: LongText | None = Field(
        None,
        description="First public message. `{placeholders}` become blanks; `{next_update}` is filled from the severity's cadence. Default: a standard holding statement.",
    )
    messages: dict[ChannelId, LongText] = Field(
        default_factory=dict, description="Versions of the message per channel id."
    )
    actions: list[Text] = Field(default_factory=list, description="What the team does.")
    kind: Kind | None = Field(
        None,
        description="Which of the playbook's kinds this threat is, for its built-in content (complaint, product-safety, data-breach, outage, employee, executive, misinformation, brand-mistake, disaster, campaign, legal, other). Default: from its category and title.",
    )
    questions: list[QA] = Field(
        default_factory=list,
        description="Hard questions with prepared answers. Default: the kind's built-in ones.",
    )
    key_messages: list[Text] = Field(
        default_factory=list,
        description="Up to three key messages. Default: the kind's built-in ones.",
    )
    notify: list[Notice] = Field(
        default_factory=list,
        description="Who to notify and by when. Default: the kind's built-in list.",
    )
    spokesperson: MemberId | None = Field(
        None, description="Team member id who speaks for the company. Default: by kind."
    )
    staff_lines: list[Text] = Field(
        default_factory=list,
        description="What front-line staff may say to customers. Default: the kind's built-in lines.",
    )
    review: Date | None = Field(
        None,
        description="When this threat is next reviewed (YYYY-MM-DD). Default: the handbook's next review.",
    )


class Recovery(Model):
    """Returning to normal and learning the lessons."""

    review_within: DurationField | None = Field(
        None, description="Post-crisis review held within this time, such as `14d`."
    )
    review_owner: MemberId | None = Field(
        None, description="Team member id who runs the review. Default: the crisis lead."
    )
    listen_for: DurationField | None = Field(
        None, description="Length of the listening period after the crisis."
    )
    back_to_normal_when: list[Text] = Field(
        default_factory=list, description="Criteria for returning to normal communication."
    )
    share_lessons_with: list[AudienceId] = Field(
        default_factory=list, description="Audience ids the lessons are shared with."
    )


class Contact(Model):
    """A contact outside the crisis team."""

    kind: Literal[
        "agency",
        "platforms",
        "regulators",
        "counsel",
        "insurer",
        "suppliers",
        "media_list",
        "police",
        "other",
    ] = Field("other", description="What kind of contact it is.")
    name: Name = Field(description="The person's or the desk's name.")
    organisation: Name | None = Field(None, description="Their organisation.")
    phone: Phone | None = Field(None, description="Phone number.")
    out_of_hours: Phone | None = Field(None, description="Phone number out of office hours.")
    email: Email | None = Field(None, description="E-mail address.")
    personal: Flag = Field(
        True,
        description="`false` for numbers that are not a person's (a switchboard, a hotline, a regulator's line): only those are shown in the public edition.",
    )
    note: Text | None = Field(None, description="When to call them, or what for.")


def first_screen_lines(contacts: list[Contact]) -> list[Contact]:
    """The outside numbers the first screen offers besides company.hotline: the agency's crisis
    desk (else other non-personal lines), never a regulator's or an insurer's line, which are
    on the contact sheet."""
    lines = [c for c in contacts if not c.personal and c.phone]
    return [c for c in lines if c.kind == "agency"] or [c for c in lines if c.kind == "other"]


class Staffing(Model):
    """Staffing a crisis that runs for days."""

    shifts: Name | None = Field(
        None, description="How shifts are organised, such as 'two 12-hour shifts, 08:00 and 20:00'."
    )
    surge: Text | None = Field(
        None,
        description="Who adds people when the team is stretched, such as the agency's crisis desk.",
    )


class Questionnaire(Model):
    """A company's crisis handbook questionnaire."""

    model_config = ConfigDict(extra="forbid", title="crisisplan questionnaire")

    handbook: Handbook = Field(default_factory=Handbook, description="About the handbook document.")
    company: Company = Field(description="The client. Only `company.name` is required.")
    brand: Brand = Field(default_factory=Brand, description="Logo, colours and voice.")
    audiences: list[Audience] | None = Field(
        None, min_length=1, description="Audiences to keep informed."
    )
    channels: list[Channel] = Field(
        default_factory=list, description="Channels the company speaks through."
    )
    team: list[Member] | None = Field(
        None,
        min_length=1,
        description="The crisis team; left out, the standard roles, to be named.",
    )
    approvals: Approvals | None = Field(
        None,
        description="Sign-off rules; left out, approvers not in the team are replaced by the crisis lead.",
    )
    severity_levels: list[SeverityLevel] | None = Field(
        None,
        min_length=1,
        description="Severity levels, most severe first.",
    )
    monitoring: Monitoring = Field(default_factory=Monitoring, description="The monitoring plan.")
    threats: list[Threat] | None = Field(
        None, min_length=1, description="The threat register; left out, a starter catalogue."
    )
    recovery: Recovery = Field(
        default_factory=Recovery, description="Recovery and lessons learned."
    )
    contacts: list[Contact] = Field(
        default_factory=list,
        description="People and organisations outside the crisis team: agency, platforms, regulators, counsel, insurer, suppliers, media list, police.",
    )
    staffing: Staffing = Field(
        default_factory=Staffing, description="How the team is staffed when a crisis runs for days."
    )


def channels_for(
    audiences: list[Audience], informed: Iterable[str], channels: list[Channel], own: Iterable[str]
) -> list[str]:
    """The public channels a threat's message goes out on, in the audiences' priority order.

    They are the channels of the audiences the threat informs (the ids ``informed``), plus any
    channel it has its own message for (``own``). When no audience names a channel (as with
    the default audiences), every public channel is used.
    """
    public = {c.id for c in channels if not c.internal}
    if not any(a.channels for a in audiences):
        used = [c.id for c in channels if c.id in public]
    else:
        ids = set(informed)
        reach = sorted((a for a in audiences if a.id in ids), key=lambda a: a.priority)
        used = [cid for a in reach for cid in a.channels if cid in public]
    known = {c.id for c in channels}
    return list(dict.fromkeys(used + [cid for cid in own if cid in known]))


# -- reading the schema's annotations (the checks, the docs and the tests share these) --------


def optional(tp: Any) -> Any:
    """``X | None`` -> ``X``."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return tp


def bare(tp: Any) -> Any:
    """``tp`` without ``| None`` and ``Annotated[...]`` around it."""
    while True:
        tp = optional(tp)
        if typing.get_origin(tp) is not Annotated:
            return tp
        tp = typing.get_args(tp)[0]


def is_type(tp: Any, known: Any) -> bool:
    """Whether ``tp`` is ``known``, or ``known`` with more checks added (``ThreatId`` is an id)."""
    if tp == known:
        return True
    if typing.get_origin(tp) is Annotated and typing.get_origin(known) is Annotated:
        meta, base = tp.__metadata__, known.__metadata__
        return bool(
            typing.get_args(tp)[0] == typing.get_args(known)[0] and meta[: len(base)] == base
        )
    return False


def section_model(tp: Any) -> type[BaseModel] | None:
    """The section model inside ``tp`` (``Brand``, ``list[Audience] | None``), if any."""
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return tp
    for arg in typing.get_args(tp):
        found = section_model(arg)
        if found is not None:
            return found
    return None


def ref_of(tp: Any) -> Ref | None:
    """The :class:`Ref` an id type carries, if any."""
    while True:
        tp = optional(tp)
        if typing.get_origin(tp) is not Annotated:
            return None
        found = next((m for m in tp.__metadata__ if isinstance(m, Ref)), None)
        if found is not None:
            return found
        tp = typing.get_args(tp)[0]


def is_one_line(tp: Any) -> bool:
    """Whether ``tp`` is a text of one line (it carries :class:`~crisisplan.types.OneLine`)."""
    tp = optional(tp)
    return typing.get_origin(tp) is Annotated and any(
        isinstance(m, OneLine) for m in tp.__metadata__
    )


Path_ = tuple[str | int, ...]


def references(
    data: Any, model: type[BaseModel] | None = None, path: Path_ = ()
) -> Iterator[tuple[Path_, Any, Ref, bool]]:
    """Every id in raw questionnaire ``data`` that names an item of another section.

    Yields ``(path, value, ref, is_key)``; ``is_key`` for a mapping's key (``messages``). Only
    the shapes the schema expects are looked into: what does not fit is the schema's to report.
    """
    model = model or Questionnaire
    if not isinstance(data, dict):
        return
    for name, info in model.model_fields.items():
        if name in data:
            yield from _references(info.rebuild_annotation(), data[name], (*path, name))


def _references(tp: Any, value: Any, path: Path_) -> Iterator[tuple[Path_, Any, Ref, bool]]:
    ref = ref_of(tp)
    if ref is not None:
        yield path, value, ref, False
        return
    tp = bare(tp)
    origin = typing.get_origin(tp)
    if origin is list and isinstance(value, list):
        for i, item in enumerate(value):
            yield from _references(typing.get_args(tp)[0], item, (*path, i))
    elif origin is dict and isinstance(value, dict):
        key_type, value_type = typing.get_args(tp)
        key_ref = ref_of(key_type)
        for key, item in value.items():
            if key_ref is not None:
                yield (*path, key), key, key_ref, True
            yield from _references(value_type, item, (*path, key))
    elif isinstance(tp, type) and issubclass(tp, BaseModel):
        yield from references(value, tp, path)


#: Value types whose schema is written once under ``$defs`` and referred to.
SHARED_TYPES = {
    "Name": Name,
    "Text": Text,
    "LongText": LongText,
    "Duration": DurationField,
    "Url": Url,
}


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the questionnaire, for editors and the docs."""
    schema = Questionnaire.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    shared = {name: TypeAdapter(tp).json_schema() for name, tp in SHARED_TYPES.items()}

    def hoist(node: Any) -> Any:
        if isinstance(node, dict):
            for name, value in shared.items():  # the field's own title and description stay
                if value.items() <= node.items():
                    rest = {k: v for k, v in node.items() if k not in value}
                    return {"$ref": f"#/$defs/{name}", **rest}
            return {key: hoist(value) for key, value in node.items()}
        if isinstance(node, list):
            return [hoist(value) for value in node]
        return node

    hoisted: dict[str, Any] = hoist(schema)
    hoisted["$defs"].update(shared)
    return hoisted


def json_schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
