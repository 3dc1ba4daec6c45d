"""The questionnaire as a closed pydantic model: every field typed and described.

Sections left out are ``None`` here and filled from the language's built-in defaults by
:mod:`crisisplan.defaults`; the descriptions are also the questionnaire reference in the docs.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .choices import LANGUAGES
from .types import Color, Count, Date, DurationField, Email, Id, Phone, Score, Text, Url

Language = Literal[LANGUAGES]  # type: ignore[valid-type]


class Model(BaseModel):
    """Base of every questionnaire section: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=False, validate_default=False)


class Handbook(Model):
    """About the handbook document itself."""

    language: Language = Field(
        "en",
        description="Language of the handbook: a folder of content/, such as `en` (English) or `id` (Bahasa Indonesia).",
    )
    title: Text | None = Field(
        None,
        description="Title on the cover and in the header. Default: 'Social media crisis handbook' in the handbook's language.",
    )
    version: Text = Field(
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
    prepared_by: Text | None = Field(
        None, description="Who prepared the handbook, usually the agency. Becomes the PDF's author."
    )
    review_every: DurationField | None = Field(
        None,
        description="How often the handbook is reviewed, such as `6 months`. Default: 6 months.",
    )


class Company(Model):
    """The client the handbook is for."""

    name: Text = Field(description="The company's usual name, as customers know it. Required.")
    legal_name: Text | None = Field(None, description="Registered legal name.")
    industry: Text | None = Field(None, description="Industry or line of business.")
    headquarters: Text | None = Field(None, description="City and country of the head office.")
    website: Url | None = Field(None, description="Public website (http or https).")
    summary: Text | None = Field(
        None, description="A few sentences about the company, its customers and its channels."
    )
    values: list[Text] = Field(
        default_factory=list, description="Company values the crisis voice must stay true to."
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

    logo: Text | None = Field(
        None,
        description="Logo file (SVG or PNG), relative to the questionnaire's folder and inside it.",
    )
    favicon: Text | None = Field(
        None,
        description="Favicon file (SVG, PNG or ICO), relative to the questionnaire's folder. Default: the logo.",
    )
    colors: Colors = Field(default_factory=Colors, description="Brand colours.")
    voice: Voice | None = Field(
        None, description="Voice guide. Default: a calm, human crisis voice."
    )


class Audience(Model):
    """A group of people the company must keep informed."""

    id: Id = Field(description="Short id used to refer to this audience, such as `customers`.")
    name: Text = Field(description="Name of the audience.")
    priority: Score = Field(3, description="Priority from 1 (inform first) to 5 (inform last).")
    concerns: Text | None = Field(None, description="What this audience worries about in a crisis.")
    channels: list[Id] = Field(
        default_factory=list, description="Ids of the channels used to reach this audience."
    )


class Channel(Model):
    """A channel the company speaks through."""

    id: Id = Field(description="Short id used to refer to this channel, such as `instagram`.")
    name: Text = Field(description="Name of the channel.")
    handle: Text | None = Field(
        None, description="Account handle, number or address on this channel."
    )
    followers: Count | None = Field(
        None, description="Audience size (followers, subscribers, members)."
    )
    owner: Id | None = Field(None, description="Team member id who publishes on this channel.")
    max_length: Count | None = Field(
        None, description="Longest message the channel takes, in characters (such as 280)."
    )
    internal: bool = Field(
        False, description="`true` for channels that reach only staff or partners."
    )


class Member(Model):
    """A member of the crisis team."""

    id: Id = Field(description="Short id used to refer to this person, such as `crisis-lead`.")
    role: Text = Field(description="Role in the crisis team, such as 'Crisis lead'.")
    name: Text | None = Field(None, description="Person's name.")
    title: Text | None = Field(None, description="Job title.")
    phone: Phone | None = Field(None, description="Phone number (internal edition only).")
    email: Email | None = Field(None, description="E-mail address (internal edition only).")
    backup: Id | None = Field(
        None, description="Team member id who stands in when this person cannot be reached."
    )
    duties: list[Text] = Field(
        default_factory=list, description="What this person does in a crisis."
    )


class Approvals(Model):
    """Who signs off messages before they go out."""

    holding_statement: list[Id] = Field(
        default_factory=list, description="Team member ids who approve a holding statement."
    )
    full_statement: list[Id] = Field(
        default_factory=list, description="Team member ids who approve a full statement."
    )
    within: DurationField | None = Field(
        None, description="Time limit for an approval, such as `30m`. Default: 30m."
    )


class SeverityLevel(Model):
    """A level of severity, from the most severe down."""

    id: Id = Field(description="Short id, such as `critical`.")
    name: Text = Field(description="Name shown in the handbook.")
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
    activate: list[Id] = Field(
        default_factory=list, description="Team member ids called in at this level."
    )


class Monitoring(Model):
    """How the company watches for a crisis."""

    tools: list[Text] = Field(default_factory=list, description="Listening and analytics tools.")
    keywords: list[Text] = Field(
        default_factory=list, description="Keywords, hashtags and handles watched."
    )
    owner: Id | None = Field(None, description="Team member id who owns monitoring.")
    check_every: DurationField | None = Field(
        None, description="How often mentions are checked, such as `2h`."
    )
    alert_when: list[Text] = Field(
        default_factory=list, description="Thresholds that raise the alarm."
    )


class Threat(Model):
    """A threat in the register, with its response script."""

    id: Id = Field(description="Short id, such as `food-safety`.")
    title: Text = Field(description="What happens, in one line.")
    origin: Literal["internal", "external"] = Field(
        "external", description="`internal` (starts inside the company) or `external`."
    )
    category: Text | None = Field(
        None,
        description="Category, such as customer complaint, world events, employee dissatisfaction, product. Default: 'other' in the handbook's language.",
    )
    description: Text | None = Field(None, description="A short scenario.")
    likelihood: Score = Field(description="Likelihood from 1 (rare) to 5 (almost certain).")
    impact: Score = Field(description="Impact from 1 (minor) to 5 (severe).")
    severity: Id | None = Field(
        None,
        description="Severity level id. Default: from the impact (5: the most severe level, 4 the next, 3 the next, 1-2 the least severe).",
    )
    owner: Id | None = Field(
        None, description="Team member id who owns this threat. Default: the crisis lead."
    )
    warning_signs: list[Text] = Field(
        default_factory=list, description="Early signs this threat is happening."
    )
    prevention: list[Text] = Field(
        default_factory=list, description="What lowers the likelihood or the impact."
    )
    audiences: list[Id] = Field(
        default_factory=list,
        description="Audience ids to inform, in any order (sorted by priority). Default: all public audiences.",
    )
    facts_to_confirm: list[Text] = Field(
        default_factory=list, description="Facts to establish before posting."
    )
    holding_statement: Text | None = Field(
        None,
        description="First public message. `{placeholders}` become blanks; `{next_update}` is filled from the severity's cadence. Default: a standard holding statement.",
    )
    messages: dict[Id, Text] = Field(
        default_factory=dict, description="Versions of the message per channel id."
    )
    actions: list[Text] = Field(default_factory=list, description="What the team does.")


class Recovery(Model):
    """Returning to normal and learning the lessons."""

    review_within: DurationField | None = Field(
        None, description="Post-crisis review held within this time, such as `14d`."
    )
    review_owner: Id | None = Field(None, description="Team member id who runs the review.")
    listen_for: DurationField | None = Field(
        None, description="Length of the listening period after the crisis."
    )
    back_to_normal_when: list[Text] = Field(
        default_factory=list, description="Criteria for returning to normal communication."
    )
    share_lessons_with: list[Id] = Field(
        default_factory=list, description="Audience ids the lessons are shared with."
    )


class Questionnaire(Model):
    """A company's crisis handbook questionnaire."""

    model_config = ConfigDict(extra="forbid", title="crisisplan questionnaire")

    handbook: Handbook = Field(default_factory=Handbook, description="About the handbook document.")
    company: Company = Field(description="The client. Only `company.name` is required.")
    brand: Brand = Field(default_factory=Brand, description="Logo, colours and voice.")
    audiences: list[Audience] | None = Field(
        None, description="Audiences to keep informed. Default: a standard set."
    )
    channels: list[Channel] = Field(
        default_factory=list, description="Channels the company speaks through."
    )
    team: list[Member] | None = Field(
        None, description="The crisis team. Default: the standard roles, to be named."
    )
    approvals: Approvals | None = Field(
        None, description="Sign-off rules. Default: the crisis lead approves holding statements."
    )
    severity_levels: list[SeverityLevel] | None = Field(
        None,
        description="Severity levels, most severe first. Default: critical, high, moderate, low.",
    )
    monitoring: Monitoring = Field(default_factory=Monitoring, description="The monitoring plan.")
    threats: list[Threat] | None = Field(
        None, description="The threat register. Default: a starter catalogue."
    )
    recovery: Recovery = Field(
        default_factory=Recovery, description="Recovery and lessons learned."
    )


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the questionnaire, for editors and the docs."""
    schema = Questionnaire.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def json_schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
