"""Fuzzing the questionnaire model: random valid questionnaires build, random text stays text."""

from __future__ import annotations

import html
import re
import string
import tempfile
from pathlib import Path

import tinyhtml5
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crisisplan.build import Options, build_handbook, prepare
from crisisplan.pdf import sections
from crisisplan.text import PLACEHOLDER

# Printable text with the characters that mean something to Markdown, HTML and Jinja.
ALPHABET = string.ascii_letters + string.digits + " <>&\"'`*_[](){}#!|~=:-+.\\/@%;$^" + "éçİ☕"
TEXT = st.text(ALPHABET, min_size=1, max_size=40).filter(
    lambda s: s.strip() and not s.startswith(" ")
)
IDS = st.from_regex(r"[a-z][a-z0-9]{0,8}", fullmatch=True)
DURATIONS = st.sampled_from(["15m", "30m", "1h", "2h", "4h", "1d", "3d", "2w"])


@st.composite
def questionnaires(draw) -> dict:
    """A random valid questionnaire: random text everywhere, references that resolve."""
    team_ids = draw(st.lists(IDS, min_size=1, max_size=3, unique=True))
    channel_ids = draw(st.lists(IDS, min_size=0, max_size=3, unique=True))
    audience_ids = draw(st.lists(IDS, min_size=1, max_size=3, unique=True))
    level_ids = draw(st.lists(IDS, min_size=1, max_size=3, unique=True))
    return {
        "handbook": {
            "edition": draw(st.sampled_from(["internal", "public"])),
            "version": draw(TEXT),
            "effective": "2026-12-01",
            "prepared_by": draw(TEXT),
        },
        "company": {
            "name": draw(TEXT),
            "summary": draw(TEXT),
            "values": draw(st.lists(TEXT, max_size=2)),
        },
        "brand": {
            "voice": {
                "tone": draw(TEXT),
                "do": draw(st.lists(TEXT, max_size=2)),
                "avoid": draw(st.lists(TEXT, max_size=2)),
            }
        },
        "team": [
            {
                "id": t,
                "role": draw(TEXT),
                "name": draw(TEXT),
                "duties": draw(st.lists(TEXT, max_size=2)),
                "phone": "+62 812 0000 000" + str(i),
            }
            for i, t in enumerate(team_ids)
        ],
        "channels": [
            {
                "id": c,
                "name": draw(TEXT),
                "handle": draw(TEXT),
                "owner": team_ids[0],
                "max_length": draw(st.integers(10, 3000)),
            }
            for c in channel_ids
        ],
        "audiences": [
            {
                "id": a,
                "name": draw(TEXT),
                "concerns": draw(TEXT),
                "priority": draw(st.integers(1, 5)),
                "channels": channel_ids[:1],
            }
            for a in audience_ids
        ],
        "severity_levels": [
            {
                "id": lv,
                "name": draw(TEXT),
                "description": draw(TEXT),
                "triggers": draw(st.lists(TEXT, max_size=2)),
                "first_response": draw(DURATIONS),
                "public_updates": draw(DURATIONS),
                "activate": team_ids[:1],
            }
            for lv in level_ids
        ],
        "monitoring": {
            "keywords": draw(st.lists(TEXT, min_size=1, max_size=3)),
            "alert_when": draw(st.lists(TEXT, max_size=2)),
        },
        "threats": [
            {
                "id": f"t{i}",
                "title": draw(TEXT),
                "category": draw(TEXT),
                "description": draw(TEXT),
                "likelihood": draw(st.integers(1, 5)),
                "impact": draw(st.integers(1, 5)),
                "severity": draw(st.sampled_from(level_ids)),
                "owner": draw(st.sampled_from(team_ids)),
                "holding_statement": draw(TEXT),
                "actions": draw(st.lists(TEXT, max_size=2)),
                "messages": {c: draw(TEXT) for c in channel_ids[:1]},
            }
            for i in range(draw(st.integers(1, 3)))
        ],
        "recovery": {"back_to_normal_when": draw(st.lists(TEXT, min_size=1, max_size=2))},
    }


# Fields that hold ids, dates, numbers and choices rather than free text.
NOT_TEXT = {
    "id",
    "edition",
    "effective",
    "phone",
    "first_response",
    "public_updates",
    "severity",
    "owner",
    "activate",
    "channels",
}


def free_text(data, key: str = "") -> list[str]:
    """Every free-text value of a questionnaire (placeholders in messages become blanks)."""
    if isinstance(data, dict):
        inner = (
            (lambda k: key) if key == "messages" else (lambda k: k)
        )  # message keys are channel ids
        return [s for k, v in data.items() if k not in NOT_TEXT for s in free_text(v, inner(k))]
    if isinstance(data, list):
        return [s for v in data for s in free_text(v, key)]
    if not isinstance(data, str) or (
        key in ("holding_statement", "messages") and PLACEHOLDER.search(data)
    ):
        return []
    return [data]


def write(data: dict) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="fuzz-"))
    path = folder / "questionnaire.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def live_elements(markup: str) -> list[str]:
    document = tinyhtml5.parse(f"<div>{markup}</div>")
    found = []
    for el in document.iter():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag in ("script", "iframe", "img", "style", "object", "embed", "form", "base", "meta"):
            found.append(tag)
        for name, value in el.attrib.items():
            if name.lower().startswith("on") or (
                name in ("href", "src")
                and re.match(r"\s*(javascript|data|file|vbscript):", value, re.I)
            ):
                found.append(f"{tag}[{name}={value}]")
    return found


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(questionnaires())
def test_random_text_stays_inert_and_literal(data):
    pages = prepare(write(data))[2]
    rendered = sections(pages)
    body = "".join(str(s["html"]) for s in rendered)
    assert live_elements(body) == []
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())
    squashed = text.replace(" ", "")
    for value in free_text(data):
        assert value.replace(" ", "") in squashed, value


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(questionnaires())
def test_random_questionnaires_build_a_site(data):
    path = write(data)
    result = build_handbook(path, path.parent / "out", Options(pdf=False))
    assert (result.output / "index.html").is_file()
    for page in result.output.rglob("*.html"):
        document = page.read_text(encoding="utf-8")
        article = document.split('class="md-content__inner', 1)[-1].split("</article>", 1)[0]
        assert live_elements(article) == [], page
