"""Reading YAML safely: strings stay strings, positions are kept, hostile files are refused."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from crisisplan import loader, resources
from crisisplan.errors import QuestionnaireError
from crisisplan.loader import MAX_BYTES, Document, dotted, load_builtin, load_bytes, load_yaml


def load(text: str) -> Document:
    return load_bytes(textwrap.dedent(text).encode("utf-8"), "q.yaml")


def refused(raw: bytes | str) -> list[str]:
    """The lines the loader prints for ``raw`` (dedented when it is text)."""
    if isinstance(raw, str):
        raw = textwrap.dedent(raw).encode("utf-8")
    with pytest.raises(QuestionnaireError) as info:
        load_bytes(raw, "q.yaml")
    return info.value.format_message().splitlines()


def one_error(line: str) -> list[str]:
    return [line, "Error: 1 error in q.yaml; nothing was written."]


# -- what loads, and how ----------------------------------------------------------------------


def test_every_scalar_stays_the_text_that_was_written() -> None:
    doc = load(
        """\
        company:
          name: NO
          industry: on
          headquarters: 2026-12-01
          summary: 1.10
          values: [yes, 0812345678, 0x1F, 1e3, .inf, 010]
        handbook:
          version: 1.10
        """
    )
    assert doc.data == {
        "company": {
            "name": "NO",
            "industry": "on",
            "headquarters": "2026-12-01",
            "summary": "1.10",
            "values": ["yes", "0812345678", "0x1F", "1e3", ".inf", "010"],
        },
        "handbook": {"version": "1.10"},
    }


def test_null_is_none_but_quoted_null_is_text() -> None:
    doc = load(
        """\
        a:
        b: ~
        c: null
        d: 'null'
        e: ""
        """
    )
    assert doc.data == {"a": None, "b": None, "c": None, "d": "null", "e": ""}


def test_positions_of_values_and_keys_are_kept() -> None:
    doc = load(
        """\
        company:
          name: Kopi
        team:
          - id: crisis-lead
            role:   Crisis lead
        """
    )
    assert doc.values[("company", "name")] == (2, 9)
    assert doc.keys[("company", "name")] == (2, 3)
    assert doc.values[("team", 0)] == (4, 5)
    assert doc.values[("team", 0, "role")] == (5, 13)
    assert doc.keys[("team", 0, "role")] == (5, 5)
    assert doc.where(("team", 0, "role")) == (5, 13)
    assert doc.where(("team", 0, "role"), key=True) == (5, 5)
    # Something never written is placed at its nearest written parent.
    assert doc.where(("team", 0, "phone")) == (4, 5)
    assert doc.where(("recovery", "review_owner")) == (1, 1)


def test_problem_names_the_file_position_and_field() -> None:
    doc = load(
        """\
        team:
          - id: crisis-lead
            backup: ceo
        """
    )
    problem = doc.problem(("team", 0, "backup"), "no team member with id 'ceo'")
    assert str(problem) == "q.yaml:3:13: team[0].backup: no team member with id 'ceo'"
    warning = doc.problem(("team", 0, "backup"), "check this", key=True, warning=True)
    assert str(warning) == "q.yaml:3:5: warning: team[0].backup: check this"


def test_dotted_paths() -> None:
    assert dotted(("threats", 3, "messages", "x")) == "threats[3].messages.x"
    assert dotted(("company",)) == "company"
    assert dotted(()) == ""


def test_byte_order_mark_and_windows_line_ends_are_accepted() -> None:
    doc = load_bytes(b"\xef\xbb\xbfcompany:\r\n  name: Kopi\r\n", "q.yaml")
    assert doc.data == {"company": {"name": "Kopi"}}
    assert doc.values[("company", "name")] == (2, 9)


def test_a_file_exactly_at_the_size_cap_loads() -> None:
    head = b"company:\n  name: Kopi\n#"
    doc = load_bytes(head + b"x" * (MAX_BYTES - len(head)), "q.yaml")
    assert doc.data == {"company": {"name": "Kopi"}}


def test_text_exactly_at_the_length_cap_loads() -> None:
    doc = load_bytes(b"company:\n  summary: " + b"x" * 20_000 + b"\n", "q.yaml")
    assert len(doc.data["company"]["summary"]) == 20_000


def test_twenty_levels_of_nesting_load() -> None:
    doc = load_bytes(b"a: " + b"[" * 20 + b"]" * 20 + b"\n", "q.yaml")
    depth, value = 0, doc.data["a"]
    while value:
        depth, value = depth + 1, value[0]
    assert depth == 19  # the innermost list is empty


def test_load_yaml_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "questionnaire.yaml"
    path.write_text("company:\n  name: Kopi\n", encoding="utf-8")
    doc = load_yaml(path)
    assert doc.file == str(path)
    assert doc.data == {"company": {"name": "Kopi"}}
    assert load_yaml(path, display="client.yaml").file == "client.yaml"


# -- what is refused, with the exact message ---------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nothing.yaml"
    with pytest.raises(QuestionnaireError) as info:
        load_yaml(path)
    assert info.value.format_message().splitlines() == [
        f"{path}:1:1: cannot read the file: No such file or directory",
        f"Error: 1 error in {path}; nothing was written.",
    ]


def test_duplicate_key() -> None:
    assert refused(
        """\
        company:
          name: Kopi
          industry: Coffee
          name: Kopi Nusantara
        """
    ) == one_error(
        "q.yaml:4:3: company.name: duplicate key (first written on line 2): write each key once"
    )


def test_alias() -> None:
    assert refused(
        """\
        company:
          name: &name Kopi
          legal_name: *name
        """
    ) == one_error("q.yaml:3:15: aliases (*name) are not allowed: write the value out in full")


def test_alias_bomb_is_refused_at_the_first_alias() -> None:
    billion_laughs = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]\n"
        for a, b in zip("abcdefgh", "bcdefghi", strict=True)
    )
    assert billion_laughs.splitlines()[-1] == "i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]"
    assert refused(billion_laughs) == one_error(
        "q.yaml:2:8: aliases (*name) are not allowed: write the value out in full"
    )


def test_python_tag_runs_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    payload = f"company: !!python/object/apply:os.system ['touch {marker}']\n"
    path = tmp_path / "q.yaml"
    path.write_text(payload, encoding="utf-8")
    with pytest.raises(QuestionnaireError) as info:
        load_yaml(path)
    assert info.value.format_message().splitlines() == [
        f"{path}:1:10: YAML tags such as 'tag:yaml.org,2002:python/object/apply:os.system' are "
        "not allowed: write plain text, lists and mappings",
        f"Error: 1 error in {path}; nothing was written.",
    ]
    assert not marker.exists()
    # The payload is real: an unsafe loader runs it.
    yaml.unsafe_load(payload)
    assert marker.exists()


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("company: !custom Kopi\n", "!custom"),
        ("company: !!str Kopi\n", "tag:yaml.org,2002:str"),
        ("company: !!map {name: Kopi}\n", "tag:yaml.org,2002:map"),
        ("company: !!binary aGVsbG8=\n", "tag:yaml.org,2002:binary"),
    ],
)
def test_any_tag_is_refused(text: str, tag: str) -> None:
    assert refused(text) == one_error(
        f"q.yaml:1:10: YAML tags such as {tag!r} are not allowed: write plain text, lists and mappings"
    )


def test_file_over_the_size_cap() -> None:
    raw = b"company:\n  name: Kopi\n#" + b"x" * MAX_BYTES
    assert refused(raw) == one_error(
        f"q.yaml:1:1: the file is {MAX_BYTES + 23:,} bytes; at most {MAX_BYTES:,} are allowed"
    )


def test_text_over_the_length_cap() -> None:
    raw = b"company:\n  name: Kopi\n  summary: " + b"x" * 20_001 + b"\n"
    assert refused(raw) == one_error(
        "q.yaml:3:12: company.summary: text is 20,001 characters long; at most 20,000 allowed"
    )


def test_bytes_that_are_not_utf8() -> None:
    raw = "company:\n  name: Café Kopi\n".encode("latin-1")
    assert refused(raw) == one_error("q.yaml:2:12: byte 0xe9 is not UTF-8: save the file as UTF-8")


def test_utf16_is_not_utf8() -> None:
    raw = "company:\n  name: Kopi\n".encode("utf-16")
    assert refused(raw) == one_error("q.yaml:1:1: byte 0xff is not UTF-8: save the file as UTF-8")


@pytest.mark.parametrize(
    ("raw", "where"),
    [(b"company:\n\tname: Kopi\n", "2:1"), (b"company:\n  \tname: Kopi\n", "2:3")],
)
def test_tab_indentation(raw: bytes, where: str) -> None:
    assert refused(raw) == one_error(
        f"q.yaml:{where}: tab used for indentation: indent with spaces"
    )


def test_nul_character() -> None:
    assert refused(b"company:\n  name: Kopi\x00\n") == one_error(
        "q.yaml:2:13: NUL character in the file"
    )


def test_control_character() -> None:
    assert refused(b"company:\n  name: Kopi\x07\n") == one_error(
        "q.yaml:2:13: character U+0007 is not allowed: remove it"
    )


@pytest.mark.parametrize(
    ("escape", "code"),
    [
        ("\\0", "0000"),
        ("\\a", "0007"),
        ("\\e", "001B"),
        ("\\x7f", "007F"),
        ("\\x85", "0085"),
        ("\\N", "0085"),
        ("\\x9b", "009B"),
        ("\\u0090", "0090"),
    ],
)
def test_a_control_character_written_as_an_escape_is_refused_as_a_raw_one(escape, code) -> None:
    assert refused(f'company:\n  name: "Kopi{escape}"\n') == one_error(
        f"q.yaml:2:9: company.name: character U+{code} is not allowed: remove it"
    )


def test_every_escaped_control_character_is_reported_keys_too() -> None:
    lines = refused("""\
        company:
          name: "Kopi\\0"
          summary: "a\\eb"
          "x\\e[2K": "c"
        """)
    assert lines == [
        "q.yaml:2:9: company.name: character U+0000 is not allowed: remove it",
        "q.yaml:3:12: company.summary: character U+001B is not allowed: remove it",
        "q.yaml:4:3: company.x\\x1b[2K: character U+001B is not allowed: remove it",
        "Error: 3 errors in q.yaml; nothing was written.",
    ]


def test_escaped_line_ends_become_line_feeds_and_tabs_stay() -> None:
    doc = load("""\
        a: "one\\r\\ntwo\\rthree"
        b: "x\\ty"
        """)
    assert doc.data == {"a": "one\ntwo\nthree", "b": "x\ty"}


@pytest.mark.parametrize(
    "raw",
    [b"", b"\n\n   \n", b"# Only a comment.\n# And another.\n", b"---\n...\n"],
    ids=["empty", "blank lines", "comments only", "empty document"],
)
def test_empty_file(raw: bytes) -> None:
    assert refused(raw) == one_error(
        "q.yaml:1:1: the file is empty: expected a mapping with at least company.name"
    )


def test_top_level_list() -> None:
    assert refused("# Sections:\n- company\n- team\n") == one_error(
        "q.yaml:2:1: the top level is a list: expected a mapping of sections such as company:"
    )


@pytest.mark.parametrize("text", ["Kopi Nusantara\n", "42\n", "'company: Kopi'\n"])
def test_top_level_scalar(text: str) -> None:
    assert refused(text) == one_error(
        "q.yaml:1:1: the top level is plain text: expected a mapping of sections such as company:"
    )


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (
            "company:\n  name: Kopi\n industry: Coffee\n",
            "q.yaml:3:2: invalid YAML: the indentation of this line does not match the lines above it",
        ),
        (
            "company:\n  name: [Kopi, Nusantara\n",
            "q.yaml:2:9: invalid YAML: this list opened with [ is not closed with ]",
        ),
        (
            'company:\n  name: "Kopi\n',
            "q.yaml:2:9: invalid YAML: this quoted text is not closed: add the closing quote",
        ),
        (
            "company: Kopi\n---\nteam: []\n",
            "q.yaml:2:1: invalid YAML: a second document (---) is not allowed: one questionnaire per file",
        ),
    ],
    ids=["indentation", "unclosed list", "unclosed quote", "two documents"],
)
def test_yaml_syntax_error(text: str, line: str) -> None:
    assert refused(text) == one_error(line)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (
            "company:\n  name: Kopi\n   website: https://kopi.id\n",
            "q.yaml:3:4: invalid YAML: the indentation of this line does not match the lines"
            " above it: start 'website' in column 3, under 'name'",
        ),
        (
            "threats:\n  - id: recall\n    title: A recall\n     likelihood: 3\n",
            "q.yaml:4:6: invalid YAML: the indentation of this line does not match the lines"
            " above it: start 'likelihood' in column 5, under 'title'",
        ),
        (  # a ': ' in a value on its own line is still one to quote
            "company:\n  name: Kopi: the shop\n",
            "q.yaml:2:13: invalid YAML: a ': ' inside a value: put the value in quotes",
        ),
    ],
    ids=["one space too far", "in a list item", "a colon in a value"],
)
def test_a_line_indented_too_far_is_said_to_be(text: str, line: str) -> None:
    assert refused(text) == one_error(line)


def test_deep_nesting_is_refused() -> None:
    assert refused(b"a: " + b"[" * 21 + b"]" * 21 + b"\n") == one_error(
        "q.yaml:1:24: nested more than 20 levels deep"
    )


@pytest.mark.parametrize(
    "raw",
    [
        b"a: " + b"[" * 10_000,
        b"{" * 10_000,
        b"a:\n" + b"".join(b"  " * i + b"- \n" for i in range(500)),
    ],
    ids=["flow lists", "flow mappings", "block lists"],
)
def test_very_deep_nesting_is_refused_without_a_crash(raw: bytes) -> None:
    lines = refused(raw)
    assert lines[0].endswith(": nested more than 20 levels deep")
    assert lines[1:] == ["Error: 1 error in q.yaml; nothing was written."]


def test_too_many_values(monkeypatch: pytest.MonkeyPatch) -> None:
    # The real cap is 50,000 values (keys count too); a small one keeps the test fast.
    monkeypatch.setattr(loader, "MAX_NODES", 10)
    text = """\
        company:
          name: Kopi
          values: [a, b, c, d, e, f]
        """
    assert refused(text) == one_error("q.yaml:3:21: the file has more than 10 values")
    monkeypatch.setattr(loader, "MAX_NODES", 13)  # exactly the number of keys and values
    assert load(text).data["company"]["values"] == ["a", "b", "c", "d", "e", "f"]


@pytest.mark.parametrize(
    ("text", "where"),
    [("? [a, b]\n: c\n", "1:3"), ("base: {name: Kopi}\ncompany:\n  <<: {name: Kopi}\n", "3:3")],
    ids=["list as key", "merge key"],
)
def test_keys_must_be_plain(text: str, where: str) -> None:
    assert refused(text) == one_error(f"q.yaml:{where}: keys must be plain words")


def test_every_problem_in_the_file_is_reported_at_once() -> None:
    text = (
        "company:\n"
        "  name: Kopi\n"
        "  name: Kopi Nusantara\n"
        f"  summary: {'x' * 20_001}\n"
        "? [a, b]\n"
        ": c\n"
        "company: {}\n"
    )
    assert refused(text) == [
        "q.yaml:3:3: company.name: duplicate key (first written on line 2): write each key once",
        "q.yaml:4:12: company.summary: text is 20,001 characters long; at most 20,000 allowed",
        "q.yaml:5:3: keys must be plain words",
        "q.yaml:7:1: company: duplicate key (first written on line 1): write each key once",
        "Error: 4 errors in q.yaml; nothing was written.",
    ]


@pytest.mark.parametrize(
    "path",
    sorted(resources.content_dir().glob("*/*.yaml")),
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_built_in_files_read_the_same_fast_as_with_positions(path: Path) -> None:
    """The package's own YAML is parsed by libyaml for speed: every value must be the string
    the positions-keeping loader gives, or a playbook value would change type."""
    assert load_builtin(path) == load_yaml(path).data
