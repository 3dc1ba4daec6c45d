"""Stage 1: the YAML traps a newcomer falls into (an unquoted #, a ': ' in a text) said in words."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from crisisplan import resources
from crisisplan.errors import QuestionnaireError
from crisisplan.loader import load_yaml
from crisisplan.messages import comment_warnings
from crisisplan.questionnaire import load_questionnaire

# One person and one channel, so no warning but the one a test is about.
BASE = """\
company:
  name: Kopi
team:
  - id: crisis-lead
    role: Crisis lead
    name: Sari
    phone: "+62 811 1234 5678"
    backup: social-lead
  - id: social-lead
    role: Social media lead
    name: Dewi
    phone: "+62 811 8765 4321"
    backup: crisis-lead
handbook:
  contacts_verified: 2026-11-01
channels:
  - id: instagram
    name: Instagram
"""


def write(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "q.yaml"
    path.write_text(BASE + textwrap.dedent(extra), encoding="utf-8")
    return path


def refused(tmp_path: Path, extra: str) -> list[str]:
    """Every line ``load_questionnaire`` reports for BASE + ``extra``, errors and warnings."""
    path = write(tmp_path, extra)
    with pytest.raises(QuestionnaireError) as info:
        load_questionnaire(path)
    return info.value.format_message().replace(str(path), "q.yaml").splitlines()


def warned(tmp_path: Path, extra: str) -> list[str]:
    """The warnings about the YAML itself for a questionnaire that loads."""
    path = write(tmp_path, extra)
    loaded = load_questionnaire(path)
    return [str(w).replace(str(path), "q.yaml") for w in loaded.warnings]


# -- an unquoted # starts a comment -----------------------------------------------------------


def test_a_colour_read_as_a_comment_says_to_quote_it(tmp_path: Path) -> None:
    lines = refused(
        tmp_path,
        """\
        brand:
          colors:
            primary: #8B1E3F
        """,
    )
    assert lines == [
        "q.yaml:21:14: brand.colors.primary: '#8B1E3F' was read as a comment (in YAML an"
        ' unquoted # starts one), so the value is empty: quote it: primary: "#8B1E3F"',
        "Error: 1 error in q.yaml; nothing was written.",
    ]
    assert "None" not in "\n".join(lines)


def test_a_hashtag_alone_in_a_list_says_to_quote_it(tmp_path: Path) -> None:
    assert refused(
        tmp_path,
        """\
        monitoring:
          hashtags:
            - "#KopiNusantara"
            - #KopiKita
        """,
    ) == [
        "q.yaml:22:7: monitoring.hashtags[1]: '#KopiKita' was read as a comment (in YAML an"
        ' unquoted # starts one), so the value is empty: quote it: - "#KopiKita"',
        "Error: 1 error in q.yaml; nothing was written.",
    ]


def test_a_hashtag_after_a_text_is_a_warning_with_the_whole_text_quoted(tmp_path: Path) -> None:
    assert warned(
        tmp_path,
        """\
        monitoring:
          alert_when:
            - Posts with hashtag #boycott
            - A long text
              over two lines #viral now
            - Issue #12 reported
        """,
    ) == [
        "q.yaml:21:26: warning: monitoring.alert_when[0]: '#boycott' was read as a comment (in"
        " YAML a space and # start one), so the text stops before it: quote the whole text:"
        ' - "Posts with hashtag #boycott"',
        "q.yaml:23:22: warning: monitoring.alert_when[1]: '#viral now' was read as a comment (in"
        " YAML a space and # start one), so the text stops before it: quote the whole text:"
        ' - "A long text over two lines #viral now"',
        "q.yaml:24:13: warning: monitoring.alert_when[2]: '#12 reported' was read as a comment"
        " (in YAML a space and # start one), so the text stops before it: quote the whole text:"
        ' - "Issue #12 reported"',
    ]


def test_an_optional_value_emptied_by_a_comment_is_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(BASE.replace("name: Instagram", "name: Instagram\n    handle: #kopi"))
    loaded = load_questionnaire(path)
    assert loaded.questionnaire.channels[0].handle is None
    assert [str(w).replace(str(path), "q.yaml") for w in loaded.warnings] == [
        "q.yaml:19:13: warning: channels[0].handle: '#kopi' was read as a comment (in YAML an"
        ' unquoted # starts one), so the value is empty: quote it: handle: "#kopi"'
    ]


def test_trap_warnings_come_with_the_errors(tmp_path: Path) -> None:
    lines = refused(
        tmp_path,
        """\
        monitoring:
          alert_when:
            - Posts with hashtag #boycott
          check_every: soon
        """,
    )
    assert lines[0].startswith("q.yaml:21:26: warning: monitoring.alert_when[0]: '#boycott'")
    assert lines[1].startswith("q.yaml:22:16: monitoring.check_every: 'soon'")
    assert lines[2] == "Error: 1 error in q.yaml; nothing was written."


def test_real_comments_quoted_texts_and_blocks_do_not_warn(tmp_path: Path) -> None:
    assert (
        warned(
            tmp_path,
            """\
            monitoring:  # who watches
              check_every: 2h   # a real comment
              hashtags:
                - "#KopiNusantara"   #quoted, so whole
                - '#KopiKita'
              alert_when:
                - Twice the usual mentions  # with a space: a comment
                - Price rises by 10% # or more
                - |
                  A block with #hashtag inside
                -  # nothing here
                  Text on the next line
            # a comment line
            #a comment line without a space
            """,
        )
        == []
    )


@pytest.mark.parametrize(
    "name",
    [
        "examples/kopi-nusantara/questionnaire.yaml",
        "examples/minimal.yaml",
        "en/starter.yaml",
        "id/starter.yaml",
        "en/defaults.yaml",
        "id/defaults.yaml",
    ],
)
def test_the_bundled_files_have_no_trap(name: str) -> None:
    assert comment_warnings(load_yaml(resources.content_dir() / name)) == []


def test_the_shared_examples_have_no_trap(shared: Path) -> None:
    for path in sorted(shared.rglob("*.yaml")):
        assert comment_warnings(load_yaml(path)) == [], path


# -- a ': ' inside a text makes a mapping ------------------------------------------------------


def test_a_list_item_with_a_colon_says_it_became_a_key_and_a_value(tmp_path: Path) -> None:
    assert refused(
        tmp_path,
        """\
        threats:
          - id: recall
            title: A batch is recalled
            likelihood: 2
            impact: 5
            actions:
              - Pull the batch: from listings
              - Say "sorry": then act  # a comment after it
              - 'Quoted: fine'
        """,
    ) == [
        "q.yaml:25:9: threats[0].actions[0]: 'Pull the batch: from listings' became a key and a"
        " value: in YAML a ': ' inside a text makes a mapping, not text; quote the text:"
        ' - "Pull the batch: from listings"',
        "q.yaml:26:9: threats[0].actions[1]: 'Say \"sorry\": then act' became a key and a value:"
        " in YAML a ': ' inside a text makes a mapping, not text; quote the text:"
        " - 'Say \"sorry\": then act'",
        "Error: 2 errors in q.yaml; nothing was written.",
    ]


def test_a_text_with_a_colon_under_its_key_says_the_same(tmp_path: Path) -> None:
    lines = refused(
        tmp_path,
        """\
        brand:
          voice:
            tone:
              Calm: never defensive
        """,
    )
    assert lines[0] == (
        "q.yaml:22:7: brand.voice.tone: 'Calm: never defensive' became a key and a value: in"
        " YAML a ': ' inside a text makes a mapping, not text; quote the text:"
        ' tone: "Calm: never defensive"'
    )


def test_a_real_mapping_where_text_belongs_keeps_the_plain_message(tmp_path: Path) -> None:
    lines = refused(
        tmp_path,
        """\
        brand:
          voice:
            do:
              - {first: one}
              - first: one
                second: two
        """,
    )
    assert lines[:2] == [
        "q.yaml:22:9: brand.voice.do[0]: expected text, not a list or a mapping",
        "q.yaml:23:9: brand.voice.do[1]: expected text, not a list or a mapping",
    ]
