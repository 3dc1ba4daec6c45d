"""Stage 1: a questionnaire validated like a compiler would, with defaults and warnings."""

from __future__ import annotations

import datetime as dt
import filecmp
from collections.abc import Callable
from pathlib import Path

import PIL.Image
import pytest
import yaml

from crisisplan.errors import QuestionnaireError
from crisisplan.questionnaire import Loaded, load_questionnaire
from crisisplan.types import Duration

Check = Callable[[str], list[str]]

# The smallest valid start for questionnaires in these tests: one person, one channel.
BASE = """\
company:
  name: Kopi
team:
  - id: crisis-lead
    role: Crisis lead
channels:
  - id: instagram
    name: Instagram
"""


@pytest.fixture
def check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write_tree: Callable[..., Path]
) -> Check:
    """``check(yaml_text)``: the lines ``load_questionnaire`` reports for ``q.yaml``."""
    monkeypatch.chdir(tmp_path)

    def check(text: str) -> list[str]:
        write_tree(tmp_path, {"q.yaml": text})
        with pytest.raises(QuestionnaireError) as info:
            load_questionnaire("q.yaml")
        return info.value.format_message().splitlines()

    return check


def errors(*lines: str) -> list[str]:
    n = len(lines)
    return [*lines, f"Error: {n} error{'s' if n != 1 else ''} in q.yaml; nothing was written."]


# -- the reference questionnaires --------------------------------------------------------------


def test_kopi_nusantara(shared: Path) -> None:
    loaded = load_questionnaire(
        shared / "kopi-nusantara" / "questionnaire.yaml", today=dt.date(2026, 12, 1)
    )
    q = loaded.questionnaire
    assert q.handbook.version == "2026.2"
    assert q.handbook.effective == dt.date(2026, 12, 1)
    assert q.handbook.review_every == Duration(6, "months")
    assert q.handbook.title == "Social media crisis handbook"  # from the defaults
    assert q.company.name == "Kopi Nusantara"
    assert q.company.website == "https://kopinusantara.example"
    assert q.company.summary is not None
    assert q.company.summary.startswith(
        "Kopi Nusantara runs 140 coffee shops across Java and Bali,"
    )
    assert q.brand.colors.primary == "#5B3A29"
    assert q.brand.logo == "logo.svg"
    assert q.team is not None and q.team[0].phone == "+62 812 1000 2000"
    assert q.team[0].email == "sari.wulandari@kopinusantara.example"
    assert [c.handle for c in q.channels if c.id == "whatsapp"] == ["+62 811 8000 1234"]
    assert [(c.id, c.followers, c.max_length) for c in q.channels[:3]] == [
        ("instagram", 480000, 2200),
        ("tiktok", 350000, 2200),
        ("x", 62000, 280),
    ]
    assert q.approvals is not None and q.approvals.within == Duration(30, "minutes")
    assert q.severity_levels is not None
    assert [s.id for s in q.severity_levels] == ["critical", "high", "moderate", "low"]
    assert q.severity_levels[0].internal_updates == Duration(1, "hours")
    assert q.threats is not None and len(q.threats) == 7
    assert q.threats[0].likelihood == 2 and q.threats[0].impact == 5
    competitor = q.threats[-1]
    assert competitor.id == "competitor-campaign"
    assert (
        competitor.severity == "low"
    )  # impact 2: the least severe level (likelihood sets priority only)
    assert competitor.owner == "crisis-lead"
    assert competitor.audiences == []  # the model informs whom its kind concerns
    assert q.recovery.review_within == Duration(14, "days")
    assert loaded.defaulted == set()
    assert [str(w) for w in loaded.warnings] == [
        f"{loaded.path}:212:34: warning: severity_levels[0].activate[2]: 'legal' is called in at 'critical' but has no backup: add team.backup",
        f"{loaded.path}:212:79: warning: severity_levels[0].activate[6]: 'hr-lead' is called in at 'critical' but has no backup: add team.backup",
        f"{loaded.path}:131:13: warning: team[0].backup: the backup chain crisis-lead → social-lead → care-lead → social-lead goes round without coming back to 'crisis-lead': give one of them a backup outside it",
        f"{loaded.path}:6:3: warning: handbook: handbook.contacts_verified is not set: write the date the contact sheet's numbers were last checked (the handbook prints it)",
        f"{loaded.path}:199:11: warning: approvals.within: approvals may take 30m, as long as the whole first response of 'critical' (30m): shorten approvals.within to leave time to publish",
        f"{loaded.path}:234:9: warning: severity_levels[3].id: severity level 'low' has no triggers: add the measurable signs that put a crisis at it, such as 'more than 30 negative mentions in an hour'",
        f"{loaded.path}:276:24: warning: threats[0].holding_statement: the holding statement does not say where the next update will be: a closing line saying so was added; write {{next_update}} and {{source_of_truth}} in it to place them yourself",
        f"{loaded.path}:303:24: warning: threats[1].holding_statement: the holding statement does not say where the next update will be: a closing line saying so was added; write {{next_update}} and {{source_of_truth}} in it to place them yourself",
        f"{loaded.path}:326:24: warning: threats[2].holding_statement: the holding statement does not say where the next update will be: a closing line saying so was added; write {{next_update}} and {{source_of_truth}} in it to place them yourself",
        f"{loaded.path}:345:24: warning: threats[3].holding_statement: the holding statement does not say when the next update comes: a closing line saying so was added; write {{next_update}} and {{source_of_truth}} in it to place them yourself",
        f"{loaded.path}:366:24: warning: threats[4].holding_statement: the holding statement does not say where the next update will be: a closing line saying so was added; write {{next_update}} and {{source_of_truth}} in it to place them yourself",
        f"{loaded.path}:387:24: warning: threats[5].holding_statement: the holding statement does not say when the next update comes: a closing line saying so was added; write {{next_update}} and {{source_of_truth}} in it to place them yourself",
        f"{loaded.path}:395:5: warning: threats[6]: threat 'competitor-campaign' has no holding_statement: the built-in one for 'competitor or activist campaign' will be used; write one for this client",
    ]


def test_minimal_gets_the_starter_threats_and_the_standard_team(shared: Path) -> None:
    loaded = load_questionnaire(shared / "minimal.yaml")
    q = loaded.questionnaire
    assert q.company.name == "Warung Sederhana"
    assert loaded.defaulted == {
        "brand.voice",
        "audiences",
        "team",
        "approvals",
        "severity_levels",
        "threats",
    }
    assert q.threats is not None
    categories = {t.category for t in q.threats}
    assert {
        "customer complaint",
        "world events",
        "employee dissatisfaction",
        "product issues",
    } <= categories
    assert {"misinformation", "data-leak"} <= {t.id for t in q.threats}
    assert all(t.owner == "crisis-lead" and t.severity for t in q.threats)
    assert q.team is not None and [m.id for m in q.team] == [
        "crisis-lead",
        "spokesperson",
        "social-lead",
        "legal",
    ]
    assert q.severity_levels is not None
    assert q.severity_levels[0].activate == ["crisis-lead", "spokesperson", "social-lead", "legal"]
    assert q.approvals is not None and q.approvals.holding_statement == ["crisis-lead"]
    assert q.monitoring.owner == "social-lead"
    assert q.monitoring.keywords == ["Warung Sederhana"]
    assert q.monitoring.check_every == Duration(4, "hours")
    assert q.recovery.review_owner == "crisis-lead"
    # the one thing only the client can give: whom to call
    assert [(w.path, w.message.split(":")[0]) for w in loaded.warnings] == [
        ("company", "no team is listed")
    ]


#: What the bundled example changes in the shared reference, on purpose: its statements say
#: when and where the next update comes (and the data leak's gives OTP advice), approvals fit
#: the 30-minute first response, and the backup chains come back to the crisis lead. Every
#: other value is the shared one; the bundled example only adds the optional fields.
CHANGED_ON_PURPOSE = {
    "team[0].backup",
    "team[5].backup",
    "approvals.within",
    *(f"threats[{i}].holding_statement" for i in range(6)),
}


def test_bundled_examples_are_the_shared_ones_filled_in(shared: Path, example: Path) -> None:
    bundled = example.parent.parent
    assert example == bundled / "kopi-nusantara" / "questionnaire.yaml"
    for name in ("minimal.yaml", "kopi-nusantara/logo.svg"):
        assert filecmp.cmp(shared / name, bundled / name, shallow=False), name
    ours = yaml.safe_load(example.read_text(encoding="utf-8"))
    theirs = yaml.safe_load((shared / "kopi-nusantara" / "questionnaire.yaml").read_text("utf-8"))
    changed: list[str] = []

    def compare(a: object, b: object, path: str) -> None:
        if isinstance(a, dict) and isinstance(b, dict):
            for key in a:  # every value of the shared file is still there...
                assert key in b, f"{path}.{key}"
                compare(a[key], b[key], f"{path}.{key}".lstrip("."))
        elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            for i, (x, y) in enumerate(zip(a, b, strict=True)):
                compare(x, y, f"{path}[{i}]")
        elif a != b:
            changed.append(path)

    compare(theirs, ours, "")
    assert set(changed) == CHANGED_ON_PURPOSE  # ...unchanged but for these
    assert set(ours) - set(theirs) == {"contacts", "staffing"}  # and it fills in more


def test_bundled_example_loads(example: Path) -> None:
    loaded = load_questionnaire(example, today=dt.date(2026, 12, 1))
    assert loaded.questionnaire.company.name == "Kopi Nusantara"
    assert loaded.folder == example.parent.resolve()


def test_yaml_1_1_surprises_stay_text(tmp_path: Path, write_tree: Callable[..., Path]) -> None:
    write_tree(
        tmp_path,
        {
            "q.yaml": """\
            handbook:
              version: 1.10
            company:
              name: NO
              industry: on
              headquarters: 2026-12-01
              values: [yes, off, 0812345678]
            team:
              - id: crisis-lead
                role: Crisis lead
                phone: 0812345678
            """
        },
    )
    q = load_questionnaire(tmp_path / "q.yaml").questionnaire
    assert q.handbook.version == "1.10"
    assert q.company.name == "NO"
    assert q.company.industry == "on"
    assert q.company.headquarters == "2026-12-01"
    assert q.company.values == ["yes", "off", "0812345678"]
    assert q.team is not None and q.team[0].phone == "0812345678"


# -- one test per kind of error, with the exact line ---------------------------------------------


def test_unknown_key_suggests_the_nearest(check: Check) -> None:
    assert check(BASE.replace("  name: Kopi", "  name: Kopi\n  nmae: Kopi")) == errors(
        "q.yaml:3:3: company.nmae: unknown key 'nmae': did you mean 'name'?",
    )


def test_unknown_section_without_a_near_match(check: Check) -> None:
    """Thirteen sections are too many to list in a line: the reference lists them."""
    assert check(BASE + "budget: 100\n") == errors(
        "q.yaml:9:1: budget: unknown key 'budget': not a section of a questionnaire;"
        " 'crisisplan fields' lists them all",
    )


def test_unknown_key_in_a_list_item(check: Check) -> None:
    assert check(BASE + "    ownr: crisis-lead\n") == errors(
        "q.yaml:9:5: channels[0].ownr: unknown key 'ownr': did you mean 'owner'?",
    )


def test_a_misspelt_required_key_is_one_line(check: Check) -> None:
    """Not a second line saying that the key it was meant to be is missing."""
    text = (
        BASE + "threats:\n  - id: recall\n    title: A recall\n    likelyhood: 3\n    impact: 2\n"
    )
    assert check(text) == errors(
        "q.yaml:12:5: threats[0].likelyhood: unknown key 'likelyhood': did you mean 'likelihood'?",
    )


def test_a_key_far_from_every_field_names_where_the_fields_are(check: Check) -> None:
    text = BASE + "    audience_size: 3\n"
    assert check(text) == errors(
        "q.yaml:9:5: channels[0].audience_size: unknown key 'audience_size': not a field of"
        " channels; 'crisisplan fields' lists them all",
    )


def test_a_few_allowed_keys_are_listed(check: Check) -> None:
    text = BASE + "brand:\n  colors:\n    shade: '#123456'\n"
    assert check(text) == errors(
        "q.yaml:11:5: brand.colors.shade: unknown key 'shade': allowed keys are primary, accent",
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "6 fortnights",
            "'6 fortnights' is not a duration: write a number and a unit, such as 30m, 2h, 3d, "
            "2w or 6 months",
        ),
        (
            "6",
            "'6' is not a duration: write a number and a unit, such as 30m, 2h, 3d, 2w or 6 months",
        ),
        ("0 months", "a duration must be longer than zero"),
    ],
)
def test_wrong_duration(check: Check, value: str, message: str) -> None:
    assert check(f"handbook:\n  review_every: {value}\n" + BASE) == errors(
        f"q.yaml:2:17: handbook.review_every: {message}"
    )


@pytest.mark.parametrize("value", ["6", "0", "2.5", "three"])
def test_score_out_of_range(check: Check, value: str) -> None:
    text = BASE + f"threats:\n  - id: t\n    title: T\n    likelihood: {value}\n    impact: 3\n"
    assert check(text) == errors(
        f"q.yaml:12:17: threats[0].likelihood: '{value}' is not a score: write a whole number "
        "from 1 to 5"
    )


@pytest.mark.parametrize("value", ["red", "'#12345'", "'#GGGGGG'", "5B3A29"])
def test_bad_colour(check: Check, value: str) -> None:
    shown = value.strip("'")
    assert check(BASE + f"brand:\n  colors:\n    primary: {value}\n") == errors(
        f"q.yaml:11:14: brand.colors.primary: {shown!r} is not a colour: write #RRGGBB or #RGB, "
        "such as #5B3A29"
    )


@pytest.mark.parametrize(
    "value",
    [
        "javascript:alert(1)",
        "JavaScript://example.com/%0Aalert(1)",
        "ftp://kopi.example/",
        "https://",
        "kopi.example",
        "data:text/html,hi",
    ],
)
def test_website_must_be_http(check: Check, value: str) -> None:
    text = BASE.replace("  name: Kopi", f"  name: Kopi\n  website: '{value}'")
    assert check(text) == errors(
        f"q.yaml:3:12: company.website: {value!r} is not a web address: write one starting "
        "with https:// or http://"
    )


@pytest.mark.parametrize("value", ["sari", "sari@", "sari@kopi", "sari kopi@kopi.example"])
def test_bad_email(check: Check, value: str) -> None:
    text = BASE.replace("    role: Crisis lead", f"    role: Crisis lead\n    email: {value}")
    assert check(text) == errors(
        f"q.yaml:6:12: team[0].email: {value!r} is not an e-mail address: write name@example.com"
    )


@pytest.mark.parametrize("value", ["call me", "12", "+62 812 abc"])
def test_bad_phone(check: Check, value: str) -> None:
    text = BASE.replace("    role: Crisis lead", f"    role: Crisis lead\n    phone: {value}")
    assert check(text) == errors(
        f"q.yaml:6:12: team[0].phone: {value!r} is not a phone number: write digits, spaces and "
        "an optional leading +, such as +62 812 1000 2000"
    )


@pytest.mark.parametrize("value", ["Instagram", "insta gram", "-x", "a--b", "x" * 65])
def test_bad_id(check: Check, value: str) -> None:
    text = BASE.replace("  - id: instagram", f"  - id: {value}")
    assert check(text) == errors(
        f"q.yaml:7:9: channels[0].id: {value!r} is not an id: use lower-case letters, digits and "
        "hyphens, such as crisis-lead"
    )


@pytest.mark.parametrize(
    ("section", "fields", "line"),
    [
        ("audiences", ["name: A"], 8),
        ("channels", ["name: C"], 8),
        ("team", ["role: R"], 8),
        ("severity_levels", ["name: S", "first_response: 1h", "public_updates: 2h"], 12),
        ("threats", ["title: T", "likelihood: 1", "impact: 1"], 12),
    ],
)
def test_duplicate_id_in_a_list(check: Check, section: str, fields: list[str], line: int) -> None:
    def entry(id_: str) -> str:
        return f"  - id: {id_}\n" + "".join(f"    {field}\n" for field in fields)

    text = f"company:\n  name: Kopi\n{section}:\n" + entry("a") + entry("b") + entry("a")
    assert check(text) == errors(
        f"q.yaml:{line}:9: {section}[2].id: duplicate id 'a': ids must be unique within {section}"
    )


DANGLING = """\
company:
  name: Kopi
audiences:
  - id: customers
    name: Customers
    channels: [instagram, instagam]
channels:
  - id: instagram
    name: Instagram
    owner: nobody
team:
  - id: crisis-lead
    role: Crisis lead
    backup: crisis-leed
approvals:
  holding_statement: [crisis-lead, boss]
  full_statement: [ceo]
severity_levels:
  - id: critical
    name: Critical
    first_response: 1h
    public_updates: 2h
    activate: [crisis-lead, social]
monitoring:
  owner: watcher
threats:
  - id: t
    title: T
    likelihood: 3
    impact: 3
    severity: severe
    owner: lead
    audiences: [customer]
    messages:
      instagram: Hello
      tiktok: Hello
recovery:
  review_owner: crisis
  share_lessons_with: [staff]
"""


def test_every_dangling_reference(check: Check) -> None:
    assert check(DANGLING) == errors(
        "q.yaml:6:27: audiences[0].channels[1]: no channel with id 'instagam': did you mean "
        "'instagram'? known ids are instagram",
        "q.yaml:10:12: channels[0].owner: no team member with id 'nobody': known ids are "
        "crisis-lead",
        "q.yaml:14:13: team[0].backup: no team member with id 'crisis-leed': did you mean "
        "'crisis-lead'? known ids are crisis-lead",
        "q.yaml:16:36: approvals.holding_statement[1]: no team member with id 'boss': known ids "
        "are crisis-lead",
        "q.yaml:17:20: approvals.full_statement[0]: no team member with id 'ceo': known ids are "
        "crisis-lead",
        "q.yaml:23:29: severity_levels[0].activate[1]: no team member with id 'social': known "
        "ids are crisis-lead",
        "q.yaml:25:10: monitoring.owner: no team member with id 'watcher': known ids are "
        "crisis-lead",
        "q.yaml:31:15: threats[0].severity: no severity level with id 'severe': known ids are "
        "critical",
        "q.yaml:32:12: threats[0].owner: no team member with id 'lead': known ids are crisis-lead",
        "q.yaml:33:17: threats[0].audiences[0]: no audience with id 'customer': did you mean "
        "'customers'? known ids are customers",
        "q.yaml:36:7: threats[0].messages.tiktok: no channel with id 'tiktok': known ids are "
        "instagram",
        "q.yaml:38:17: recovery.review_owner: no team member with id 'crisis': did you mean "
        "'crisis-lead'? known ids are crisis-lead",
        "q.yaml:39:24: recovery.share_lessons_with[0]: no audience with id 'staff': known ids "
        "are customers",
    )


def test_references_to_left_out_sections_use_the_defaults(
    tmp_path: Path, write_tree: Callable[..., Path]
) -> None:
    write_tree(
        tmp_path,
        {
            "q.yaml": """\
            company:
              name: Kopi
            threats:
              - id: t
                title: T
                likelihood: 3
                impact: 3
                severity: critical
                owner: spokesperson
                audiences: [partners]
                holding_statement: We are looking into it.
            """
        },
    )
    threat = load_questionnaire(tmp_path / "q.yaml").questionnaire.threats
    assert threat is not None
    assert (threat[0].severity, threat[0].owner, threat[0].audiences) == (
        "critical",
        "spokesperson",
        ["partners"],
    )


def test_reference_to_a_default_that_does_not_exist(check: Check) -> None:
    text = "company:\n  name: Kopi\nmonitoring:\n  owner: ceo\n"
    assert check(text) == errors(
        "q.yaml:4:10: monitoring.owner: no team member with id 'ceo': known ids are crisis-lead, "
        "legal, social-lead, spokesperson"
    )


def test_channel_reference_with_no_channels(check: Check) -> None:
    text = "company:\n  name: Kopi\naudiences:\n  - id: fans\n    name: Fans\n    channels: [x]\n"
    assert check(text) == errors(
        "q.yaml:6:16: audiences[0].channels[0]: no channel with id 'x': no channel is defined"
    )


def test_message_for_a_channel_key_that_is_not_an_id(check: Check) -> None:
    text = BASE + (
        "threats:\n  - id: t\n    title: T\n    likelihood: 3\n    impact: 3\n"
        "    messages:\n      Instagram: Hello\n"
    )
    assert check(text) == errors(
        "q.yaml:15:7: threats[0].messages.Instagram: 'Instagram' is not an id: use lower-case "
        "letters, digits and hyphens, such as crisis-lead",
        "q.yaml:15:7: threats[0].messages.Instagram: no channel with id 'Instagram': did you "
        "mean 'instagram'? known ids are instagram",
    )


def test_a_person_cannot_back_up_themselves(check: Check) -> None:
    text = BASE.replace("    role: Crisis lead", "    role: Crisis lead\n    backup: crisis-lead")
    assert check(text) == errors("q.yaml:6:13: team[0].backup: a person cannot be their own backup")


def test_no_severity_levels(check: Check) -> None:
    assert check(BASE + "severity_levels: []\n") == errors(
        "q.yaml:9:18: severity_levels: at least one severity level is needed: list them, or"
        " leave severity_levels out to use the standard four"
    )


@pytest.mark.parametrize(
    ("section", "what"),
    [
        (
            "threats",
            "at least one threat is needed: list them, or leave threats out to use the"
            " starter catalogue",
        ),
        (
            "audiences",
            "at least one audience is needed: list them, or leave audiences out to use"
            " the standard set",
        ),
    ],
)
def test_an_empty_section_is_refused_rather_than_built_empty(
    check: Check, section: str, what: str
) -> None:
    assert check(BASE + f"{section}: []\n") == errors(
        f"q.yaml:9:{len(section) + 3}: {section}: {what}"
    )


def test_missing_required_fields(check: Check) -> None:
    assert check("handbook:\n  version: '1'\ncompany:\n  legal_name: PT Kopi\n") == errors(
        "q.yaml:4:3: company.name: name is required"
    )
    assert check("handbook:\n  version: '1'\n") == errors(
        "q.yaml:1:1: company: company is required"
    )


@pytest.mark.parametrize(("value", "where"), [("", "2:8"), ("'  '", "2:9")])
def test_blank_text(check: Check, value: str, where: str) -> None:
    assert check(f"company:\n  name: {value}\n") == errors(
        f"q.yaml:{where}: company.name: must not be blank"
    )


def test_list_where_text_belongs(check: Check) -> None:
    assert check("company:\n  name: [Kopi, Nusantara]\n") == errors(
        "q.yaml:2:9: company.name: expected text, not a list or a mapping"
    )


def test_choice_not_allowed(check: Check) -> None:
    assert check("handbook:\n  language: fr\n  edition: secret\n" + BASE) == errors(
        "q.yaml:2:13: handbook.language: 'fr' is not allowed: write one of 'en' or 'id'",
        "q.yaml:3:12: handbook.edition: 'secret' is not allowed: write one of 'internal' or "
        "'public'",
    )


def test_not_true_or_false(check: Check) -> None:
    assert check(BASE + "    internal: maybe\n") == errors(
        "q.yaml:9:15: channels[0].internal: 'maybe' is not true or false: write true or false"
    )


# -- files named by the questionnaire ------------------------------------------------------------


SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><rect width="8" height="8"/></svg>'


def logo_problem(check: Check, logo: str) -> list[str]:
    return check(BASE + f"brand:\n  logo: '{logo}'\n")


def test_logo_missing(check: Check, tmp_path: Path) -> None:
    assert logo_problem(check, "logo.svg") == errors(
        f"q.yaml:10:9: brand.logo: file 'logo.svg' not found in {tmp_path.resolve()}"
    )


@pytest.mark.parametrize("logo", ["/etc/passwd", "C:\\logo.svg", "https://kopi.example/logo.svg"])
def test_logo_absolute_or_url(check: Check, logo: str) -> None:
    assert logo_problem(check, logo) == errors(
        f"q.yaml:10:9: brand.logo: {logo!r} is an absolute path or a URL: name a file inside the "
        "questionnaire's folder"
    )


@pytest.mark.parametrize("logo", ["../secret.svg", "img/../../secret.svg"])
def test_logo_leading_out_of_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write_tree: Callable[..., Path], logo: str
) -> None:
    write_tree(
        tmp_path,
        {
            "secret.svg": "<svg/>",
            "client/img/kopi.svg": "<svg/>",
            "client/q.yaml": BASE + f"brand:\n  logo: {logo}\n",
        },
    )
    monkeypatch.chdir(tmp_path)
    with pytest.raises(QuestionnaireError) as info:
        load_questionnaire("client/q.yaml")
    assert info.value.format_message().splitlines() == [
        f"client/q.yaml:10:9: brand.logo: {logo!r} leads outside the questionnaire's folder: "
        f"keep files inside {(tmp_path / 'client').resolve()}",
        "Error: 1 error in client/q.yaml; nothing was written.",
    ]


def test_logo_symlink_leading_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write_tree: Callable[..., Path]
) -> None:
    write_tree(
        tmp_path,
        {"secret.svg": "<svg/>", "client/q.yaml": BASE + "brand:\n  logo: logo.svg\n"},
    )
    (tmp_path / "client" / "logo.svg").symlink_to(tmp_path / "secret.svg")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(QuestionnaireError) as info:
        load_questionnaire("client/q.yaml")
    assert info.value.format_message().splitlines() == [
        "client/q.yaml:10:9: brand.logo: 'logo.svg' leads outside the questionnaire's folder: "
        f"keep files inside {(tmp_path / 'client').resolve()}",
        "Error: 1 error in client/q.yaml; nothing was written.",
    ]


def test_logo_symlink_inside_the_folder_is_fine(
    tmp_path: Path, write_tree: Callable[..., Path]
) -> None:
    write_tree(tmp_path, {"img/kopi.svg": SVG, "q.yaml": BASE + "brand:\n  logo: logo.svg\n"})
    (tmp_path / "logo.svg").symlink_to(tmp_path / "img" / "kopi.svg")
    assert load_questionnaire(tmp_path / "q.yaml").questionnaire.brand.logo == "logo.svg"


def test_logo_of_an_unsupported_type(check: Check, tmp_path: Path) -> None:
    PIL.Image.new("RGB", (8, 8)).save(tmp_path / "logo.png", format="GIF")
    assert logo_problem(check, "logo.png") == errors(
        "q.yaml:10:9: brand.logo: 'logo.png': the file is GIF: use a PNG, JPEG, WebP or SVG image"
    )


def test_favicon_is_checked_too(check: Check) -> None:
    assert check(BASE + "brand:\n  favicon: ../../etc/passwd\n") == errors(
        "q.yaml:10:12: brand.favicon: '../../etc/passwd' leads outside the questionnaire's "
        f"folder: keep files inside {Path.cwd().resolve()}"
    )


# -- all at once ---------------------------------------------------------------------------------


def test_every_problem_is_reported_in_one_run(check: Check) -> None:
    text = """\
    handbook:
      review_every: soon
    company:
      name: Kopi
      nmae: Kopi
    brand:
      logo: missing.svg
      colors:
        primary: brown
    team:
      - id: crisis-lead
        role: Crisis lead
        backup: ceo
    channels:
      - id: instagram
        name: Instagram
        owner: social-lead
        followers: many
    """
    lines = check(text)
    assert lines == errors(
        "q.yaml:2:17: handbook.review_every: 'soon' is not a duration: write a number and a "
        "unit, such as 30m, 2h, 3d, 2w or 6 months",
        "q.yaml:5:3: company.nmae: unknown key 'nmae': did you mean 'name'?",
        f"q.yaml:7:9: brand.logo: file 'missing.svg' not found in {Path.cwd().resolve()}",
        "q.yaml:9:14: brand.colors.primary: 'brown' is not a colour: write #RRGGBB or #RGB, "
        "such as #5B3A29",
        "q.yaml:13:13: team[0].backup: no team member with id 'ceo': known ids are crisis-lead",
        "q.yaml:17:12: channels[0].owner: no team member with id 'social-lead': did you mean "
        "'crisis-lead'? known ids are crisis-lead",
        "q.yaml:18:16: channels[0].followers: 'many' is not a whole number: write digits, such "
        "as 2200",
    )


# -- warnings ------------------------------------------------------------------------------------


def load(tmp_path: Path, write_tree: Callable[..., Path], text: str, today_: dt.date) -> Loaded:
    write_tree(tmp_path, {"q.yaml": text})
    return load_questionnaire(tmp_path / "q.yaml", today=today_)


WARNED = """\
handbook:
  effective: 2026-01-15
  review_every: 6 months
company:
  name: Kopi
team:
  - id: crisis-lead
    role: Crisis lead
    backup: social-lead
  - id: social-lead
    role: Social media lead
channels:
  - id: x
    name: X
    max_length: 60
severity_levels:
  - id: critical
    name: Critical
    first_response: 30m
    public_updates: 2h
    activate: [crisis-lead, social-lead]
threats:
  - id: outage
    title: The app is down
    likelihood: 3
    impact: 3
    holding_statement: The app is down. We are on it and will update you by {next_update}.
    messages:
      x: The app is down. We are on it and will update you by {next_update}.
  - id: rumour
    title: A rumour spreads
    likelihood: 2
    impact: 2
"""


def test_warnings(tmp_path: Path, write_tree: Callable[..., Path]) -> None:
    loaded = load(tmp_path, write_tree, WARNED, dt.date(2026, 7, 16))
    file = tmp_path / "q.yaml"
    assert [str(w) for w in loaded.warnings] == [
        f"{file}:21:29: warning: severity_levels[0].activate[1]: 'social-lead' is called in at "
        "'critical' but has no backup: add team.backup",
        f"{file}:7:5: warning: team[0]: 'crisis-lead' is on the home page's call list but has no"
        " phone: add team.phone",
        f"{file}:10:5: warning: team[1]: 'social-lead' is on the home page's call list but has no"
        " phone: add team.phone",
        f"{file}:2:14: warning: handbook.effective: the review was due on 2026-07-15: review the "
        "handbook and update effective",
        f"{file}:2:3: warning: handbook: handbook.contacts_verified is not set: write the date the"
        " contact sheet's numbers were last checked (the handbook prints it)",
        f"{file}:17:9: warning: severity_levels[0].id: severity level 'critical' has no triggers:"
        " add the measurable signs that put a crisis at it, such as 'more than 30 negative"
        " mentions in an hour'",
        f"{file}:27:24: warning: threats[0].holding_statement: the holding statement does not say"
        " where the next update will be: a closing line saying so was added; write {next_update}"
        " and {source_of_truth} in it to place them yourself",
        # "by {next_update}" becomes "within 2 hours": 65 characters.
        f"{file}:29:10: warning: threats[0].messages.x: message is 65 characters; X (x) allows 60",
        f"{file}:30:5: warning: threats[1]: threat 'rumour' has no holding_statement: the built-in"
        " one for 'misinformation or hoax' will be used; write one for this client",
    ]
    assert all(w.warning for w in loaded.warnings)


def test_no_warnings_when_all_is_well(tmp_path: Path, write_tree: Callable[..., Path]) -> None:
    text = (
        WARNED.replace("    role: Social media lead", "    role: Social\n    backup: crisis-lead")
        .replace(
            "  effective: 2026-01-15\n",
            "  effective: 2026-01-15\n  contacts_verified: 2026-06-01\n",
        )
        .replace(
            "    role: Crisis lead\n", "    role: Crisis lead\n    phone: '+62 811 1000 2000'\n"
        )
        .replace("    role: Social\n", "    role: Social\n    phone: '+62 811 1000 3000'\n")
        .replace("max_length: 60", "max_length: 65")
        .replace("    public_updates: 2h\n", "    public_updates: 2h\n    triggers: [Illness]\n")
        .replace(
            "update you by {next_update}.\n    messages",
            "update you by {next_update} at {source_of_truth}.\n    messages",
        )
        .replace("    impact: 2\n", "    impact: 2\n    holding_statement: Not true.\n")
    )
    loaded = load(tmp_path, write_tree, text, dt.date(2026, 7, 15))  # due today: not late
    assert [str(w) for w in loaded.warnings] == [
        f"{tmp_path / 'q.yaml'}:39:24: warning: threats[1].holding_statement: the holding"
        " statement does not say when the next update comes: a closing line saying so was added;"
        " write {next_update} and {source_of_truth} in it to place them yourself"
    ]


@pytest.mark.parametrize(
    ("team", "warned"),
    [
        # the reference's chain: the crisis lead's stand-ins only ever call each other
        (
            "a: b\nb: c\nc: b",
            "the backup chain a → b → c → b goes round without coming back to 'a'",
        ),
        ("a: b\nb: c\nc: a", None),  # a ring back to the start
        ("a: b\nb: a", None),  # mutual backups
        # someone whose stand-ins only call each other, as in the reference
        (
            "a: b\nb: a\nc: a",
            "the backup chain c → a → b → a goes round without coming back to 'c'",
        ),
    ],
)
def test_backup_chains_that_never_come_back_are_warned(
    tmp_path: Path, team: str, warned: str | None
) -> None:
    members = "".join(
        f"  - id: {who}\n    role: {who.upper()}\n    backup: {backup}\n"
        for who, backup in (line.split(": ") for line in team.splitlines())
    )
    (tmp_path / "q.yaml").write_text(f"company:\n  name: X\nteam:\n{members}", encoding="utf-8")
    messages = [w.message for w in load_questionnaire(tmp_path / "q.yaml").warnings]
    loops = [m for m in messages if "backup chain" in m]
    assert loops == ([f"{warned}: give one of them a backup outside it"] if warned else [])


def test_readiness_warnings(tmp_path: Path) -> None:
    """Approvals that do not fit a level's first response, an account with one admin, a contact
    sheet not checked for longer than the review interval."""
    (tmp_path / "q.yaml").write_text(
        "handbook:\n  effective: 2026-11-01\n  contacts_verified: 2026-01-10\n"
        "company:\n  name: X\n"
        "team:\n  - id: lead\n    role: Lead\n"
        "channels:\n  - id: ig\n    name: Instagram\n    admins: [lead]\n"
        "approvals:\n  holding_statement: [lead]\n  within: 45m\n"
        "severity_levels:\n  - id: top\n    name: Top\n    triggers: [Harm]\n"
        "    first_response: 1h\n    public_updates: 2h\n"
        "  - id: next\n    name: Next\n    triggers: [Anger]\n"
        "    first_response: 30m\n    public_updates: 4h\n",
        encoding="utf-8",
    )
    warned = {
        w.path: w.message
        for w in load_questionnaire(tmp_path / "q.yaml", today=dt.date(2026, 12, 1)).warnings
    }
    assert warned["approvals.within"] == (
        "approvals may take 45m, as long as the whole first response of 'next' (30m): shorten"
        " approvals.within to leave time to publish"
    )
    assert warned["channels[0].admins"] == (
        "Instagram (ig) has one admin: add a second, so the account survives a lost phone or a"
        " person away"
    )
    assert warned["handbook.contacts_verified"] == (
        "the phone numbers were last checked on 2026-01-10, longer ago than review_every"
        " (6 months): check them and update contacts_verified"
    )


@pytest.mark.parametrize("secret", ["Hunter2!xyz", "password: kopi2026", "S3cr3tP4ss"])
def test_a_password_in_place_of_a_vault_name_is_refused(check: Check, secret: str) -> None:
    [line, _] = check(BASE + f"    credentials: '{secret}'\n")
    assert line.startswith("q.yaml:9:18: channels[0].credentials: this looks like a password")


def test_review_date_counts_from_today_when_there_is_no_effective_date(
    tmp_path: Path, write_tree: Callable[..., Path]
) -> None:
    loaded = load(tmp_path, write_tree, "company:\n  name: Kopi\n", dt.date(2040, 1, 1))
    assert [w.path for w in loaded.warnings] == ["company"]  # no team; the review is not late


@pytest.mark.parametrize(
    ("impact", "level"), [(5, "critical"), (4, "high"), (3, "moderate"), (2, "low"), (1, "low")]
)
def test_default_severity_follows_impact_not_likelihood(
    tmp_path: Path, impact: int, level: str
) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(
        f"company:\n  name: X\nthreats:\n  - id: t\n    title: T\n    likelihood: 1\n    impact: {impact}\n",
        encoding="utf-8",
    )
    assert load_questionnaire(path).questionnaire.threats[0].severity == level


def test_a_statement_too_long_for_a_channel_gets_a_short_version_not_a_warning(
    tmp_path: Path,
) -> None:
    """The channel's copy is derived from the statement (model.py); nothing to warn about."""
    path = tmp_path / "q.yaml"
    path.write_text(
        "company:\n  name: X\n"
        "channels:\n  - id: x\n    name: X\n    max_length: 20\n  - id: ig\n    name: Instagram\n"
        "audiences:\n  - id: public\n    name: Public\n    channels: [x]\n"
        "threats:\n  - id: t\n    title: T\n    likelihood: 3\n    impact: 3\n"
        "    holding_statement: This statement is far longer than twenty characters, by"
        " {next_update} at {source_of_truth}.\n",
        encoding="utf-8",
    )
    messages = [w.message for w in load_questionnaire(path).warnings if w.path != "company"]
    assert messages == [
        "channel 'ig' is in no audience's channels, so no threat uses it: add it to audiences[].channels",
    ]


# -- what validates builds: reserved names, caps, invisible characters --------------------------


@pytest.mark.parametrize("reserved", ["index", "404", "search", "assets", "sitemap"])
def test_a_threat_id_the_site_uses_for_its_own_pages_is_refused(
    check: Check, reserved: str
) -> None:
    text = (
        BASE + f"threats:\n  - id: '{reserved}'\n    title: T\n    likelihood: 3\n    impact: 3\n"
    )
    assert check(text) == errors(
        f"q.yaml:10:9: threats[0].id: '{reserved}' is a name the site uses for its own pages:"
        f" choose another id, such as {reserved}-threat"
    )


@pytest.mark.parametrize(
    ("field", "limit", "kind"),
    [
        ("legal_name: {}", 200, "a name or title"),
        ("summary: {}", 4000, "a statement or description"),
        ("values: [{}]", 1000, "this text"),
    ],
)
def test_texts_have_length_caps(check: Check, field: str, limit: int, kind: str) -> None:
    text = BASE.replace(
        "  name: Kopi\n", "  name: Kopi\n  " + field.format("x" * (limit + 1)) + "\n"
    )
    [line, _] = check(text)
    assert line.endswith(
        f": {limit + 1:,} characters is too long for {kind}: at most {limit:,} are allowed"
    ), line


def test_invisible_and_bidirectional_characters_are_removed_everywhere(tmp_path: Path) -> None:
    name = "Kopi \u202eiponK\u202c\u200b Nusantara\u2066"
    (tmp_path / "q.yaml").write_text(
        f"company:\n  name: '{name}'\nteam:\n  - id: lead\n    role: 'Lead\u2067\u200f'\n",
        encoding="utf-8",
    )
    q = load_questionnaire(tmp_path / "q.yaml").questionnaire
    assert q.company.name == "Kopi iponK Nusantara"
    assert q.team is not None and q.team[0].role == "Lead"


def test_a_web_address_with_invisible_characters_is_refused(check: Check) -> None:
    text = BASE.replace(
        "  name: Kopi\n", "  name: Kopi\n  website: 'https://kopi.example/\u202egpj.exe'\n"
    )
    [line, _] = check(text)
    assert "company.website" in line and "is not a web address" in line


def test_the_starter_and_the_call_list_are_warned(tmp_path: Path) -> None:
    """`crisisplan init` writes examples to overwrite, and the home page's call list needs
    numbers: both are warned, at the value, with the fix."""
    from click.testing import CliRunner

    from crisisplan.cli import cli

    path = tmp_path / "acme.yaml"
    assert CliRunner().invoke(cli, ["init", str(path)]).exit_code == 0
    text = path.read_text(encoding="utf-8")
    # The starter gives each person on the call list a number; without one, it is warned.
    text = text.replace('    phone: "+62 813 0000 0000"\n', "")
    path.write_text(text, encoding="utf-8")
    warned = [str(w) for w in load_questionnaire(path).warnings]
    line = 1 + text[: text.index("Example Company")].count("\n")
    assert (
        f"{path}:{line}:9: warning: company.name: still the starter's example: write the company's name"
        in warned
    )
    assert any("team[0].name: still the starter's example" in w for w in warned)
    assert any(
        "team[0].phone: still the starter's example: write the real number" in w for w in warned
    )
    assert any(
        "team[1]: 'social-lead' is on the home page's call list but has no phone: add team.phone"
        in w
        for w in warned
    )


def test_statements_in_another_language_than_the_handbook_are_warned(
    tmp_path: Path, example: Path
) -> None:
    text = example.read_text(encoding="utf-8").replace("language: en", "language: id", 1)
    (tmp_path / "logo.svg").write_bytes((example.parent / "logo.svg").read_bytes())
    (tmp_path / "q.yaml").write_text(text, encoding="utf-8")
    line = 1 + text[: text.index("language: id")].count("\n")
    warned = [str(w) for w in load_questionnaire(tmp_path / "q.yaml").warnings]
    assert warned == [  # said in the language the texts are written in, its author's
        f"{tmp_path / 'q.yaml'}:{line}:13: peringatan: handbook.language: the questionnaire's"
        " statements and titles read as 'en' but the handbook is 'id': translate them, or set"
        " handbook.language: en"
    ]


def test_a_public_edition_without_a_number_to_call_is_warned(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(
        "handbook:\n  edition: public\ncompany:\n  name: X\n"
        "team:\n  - id: lead\n    role: Lead\n    phone: '+62 811 1000 2000'\n",
        encoding="utf-8",
    )
    [warning] = [w for w in load_questionnaire(path).warnings if w.path == "company"]
    assert (warning.line, warning.col) == (4, 3)
    assert "no company.hotline" in warning.message
    path.write_text(
        path.read_text().replace("  name: X\n", "  name: X\n  hotline: '+62 21 555 0100'\n")
    )
    assert not [w for w in load_questionnaire(path).warnings if w.path == "company"]


def test_the_crisis_lead_found_by_role_owns_what_the_defaults_give(tmp_path: Path) -> None:
    """Defaults and the model find the crisis lead alike: by id, else by the role's words."""
    from crisisplan.model import build_model

    path = tmp_path / "q.yaml"
    path.write_text(
        "company:\n  name: X\n"
        "team:\n  - id: budi\n    role: Social media manager\n"
        "  - id: sari\n    role: Crisis lead\n"
        "threats:\n  - id: t\n    title: A rude reply goes viral\n    likelihood: 3\n    impact: 3\n",
        encoding="utf-8",
    )
    loaded = load_questionnaire(path)
    q = loaded.questionnaire
    assert q.threats[0].owner == "sari"
    assert q.approvals.holding_statement == ["sari"] and q.recovery.review_owner == "sari"
    hb = build_model(loaded)
    assert hb.first_call[0].name is None and hb.first_call[0].role == "Crisis lead"
    assert "(" not in hb.threats[0].kind_label  # no "(other)" category beside the kind
