"""The rendered handbook: every fact from the questionnaire is there, escaped, and in order."""

from __future__ import annotations

import html
import os
import re
import textwrap
from pathlib import Path

import pytest
import yaml

from crisisplan import resources
from crisisplan.build import prepare
from crisisplan.errors import TemplateError
from crisisplan.text import PLACEHOLDER

GOLDEN = Path(__file__).parent / "golden" / "kopi-nusantara"


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
    assert re.search(
        r"\*\*Critical\*\* \| \*\*30 minutes\*\* \| every 2 hours \| every 1 hour \| every 1 hour",
        cadence,
    )
    assert re.search(r"\*\*Low\*\* \| \*\*12 hours\*\* \| every 3 days", cadence)
    # The first-24-hours timeline of the critical level starts with the holding statement at +0:30.
    assert "| +0:30 | Holding statement published |" in cadence


def test_threat_register_is_sorted_by_score(reference_pages):
    register = (
        reference_pages["preparation/index.md"].split("## Threat register")[1].split("###")[0]
    )
    scores = [int(s) for s in re.findall(r"\| \*\*(\d+)\*\* \|", register)]
    assert len(scores) == 7
    assert scores == sorted(scores, reverse=True)


def test_next_update_is_prefilled_and_other_placeholders_are_blanks(reference_pages):
    page = reference_pages["response/food-safety.md"]
    assert "within 2 hours" in html.unescape(page)
    assert "{next_update}" not in page
    assert '<mark class="blank" title="Fill in before posting">[outlet]</mark>' in page


def test_channel_lengths_are_counted_and_flagged(reference_pages):
    page = html.unescape(reference_pages["response/food-safety.md"])
    assert "171 of 280" in page  # the X version fits
    assert "Too long for Loyalty app notification: 260 of 180 characters" in page


def test_minimal_questionnaire_gets_the_starter_catalogue(minimal_pages):
    text = plain(minimal_pages)
    for category in (
        "customer complaint",
        "world events",
        "employee dissatisfaction",
        "product issues",
        "misinformation",
        "data and security",
    ):
        assert f"| {category} |" in text or f"**{category}**" in text, category
    assert "Warung Sederhana" in text
    assert len([p for p in minimal_pages if p.startswith("response/")]) == 7


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "questionnaire.yaml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def test_public_edition_has_no_personal_contact_details(tmp_path, example_path):
    data = example_path.read_text(encoding="utf-8").replace("edition: internal", "edition: public")
    (tmp_path / "logo.svg").write_bytes((example_path.parent / "logo.svg").read_bytes())
    path = tmp_path / "q.yaml"
    path.write_text(data, encoding="utf-8")
    text = plain(prepare(path)[2])
    q = yaml.safe_load(data)
    for member in q["team"]:
        assert member["phone"] not in text
        assert member["email"] not in text
        assert member["role"] in text
    assert not re.search(r"[\w.]+@[\w-]+\.\w", text)
    assert "tel:" not in "\n".join(prepare(path)[2].values())


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


def test_golden_markdown(reference_pages):
    """The reference handbook's Markdown, reviewed by hand. Set CRISISPLAN_UPDATE_GOLDEN=1 to rewrite."""
    if os.environ.get("CRISISPLAN_UPDATE_GOLDEN"):
        for rel, markdown in reference_pages.items():
            target = GOLDEN / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(markdown, encoding="utf-8")
    expected = {
        str(p.relative_to(GOLDEN)): p.read_text(encoding="utf-8") for p in GOLDEN.rglob("*.md")
    }
    assert sorted(expected) == sorted(reference_pages)
    for rel, markdown in reference_pages.items():
        assert markdown == expected[rel], f"{rel} differs from tests/golden: review and regenerate"


def test_bundled_example_matches_shared():
    shared = (
        Path(__file__).resolve().parents[2]
        / "shared"
        / "examples"
        / "kopi-nusantara"
        / "questionnaire.yaml"
    )
    if not shared.exists():
        pytest.skip("shared/ is not beside the repository")
    assert resources.example().read_bytes() == shared.read_bytes()
