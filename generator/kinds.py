"""The fixed vocabularies the questionnaire and the built-in playbook share: kinds of threat,
team roles, kinds of audience and of channel."""

from __future__ import annotations

from typing import Literal

#: The kinds of threat the playbook covers, in the order the handbook lists them.
KINDS = (
    "complaint",
    "product-safety",
    "data-breach",
    "outage",
    "employee",
    "executive",
    "misinformation",
    "brand-mistake",
    "disaster",
    "campaign",
    "legal",
    "other",
)
Kind = Literal[KINDS]  # type: ignore[valid-type]
#: Who may own an action or speak: matched to a client's team by id first, role words second.
ROLES = (
    "crisis-lead",
    "spokesperson",
    "social-lead",
    "care-lead",
    "legal",
    "operations",
    "people",
    "security",
    "executive",
)
Role = Literal[ROLES]  # type: ignore[valid-type]
AUDIENCE_KINDS = (
    "customers",
    "employees",
    "partners",
    "media",
    "regulators",
    "investors",
    "community",
)
AudienceKind = Literal[AUDIENCE_KINDS]  # type: ignore[valid-type]
CHANNEL_KINDS = (
    "tiktok",
    "instagram",
    "x",
    "facebook",
    "linkedin",
    "youtube",
    "threads",
    "whatsapp",
    "email",
    "push",
    "sms",
    "website",
    "letter",
    "chat",
    "other",
)
ChannelKind = Literal[CHANNEL_KINDS]  # type: ignore[valid-type]
Tone = Literal["grave", "firm", "light"]

#: Whom a threat of each kind informs when the questionnaire names no audiences for it (an
#: audience whose kind is not known is always informed). A rival's joke is not news for
#: regulators or investors; a data breach is.
INFORM: dict[str, tuple[str, ...]] = {
    "complaint": ("customers", "employees", "partners", "media"),
    "product-safety": AUDIENCE_KINDS,
    "data-breach": ("customers", "employees", "partners", "media", "regulators", "investors"),
    "outage": ("customers", "employees", "partners", "media", "regulators"),
    "employee": ("employees", "customers", "partners", "media"),
    "executive": ("employees", "customers", "partners", "media", "investors"),
    "misinformation": ("customers", "employees", "partners", "media"),
    "brand-mistake": ("customers", "employees", "partners", "media"),
    "disaster": ("customers", "employees", "partners", "media", "community"),
    "campaign": ("customers", "employees", "media"),
    "legal": ("customers", "employees", "partners", "media", "regulators", "investors"),
    "other": AUDIENCE_KINDS,
}
#: Channels that interrupt people (an app notification, a text message): used for the kinds
#: of threat where people must act now, and otherwise only with the threat's own message.
ALERT_CHANNELS = ("push", "sms")
ALERT_KINDS = ("product-safety", "data-breach", "outage", "disaster")
