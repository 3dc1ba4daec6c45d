"""The rendered handbook: every fact from the questionnaire is there, escaped, and in order."""

from __future__ import annotations

import html
import os
import re
import textwrap
from pathlib import Path

import pytest
import yaml

from crisisplan.build import prepare
from crisisplan.errors import TemplateError
from crisisplan.text import PLACEHOLDER


def plain(pages: dict[str, str]) -> str:
    """All pages as text, with character references decoded and markup tags removed."""
    joined = "\n".join(pages.values())
    return html.unescape(re.sub(r"<[^>]+>", "", joined))


@pytest.fixture(scope="module")
def reference_data(example_path: Path) -> dict:
    return yaml.safe_load(example_path.read_text(encoding="utf-8"))


def test_every_fact_of_the_reference_appears(reference_pages, reference_data):
    text = plain(reference_pages)
    q = reference_data
    for threat in q["threats"]:
        assert threat["title"] in text
        for action in threat.get("actions", []):
            assert action in text
        statement = " ".join(threat.get("holding_statement", "").split())
        for fragment in PLACEHOLDER.split(statement)[::2]:
            fragment = fragment.replace("by ", "").strip(" .")
            if fragment and fragment not in ("next_update",):
                assert fragment.split(" by")[0] in text, fragment
    for member in q["team"]:
        assert member["name"] in text
        assert member["phone"] in text
        assert member["email"] in text
    for keyword in q["monitoring"]["keywords"]:
        assert keyword in text
    for criterion in q["recovery"]["back_to_normal_when"]:
        assert criterion in text
    for level in q["severity_levels"]:
        assert level["name"] in text


def test_cadences_are_written_out(reference_pages):
    cadence = plain({"p": reference_pages["reassurance/index.md"]})
    assert "| **Critical** | **30 minutes** | every 2 hours | hourly | hourly |" in cadence
    assert "| **Moderate** | **4 hours** | daily | daily | daily |" in cadence
    assert "| **Low** | **12 hours** | every 3 days |" in cadence
    # The first-24-hours timeline of the critical level: staff hear first, with the holding
    # statement at +0:30.
    assert "| +0:30 | Staff message sent, then the holding statement published |" in cadence
    # By stage: monitoring halves the rhythm; resolved ends it with the closing statement.
    assert re.search(
        r"\| \*\*Monitoring\*\* \| [^|]+ \| every 4 hours \| every 8 hours \|", cadence
    )
    assert re.search(r"\| \*\*Resolved\*\* \| [^|]+ \| – \| – \| – \| – \|", cadence)


def test_threat_register_lists_the_most_severe_first_then_by_score(reference_pages):
    register = (
        reference_pages["preparation/index.md"].split("## Threat register")[1].split("###")[0]
    )
    rows = re.findall(r"\| \*\*(\d+)\*\* \| (\w+) \|", register)
    levels = ["Critical", "High", "Moderate", "Low"]
    order = [(levels.index(level), -int(score)) for score, level in rows]
    assert len(order) == 7
    assert order == sorted(order)
    assert [level for _, level in rows][:2] == ["Critical", "Critical"]


def test_next_update_is_prefilled_and_other_placeholders_are_blanks(reference_pages):
    page = reference_pages["response/food-safety.md"]
    assert "within 2 hours" in html.unescape(page)
    assert "{next_update}" not in page
    assert '<mark class="blank" title="Fill in before posting">[outlet]</mark>' in page


def test_every_channel_gets_copy_that_fits_and_points_to_the_source_of_truth(reference_pages):
    for name in (p for p in reference_pages if p.startswith("response/") and "index" not in p):
        page = html.unescape(reference_pages[name])
        for length, limit in re.findall(r"\| (\d+) of (\d+) \|", page):
            assert int(length) <= int(limit), (name, length, limit)
    page = html.unescape(reference_pages["response/food-safety.md"])
    # the X message is the agency's own, with the source of truth added; the app gets a short
    # version derived from the statement, which ends with it
    assert "| **X**<br> @kopinusantara | Own version below | 204 of 280 |" in page
    assert (
        "| **Loyalty app notification** | Short version below, derived from the statement |" in page
    )
    app = page.split('data-channel="app"><pre><code>')[1].split("</code>")[0]
    assert re.sub(r"<[^>]+>", "", app).endswith("More: kopinusantara.example/news")


def test_minimal_questionnaire_gets_the_starter_catalogue(minimal_pages):
    text = plain(minimal_pages)
    for kind in (
        "Customer complaint",
        "Product or food safety",
        "Employee post or conduct",
        "Disaster or tragedy",
        "Misinformation or hoax",
        "Data breach",
        "Service outage",
        "Brand mistake",
        "Executive conduct",
        "Competitor or activist campaign",
    ):
        assert f"**{kind}**" in text, kind
    assert "Warung Sederhana" in text
    assert len([p for p in minimal_pages if p.startswith("response/")]) == 11
    # every threat has the playbook's content, even with nothing written for it
    for name in (p for p in minimal_pages if p.startswith("response/") and "index" not in p):
        page = plain({name: minimal_pages[name]})
        for section in (
            "Hard questions",
            "Notify",
            "Spokesperson's brief",
            "What front-line staff",
        ):
            assert section in page, (name, section)


def test_minimal_home_page_has_blanks_to_write_names_and_numbers_in(minimal_pages):
    """A printed handbook without a team still tells the reader whom to call: with blanks
    to write the name and the number in, not a bare role."""
    home = minimal_pages["index.md"]
    call = home.split('<p class="cp-call">', 1)[1].split("</p>", 1)[0]
    assert "[name]</mark>" in call and "[phone]</mark>" in call
    who = home.split("{ #call }", 1)[1].split("##", 1)[0]
    assert who.count("[phone]</mark>") == who.count("\n1. ") >= 3


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "questionnaire.yaml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def test_public_edition_has_no_personal_contact_details(tmp_path, example_path):
    data = example_path.read_text(encoding="utf-8").replace("edition: internal", "edition: public")
    (tmp_path / "logo.svg").write_bytes((example_path.parent / "logo.svg").read_bytes())
    path = tmp_path / "q.yaml"
    path.write_text(data, encoding="utf-8")
    pages = prepare(path)[2]
    text = plain(pages)
    q = yaml.safe_load(data)
    for member in q["team"]:
        assert member["phone"] not in text
        assert member["email"] not in text
        assert member["role"] in text
    for contact in q["contacts"]:
        for field in ("phone", "email", "out_of_hours"):
            if contact.get(field):
                assert (contact[field] in text) == (contact.get("personal") is False), contact
    # what is left are numbers that are no one's: the hotline, the agency desk, the regulator
    assert set(re.findall(r"[\w.]+@[\w-]+\.\w+", text)) == {"crisis@ombak.example"}
    assert "+62 21 5000 1234" in plain({"index": pages["index.md"]})  # on the first screen


def test_questionnaire_text_stays_text(tmp_path):
    hostile = "<script>alert(1)</script> {{ 7*7 }} [x](javascript:alert(1)) | # not a heading"
    path = write(
        tmp_path,
        f"""
        company:
          name: "Acme <b>Corp</b>"
          summary: {hostile!r}
        threats:
          - id: t1
            title: "# Heading | with pipe"
            likelihood: 3
            impact: 3
            holding_statement: "{{% raw %}} {{{{ 7*7 }}}} <img src=x onerror=alert(1)>"
    """,
    )
    pages = prepare(path)[2]
    joined = "\n".join(pages.values())
    assert "<script>" not in joined and "<b>" not in joined and "<img" not in joined
    assert "49" not in plain({"about": pages["about.md"]})
    assert "](javascript:" not in joined
    text = plain(pages)
    assert hostile in text
    assert "# Heading | with pipe" in text


def test_template_error_names_template_and_line(tmp_path, example_path):
    override = tmp_path / "agency" / "content" / "en"
    override.mkdir(parents=True)
    (override / "about.md").write_text("# About\n\n{{ hb.no_such_thing }}\n", encoding="utf-8")
    with pytest.raises(TemplateError) as info:
        prepare(example_path, [tmp_path / "agency"])
    message = info.value.format_message()
    assert re.search(r"about\.md:3:1: .*no_such_thing", message), message


#: The Indonesian public edition of a short questionnaire: built-in content only.
MINIMAL_ID = """\
handbook: {language: id, edition: public}
company: {name: Warung Sederhana, industry: rumah makan, hotline: "+62 21 555 0199"}
"""


@pytest.fixture(scope="module")
def minimal_id_pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    path = tmp_path_factory.mktemp("minimal-id") / "questionnaire.yaml"
    path.write_text(MINIMAL_ID, encoding="utf-8")
    return prepare(path)[2]


def check_golden(name: str, pages: dict[str, str]) -> None:
    """Compare ``pages`` with tests/golden/<name>/, reviewed by hand; with
    CRISISPLAN_UPDATE_GOLDEN=1 set, rewrite them first."""
    golden = Path(__file__).parent / "golden" / name
    if os.environ.get("CRISISPLAN_UPDATE_GOLDEN"):
        for rel, markdown in pages.items():
            target = golden / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(markdown, encoding="utf-8")
    expected = {
        str(p.relative_to(golden)): p.read_text(encoding="utf-8") for p in golden.rglob("*.md")
    }
    assert sorted(expected) == sorted(pages)
    for rel, markdown in pages.items():
        assert markdown == expected[rel], (
            f"{rel} differs from tests/golden/{name}: review and regenerate"
        )


def test_golden_markdown(reference_pages):
    """The reference handbook's Markdown."""
    check_golden("kopi-nusantara", reference_pages)


def test_golden_markdown_indonesian_public(minimal_id_pages):
    """A short Indonesian questionnaire, public edition: the built-in Indonesian content."""
    check_golden("minimal-id-public", minimal_id_pages)


def test_the_shared_reference_builds_a_complete_handbook_unchanged(shared):
    """The reference as agencies write it, with none of the new optional fields."""
    pages = prepare(shared / "kopi-nusantara" / "questionnaire.yaml")[2]
    assert len([p for p in pages if p.startswith("response/")]) == 8
    food = html.unescape(pages["response/food-safety.md"])
    # its statement did not say where updates appear: a closing line says so
    assert "The latest information is always at kopinusantara.example/news." in food
    assert "Closing line added" in food
    assert "**Go public?**" in food and "## 7. Hard questions" in food
    for name in ("about.md", "appendix/index.md", "preparation/exercises.md"):
        assert name in pages


KINDS_BY_AUDIENCE = """\
company: {name: Acme}
audiences:
  - {id: customers, name: Customers, priority: 1, channels: [instagram, app]}
  - {id: staff, name: Staff, priority: 1, kind: employees, channels: [intranet]}
  - {id: press, name: Journalists, priority: 2, channels: [instagram]}
  - {id: regulators, name: Regulators, priority: 2, channels: [letter]}
  - {id: investors, name: Investors, priority: 3, channels: [letter]}
  - {id: friends, name: Friends of the brand, priority: 3, channels: [instagram]}
channels:
  - {id: instagram, name: Instagram}
  - {id: app, name: App notification, kind: push}
  - {id: intranet, name: Intranet, internal: true}
  - {id: letter, name: Letter, internal: true}
threats:
  - {id: joke, title: A rival mocks our prices, kind: campaign, likelihood: 3, impact: 2}
  - {id: leak, title: Member data exposed, kind: data-breach, likelihood: 2, impact: 5}
  - id: rude
    title: A rude reply goes viral
    kind: complaint
    likelihood: 3
    impact: 3
    messages: {app: "We are sorry about the reply our team sent. {source_of_truth}"}
"""


def test_a_threat_without_audiences_informs_whom_its_kind_concerns(tmp_path):
    """A rival's joke is not news for regulators or investors; a data breach is. An audience
    whose kind is not known ('Friends of the brand') is always informed."""
    views = {t.id: t for t in prepare(write(tmp_path, KINDS_BY_AUDIENCE))[1].threats}
    informed = {key: {a.name for a in t.audiences} for key, t in views.items()}
    assert informed["joke"] == {"Customers", "Staff", "Journalists", "Friends of the brand"}
    assert informed["leak"] == informed["joke"] | {"Regulators", "Investors"}


def test_a_notification_is_sent_only_when_people_must_act_or_the_threat_says_so(tmp_path):
    views = {t.id: t for t in prepare(write(tmp_path, KINDS_BY_AUDIENCE))[1].threats}
    channels = {key: [v.channel.id for v in t.versions] for key, t in views.items()}
    assert channels["joke"] == ["instagram"]
    assert channels["leak"] == ["instagram", "app"]
    assert channels["rude"] == ["instagram", "app"]  # its own message for the app
    customers = next(r for r in views["joke"].reach if r.audience.id == "customers")
    assert [c.id for c in customers.channels] == ["instagram"]  # the page says the same


def test_print_refers_back_to_a_section_it_has_printed_word_for_word(tmp_path):
    """Two complaints share the playbook's questions and brief: print gives them once and
    points back; the site keeps both pages whole; short sections are printed again."""
    from crisisplan.pdf.html import print_html

    path = write(
        tmp_path,
        """\
        company: {name: Acme}
        threats:
          - {id: rude, title: A rude reply goes viral, kind: complaint, likelihood: 3, impact: 3}
          - {id: slow, title: Orders arrive late for a week, kind: complaint, likelihood: 4, impact: 3}
        """,
    )
    loaded, hb, pages = prepare(path)
    first, second = (t.id for t in hb.threats)
    document = print_html(hb, pages, folder=loaded.folder)
    start = document.index(f'id="response--{second}"')
    later = document[start:]
    for section in ("questions", "spokesperson", "notify"):
        assert f'Same as for <a href="#response--{first}-{section}">“' in later, section
        assert f'id="response--{first}-{section}"' in document[:start]
    assert later.count('class="cp-same"') == later.count("Same as for")
    for section in ("confirm", "actions"):  # boxes to tick for this threat: printed again
        assert f'href="#response--{first}-{section}"' not in later, section
    assert f'id="response--{second}-approvals"' in later and "Holding statement" in later
    questions = plain({"p": pages[f"response/{second}.md"]}).split("Hard questions", 1)[1]
    assert "**" in questions and "Key messages" in questions  # the site page is whole


@pytest.mark.parametrize(
    ("category", "shown"), [("Er", True), ("product", False), ("Recall", True)]
)
def test_a_threats_own_category_is_shown_unless_its_kind_says_it_in_words(
    tmp_path, category, shown
):
    """Found by the fuzz test: "er" is in "Other threat" as letters, not as a word."""
    path = tmp_path / "q.yaml"
    path.write_text(
        "company:\n  name: Toko\nthreats:\n  - id: t1\n    title: Something\n"
        f"    category: {category}\n    likelihood: 1\n    impact: 1\n",
        encoding="utf-8",
    )
    register = prepare(path)[2]["preparation/index.md"]
    assert (f"&#40;{category}&#41;" in register) == shown


def test_without_a_pinned_date_the_handbook_takes_todays(tmp_path, monkeypatch):
    """The suite pins SOURCE_DATE_EPOCH (conftest); a user's build without it, and without
    handbook.effective, is effective from the day it is built."""
    import datetime as dt

    from crisisplan import clock

    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    before = dt.date.today()
    path = write(tmp_path, "company: {name: Acme}\n")
    about = prepare(path)[2]["about.md"]
    after = dt.date.today()  # the test may run across midnight
    assert clock.today() in (before, after)
    assert any(f"| **Effective** | {d.day} {d:%B %Y} |" in about for d in (before, after)), about
