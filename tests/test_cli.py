"""The command line: exact exit codes and messages, like a user sees them."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import jsonschema
import pypdf
import pytest
import yaml
from click.testing import CliRunner, Result

import crisisplan
from crisisplan import resources
from crisisplan.cli import SCHEMA_FILE as SCHEMA
from crisisplan.cli import cli
from crisisplan.schema import json_schema_text

# Builds are reproducible from SOURCE_DATE_EPOCH: pin "today" so the review warning is stable.
TODAY = {"SOURCE_DATE_EPOCH": str(int(dt.datetime(2026, 12, 1, tzinfo=dt.UTC).timestamp()))}


def run(*args: str | Path) -> Result:
    result = CliRunner().invoke(cli, [str(a) for a in args], env=TODAY)
    # Exits go through SystemExit; anything else is a crash the user would see as a traceback.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


def plain(data: Any) -> Any:
    """YAML data as JSON would hold it (dates as YYYY-MM-DD text)."""
    if isinstance(data, dict):
        return {str(k): plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [plain(v) for v in data]
    if isinstance(data, dt.date):
        return data.isoformat()
    return data


def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(run("schema").output)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


# -- validate ------------------------------------------------------------------------------------


def test_validate_both_examples(shared: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(shared)
    result = run("validate", "kopi-nusantara/questionnaire.yaml", "minimal.yaml")
    assert result.exit_code == 0
    assert result.stdout == (
        "kopi-nusantara/questionnaire.yaml: valid (13 warnings)\nminimal.yaml: valid (1 warning)\n"
    )
    # The reference as agencies write it: what a reviewer should look at, all of it real.
    assert result.stderr.splitlines() == [  # in the order of the lines, file by file
        "kopi-nusantara/questionnaire.yaml:6:3: warning: handbook: handbook.contacts_verified is not set: write the date the contact sheet's numbers were last checked (the handbook prints it)",
        "kopi-nusantara/questionnaire.yaml:131:13: warning: team[0].backup: the backup chain crisis-lead → social-lead → care-lead → social-lead goes round without coming back to 'crisis-lead': give one of them a backup outside it",
        "kopi-nusantara/questionnaire.yaml:199:11: warning: approvals.within: approvals may take 30m, as long as the whole first response of 'critical' (30m): shorten approvals.within to leave time to publish",
        "kopi-nusantara/questionnaire.yaml:212:34: warning: severity_levels[0].activate[2]: 'legal' is called in at 'critical' but has no backup: add team.backup",
        "kopi-nusantara/questionnaire.yaml:212:79: warning: severity_levels[0].activate[6]: 'hr-lead' is called in at 'critical' but has no backup: add team.backup",
        "kopi-nusantara/questionnaire.yaml:234:9: warning: severity_levels[3].id: severity level 'low' has no triggers: add the measurable signs that put a crisis at it, such as 'more than 30 negative mentions in an hour'",
        "kopi-nusantara/questionnaire.yaml:276:24: warning: threats[0].holding_statement: the holding statement does not say where the next update will be: a closing line saying so was added; write {next_update} and {source_of_truth} in it to place them yourself",
        "kopi-nusantara/questionnaire.yaml:303:24: warning: threats[1].holding_statement: the holding statement does not say where the next update will be: a closing line saying so was added; write {next_update} and {source_of_truth} in it to place them yourself",
        "kopi-nusantara/questionnaire.yaml:326:24: warning: threats[2].holding_statement: the holding statement does not say where the next update will be: a closing line saying so was added; write {next_update} and {source_of_truth} in it to place them yourself",
        "kopi-nusantara/questionnaire.yaml:345:24: warning: threats[3].holding_statement: the holding statement does not say when the next update comes: a closing line saying so was added; write {next_update} and {source_of_truth} in it to place them yourself",
        "kopi-nusantara/questionnaire.yaml:366:24: warning: threats[4].holding_statement: the holding statement does not say where the next update will be: a closing line saying so was added; write {next_update} and {source_of_truth} in it to place them yourself",
        "kopi-nusantara/questionnaire.yaml:387:24: warning: threats[5].holding_statement: the holding statement does not say when the next update comes: a closing line saying so was added; write {next_update} and {source_of_truth} in it to place them yourself",
        "kopi-nusantara/questionnaire.yaml:395:5: warning: threats[6]: threat 'competitor-campaign' has no holding_statement: the built-in one for 'competitor or activist campaign' will be used; write one for this client",
        # the smallest questionnaire: only the client can say whom to call
        "minimal.yaml:3:3: warning: company: no team is listed: the handbook prints blanks for the crisis team's names and phone numbers; list the team (team[].name, team[].phone)",
    ]


def test_validate_the_bundled_example(example: Path) -> None:
    result = run("validate", example)
    assert result.exit_code == 0
    assert result.stdout == f"{example}: valid (0 warnings)\n"  # filled in: nothing to fix


def test_validate_a_bad_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write_tree: Callable[..., Path]
) -> None:
    write_tree(
        tmp_path,
        {
            "client.yaml": """\
            company:
              name: Kopi
              website: javascript:alert(1)
            brand:
              colors:
                primary: brown
            """
        },
    )
    monkeypatch.chdir(tmp_path)
    result = run("validate", "client.yaml")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "client.yaml:3:12: company.website: 'javascript:alert(1)' is not a web address: write one "
        "starting with https:// or http://\n"
        "client.yaml:6:14: brand.colors.primary: 'brown' is not a colour: write #RRGGBB or #RGB, "
        "such as #5B3A29\n"
        "Error: 2 errors in client.yaml.\n"
    )


def test_validate_reports_every_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write_tree: Callable[..., Path]
) -> None:
    write_tree(tmp_path, {"good.yaml": "company:\n  name: Kopi\n", "bad.yaml": "- Kopi\n"})
    monkeypatch.chdir(tmp_path)
    result = run("validate", "bad.yaml", "good.yaml", "missing.yaml")
    assert result.exit_code == 1
    assert result.stdout == "good.yaml: valid (1 warning)\n"  # no team: nobody to call
    assert result.stderr == (
        "bad.yaml:1:1: the top level is a list: expected a mapping of sections such as company:\n"
        "Error: 1 error in bad.yaml.\n"
        "good.yaml:2:3: warning: company: no team is listed: the handbook prints blanks for the"
        " crisis team's names and phone numbers; list the team (team[].name, team[].phone)\n"
        "Error: missing.yaml: no such file or folder\n"
    )


def test_validate_a_hostile_file_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "client.yaml"
    path.write_bytes(b"company: " + b"[" * 5000)
    result = run("validate", path)
    assert result.exit_code == 1
    assert result.stderr == (
        f"{path}:1:30: nested more than 20 levels deep\nError: 1 error in {path}.\n"
    )


def test_validate_says_nothing_of_writing_but_build_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "client.yaml").write_text("company: {}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    checked = run("validate", "client.yaml")
    assert checked.exit_code == 1
    assert checked.stderr.splitlines()[-1] == "Error: 1 error in client.yaml."
    built = run("build", "client.yaml", "-o", "out")
    assert built.exit_code == 1
    assert "Error: 1 error in client.yaml; nothing was written." in built.stderr.splitlines()
    assert not (tmp_path / "out" / "client").exists()


def test_strict_turns_warnings_into_errors(
    shared: Path, example: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(shared)
    result = run("validate", "--strict", "kopi-nusantara/questionnaire.yaml")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == (
        "Error: 13 warnings in kopi-nusantara/questionnaire.yaml (--strict)."
    )
    assert len(result.stderr.splitlines()) == 14
    # Without warnings (the bundled example is filled in), --strict changes nothing.
    assert run("validate", "--strict", example).exit_code == 0


def test_validate_needs_a_file() -> None:
    result = run("validate")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == "Error: Missing argument 'FILES...'."


@pytest.mark.parametrize("command", ["validate", "build"])
def test_a_file_that_is_not_there_is_one_line(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, example: Path
) -> None:
    """validate and build say it alike, in one line each, with exit 1 (not Click's usage
    error); validate still checks the others, build builds nothing."""
    monkeypatch.chdir(tmp_path)
    output = ["-o", "out"] if command == "build" else []
    result = run(command, "clients/acme.yaml", example, "gone/", *output)
    assert result.exit_code == 1
    assert [line for line in result.stderr.splitlines() if "no such" in line] == [
        "Error: clients/acme.yaml: no such file or folder",
        "Error: gone: no such file or folder",
    ]
    if command == "build":
        assert len(result.stderr.splitlines()) == 2
        assert not Path("out").exists()
    else:
        assert result.stdout == f"{example}: valid (0 warnings)\n"


# -- schema --------------------------------------------------------------------------------------


def test_schema_validates_the_reference_questionnaires(shared: Path, example: Path) -> None:
    check = validator()
    for path in (
        shared / "kopi-nusantara" / "questionnaire.yaml",
        shared / "minimal.yaml",
        example,
    ):
        data = plain(yaml.safe_load(path.read_text(encoding="utf-8")))
        assert list(check.iter_errors(data)) == [], path


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ({}, []),  # company is required
        ({"company": {"name": "Kopi", "nmae": "Kopi"}}, ["company"]),
        (
            {"company": {"name": "Kopi"}, "brand": {"colors": {"primary": "brown"}}},
            ["brand", "colors", "primary"],
        ),
        ({"company": {"name": "Kopi", "website": "javascript:alert(1)"}}, ["company", "website"]),
        (
            {
                "company": {"name": "K"},
                "threats": [{"id": "t", "title": "T", "likelihood": 6, "impact": 1}],
            },
            ["threats", 0, "likelihood"],
        ),
        (
            {"company": {"name": "K"}, "team": [{"id": "Crisis Lead", "role": "R"}]},
            ["team", 0, "id"],
        ),
    ],
)
def test_schema_refuses_what_the_tool_refuses(data: dict[str, Any], where: list[Any]) -> None:
    error = jsonschema.exceptions.best_match(validator().iter_errors(data))
    assert error is not None
    assert list(error.absolute_path) == where


def test_schema_is_the_library_schema() -> None:
    result = run("schema")
    assert result.exit_code == 0
    assert result.stdout == json_schema_text()
    assert json.loads(result.stdout)["title"] == "crisisplan questionnaire"


# -- init ----------------------------------------------------------------------------------------


def test_init_writes_a_starter_that_validates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("init", "clients/new.yaml")
    assert result.exit_code == 0
    assert result.stdout == (
        "Wrote clients/new.yaml and its JSON Schema clients/crisisplan.schema.json (editors use"
        " it to complete and check fields).\n"
        "Fill it in, then run: crisisplan validate clients/new.yaml\n"
        "'crisisplan fields' explains every field, 'crisisplan COMMAND --help' a command.\n"
    )
    text = (tmp_path / "clients" / "new.yaml").read_text(encoding="utf-8")
    assert text.splitlines()[0] == "# yaml-language-server: $schema=./crisisplan.schema.json"
    schema_file = tmp_path / "clients" / "crisisplan.schema.json"
    assert schema_file.read_text(encoding="utf-8") == json_schema_text()
    # The schema beside it accepts the starter, and so does the tool.
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    jsonschema.validate(plain(yaml.safe_load(text)), schema)
    # It validates; what is left to do is warned: the examples to overwrite, as its comments say.
    checked = run("validate", "clients/new.yaml")
    assert (checked.exit_code, checked.stdout) == (0, "clients/new.yaml: valid (10 warnings)\n")
    todo = checked.stderr.splitlines()
    assert sum("still the starter's example" in line for line in todo) == 10


@pytest.mark.parametrize("language", ["en", "id"])
def test_the_starter_warns_only_of_its_examples(
    language: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing about the starter itself (a number missing, a date never set): only the
    examples to replace, which its comments announce, and its comments name the reference."""
    monkeypatch.chdir(tmp_path)
    assert run("init", "q.yaml", "--language", language).exit_code == 0
    text = Path("q.yaml").read_text(encoding="utf-8")
    warning = STARTER[language]
    assert f'# warns about each one ("{warning}")' in text.replace(
        "# memberi peringatan untuk masing-masing", "# warns about each one"
    )
    assert "`crisisplan fields`" in text
    todo = run("validate", "q.yaml").stderr.splitlines()
    assert len(todo) == 10
    assert [line for line in todo if f": {warning}: " not in line] == []


def test_fields_prints_the_questionnaire_reference() -> None:
    """What init names works from a wheel as from a checkout: the reference is printed."""
    result = run("fields")
    assert result.exit_code == 0
    docs = Path(__file__).resolve().parent.parent / "docs" / "questionnaire.md"
    assert result.stdout == docs.read_text(encoding="utf-8")


def test_init_keeps_a_schema_already_there(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path(SCHEMA).write_text("{}", encoding="utf-8")
    result = run("init", "second.yaml")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == (
        f"Wrote second.yaml; kept the JSON Schema {SCHEMA} (editors use it to complete and check"
        " fields)."
    )
    assert Path(SCHEMA).read_text(encoding="utf-8") == "{}"


#: The warning of a starter's example, in the language of each starter (the questionnaire's).
STARTER = {"en": "still the starter's example", "id": "masih contoh dari templat awal"}

PLACEHOLDERS = {
    "handbook.prepared_by": "write who prepared the handbook, such as the agency's name",
    "handbook.contacts_verified": "write the day you last checked every phone number",
    "company.name": "write the company's name",
    "company.website": "write the company's website",
    "team[0].name": "write the person's name",
    "team[0].phone": "write the real number",
    "team[0].email": "write the real address",
    "team[1].name": "write the person's name",
    "team[1].phone": "write the real number",
    "channels[0].handle": "write the account's handle",
}
PLACEHOLDERS_ID = {
    "handbook.prepared_by": "tulis siapa yang menyusun buku panduan, misalnya nama agensinya",
    "handbook.contacts_verified": "tulis tanggal terakhir Anda memeriksa setiap nomor telepon",
    "company.name": "tulis nama perusahaan",
    "company.website": "tulis situs web perusahaan",
    "team[0].name": "tulis nama orangnya",
    "team[0].phone": "tulis nomor yang sebenarnya",
    "team[0].email": "tulis alamat yang sebenarnya",
    "team[1].name": "tulis nama orangnya",
    "team[1].phone": "tulis nomor yang sebenarnya",
    "channels[0].handle": "tulis nama pengguna akunnya",
}


@pytest.mark.parametrize("language", ["en", "id"])
def test_the_starter_warns_until_each_placeholder_is_replaced(
    language: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run("init", "q.yaml", "--language", language).exit_code == 0
    text = Path("q.yaml").read_text(encoding="utf-8")
    warning = STARTER[language]
    todo = run("validate", "q.yaml").stderr.splitlines()
    found = {
        line.split(": ")[2]: line.split(f": {warning}: ")[1] for line in todo if warning in line
    }
    assert found == (PLACEHOLDERS if language == "en" else PLACEHOLDERS_ID)
    # Each placeholder of either language, written in the other's starter, still warns.
    other = "id" if language == "en" else "en"
    theirs = yaml.safe_load((resources.content_dir() / other / "starter.yaml").read_text("utf-8"))
    mine = yaml.safe_load(text)
    replaced = text.replace(mine["company"]["name"], theirs["company"]["name"])
    replaced = replaced.replace(mine["team"][0]["name"], theirs["team"][0]["name"])
    Path("q.yaml").write_text(replaced, encoding="utf-8")
    todo = run("validate", "q.yaml").stderr
    assert f"company.name: {warning}" in todo
    assert f"team[1].name: {warning}" in todo
    # Real values end the warnings.
    real = {
        mine["handbook"]["prepared_by"]: "Agensi Cakra",
        theirs["company"]["name"]: "Toko Maju",
        mine["company"]["website"]: "https://tokomaju.co.id",
        theirs["team"][0]["name"]: "Sari Wulandari",
        "+62 812 0000 0000": "+62 812 3456 7890",
        "+62 813 0000 0000": "+62 813 3456 7890",
        "2000-01-01": "2026-05-04",
        mine["team"][0]["email"]: "sari@tokomaju.co.id",
        mine["channels"][0]["handle"]: "@tokomaju",
    }
    for old, new in real.items():
        replaced = replaced.replace(old, new)
    Path("q.yaml").write_text(replaced, encoding="utf-8")
    assert warning not in run("validate", "q.yaml").stderr


def _commented(path: Path) -> list[str]:
    """The keys of a starter that carry a comment, in order (commented-out lines included)."""
    keys = []
    for line in path.read_text(encoding="utf-8").splitlines():
        body = line.lstrip("# ")
        # a commented line of YAML (in the commented-out example) or a line with its comment
        written = line.startswith("#  ") or not line.startswith("# ")
        if written and ":" in body and " # " in body:
            keys.append(body.split(":")[0].strip("- "))
    return keys


def test_both_starters_explain_the_same_fields() -> None:
    content = resources.content_dir()
    en, ind = (
        _commented(content / "en" / "starter.yaml"),
        _commented(content / "id" / "starter.yaml"),
    )
    assert en == ind
    assert {"language", "version", "edition", "phone", "origin"} <= set(en)
    assert yaml.safe_load((content / "en" / "starter.yaml").read_text("utf-8")).keys() == (
        yaml.safe_load((content / "id" / "starter.yaml").read_text("utf-8")).keys()
    )


def test_init_refuses_to_overwrite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    mine = "company:\n  name: Mine\n"
    Path("client.yaml").write_text(mine, encoding="utf-8")
    result = run("init", "client.yaml")
    assert result.exit_code == 1
    assert result.stderr == "Error: client.yaml already exists; nothing was written.\n"
    assert Path("client.yaml").read_text(encoding="utf-8") == mine
    assert not Path("crisisplan.schema.json").exists()


# -- help and version ----------------------------------------------------------------------------


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout == f"crisisplan, version {crisisplan.__version__}\n"


def test_python_dash_m() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "crisisplan", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stdout, done.stderr) == (
        0,
        f"crisisplan, version {crisisplan.__version__}\n",
        "",
    )


def test_python_dash_m_exits_non_zero_on_bad_input(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("company:\n  name: Toko\nthreats: 5\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "crisisplan", "validate", str(bad)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.startswith(f"{bad}:3:10: threats: expected a list")


@pytest.mark.parametrize("planted", ["yaml", "click", "pydantic", "jinja2"])
def test_python_dash_m_in_a_clients_folder_imports_nothing_planted_there(
    tmp_path: Path, planted: str
) -> None:
    """`python -m` puts the current folder first on the module path: a module planted in a
    client's folder must still not be imported (it would run with the agency's rights)."""
    pwned = tmp_path / "pwned"
    (tmp_path / f"{planted}.py").write_text(
        f"open({str(pwned)!r}, 'w').write('ran')\nraise SystemExit(7)\n", encoding="utf-8"
    )
    (tmp_path / "acme.yaml").write_text("company:\n  name: Acme\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "crisisplan", "validate", "acme.yaml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert not pwned.exists()
    assert (done.returncode, done.stdout) == (0, "acme.yaml: valid (1 warning)\n"), done.stderr


# -- build --format json -------------------------------------------------------------------------


def test_build_json_lists_every_path_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    clients = tmp_path / "clients"
    clients.mkdir()
    (clients / "toko.yaml").write_text("company:\n  name: Toko\n", encoding="utf-8")
    (clients / "warung.yaml").write_text(
        "handbook:\n  language: id\n  edition: public\ncompany:\n  name: Warung\n",
        encoding="utf-8",
    )
    (clients / "bad.yaml").write_text("company: {}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    warning = {
        "line": 2,
        "column": 3,
        "field": "company",
        "message": "no team is listed: the handbook prints blanks for the crisis team's names"
        " and phone numbers; list the team (team[].name, team[].phone)",
    }
    for status in ("built", "up to date"):
        result = run("build", "clients", "-o", "out", "--no-pdf", "--format", "json", "-v")
        assert result.exit_code == 1  # bad.yaml
        report = json.loads(result.stdout)  # nothing else on stdout
        assert report["ok"] is False
        by_file = {c["questionnaire"]: c for c in report["clients"]}
        assert sorted(by_file) == ["clients/bad.yaml", "clients/toko.yaml", "clients/warung.yaml"]
        toko, warung, bad = (by_file[f"clients/{n}.yaml"] for n in ("toko", "warung", "bad"))
        assert toko["pages"] > 10 and warung["pages"] == toko["pages"]
        assert {**toko, "pages": 0} == {
            "questionnaire": "clients/toko.yaml",
            "edition": "internal",
            "status": status,
            "error": None,
            "output": str(out / "toko"),
            "site": str(out / "toko" / "index.html"),
            "pdf": None,
            "calendar": str(out / "toko" / "toko-crisis-handbook-1.0-internal-calendar.ics"),
            "pages": 0,
            "pdf_pages": None,
            "warnings": [warning],
            "stale": [],
            "notices": [],
        }
        # The Indonesian handbook's files end as the English one's do.
        folder = out / "warung-public"
        assert (warung["edition"], warung["status"], warung["output"]) == (
            "public",
            status,
            str(folder),
        )
        assert warung["calendar"] == str(
            folder / "warung-buku-panduan-krisis-1.0-public-calendar.ics"
        )
        for client in (toko, warung):
            assert Path(client["site"]).is_file() and Path(client["calendar"]).is_file()
        assert bad["status"] == "failed" and bad["output"] is None and bad["warnings"] == []
        assert bad["error"].splitlines()[-1] == (
            "Error: 1 error in clients/bad.yaml; nothing was written."
        )
        assert "[3/3]" in result.stderr  # the progress stays on stderr, -v's paths too
        assert f"  {toko['calendar']}: the exercise calendar" in result.stderr.splitlines()


@pytest.mark.pdf
def test_build_json_gives_the_pdf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "toko.yaml").write_text("company:\n  name: Toko\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run("build", "toko.yaml", "-o", "out", "--no-site", "--format", "json", "-q")
    assert result.exit_code == 0
    (toko,) = json.loads(result.stdout)["clients"]
    pdf = tmp_path / "out" / "toko" / "toko-crisis-handbook-1.0-internal.pdf"
    assert (toko["pdf"], toko["site"], toko["calendar"]) == (str(pdf), None, None)
    assert pdf.is_file() and toko["pdf_pages"] == len(pypdf.PdfReader(pdf).pages)


# -- export --------------------------------------------------------------------------------------


def test_export_shows_the_warnings_build_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "client.yaml").write_text("company:\n  name: Toko\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    warning = (
        "client.yaml:2:3: warning: company: no team is listed: the handbook prints blanks for the"
        " crisis team's names and phone numbers; list the team (team[].name, team[].phone)"
    )
    built = run("build", "client.yaml", "-o", "out", "--no-pdf")
    assert built.exit_code == 0
    assert warning in built.stderr.splitlines()
    exported = run("export", "client.yaml", "-o", "project")
    assert exported.exit_code == 0
    assert exported.stderr == f"{warning}\n"
    assert exported.stdout == f"Wrote {tmp_path / 'project' / 'mkdocs.yml'} and project/docs/\n"
    quiet = run("export", "-q", "client.yaml", "-o", "project")
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (0, "", "")


COMMANDS: dict[str, click.Command] = {"crisisplan": cli, **cli.commands}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_help_with_an_example(name: str) -> None:
    command = COMMANDS[name]
    assert command.help, f"{name} has no help text"
    assert "Example" in command.help, f"{name}'s help has no Example"
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help, f"{name} {param.opts[0]} has no help text"
    args = [] if name == "crisisplan" else [name]
    result = run(*args, "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout


def special_file(path: Path, kind: str) -> Path:
    """A named pipe or a socket at ``path``: opened for reading, neither ever ends."""
    if kind == "fifo":
        os.mkfifo(path)
    else:
        with socket.socket(socket.AF_UNIX) as s:
            s.bind(str(path))  # the socket file stays after the socket is closed
    return path


SPECIAL = {"fifo": "a named pipe (FIFO)", "socket": "a socket"}


@pytest.mark.parametrize("kind", sorted(SPECIAL))
@pytest.mark.parametrize(
    "command",
    [
        ["validate", "acme.yaml"],
        ["validate", "."],
        ["build", "acme.yaml", "-o", "out", "--no-pdf"],
        ["build", ".", "-o", "out", "--no-pdf"],
        ["export", "acme.yaml", "-o", "project"],
        ["serve", "acme.yaml", "-a", "127.0.0.1:1"],
    ],
    ids=" ".join,
)
def test_a_questionnaire_that_is_a_pipe_or_a_socket_is_one_line_not_a_hang(
    tmp_path: Path, command: list[str], kind: str
) -> None:
    special_file(tmp_path / "acme.yaml", kind)
    done = subprocess.run(
        [sys.executable, "-m", "crisisplan", *command],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert (
        f"acme.yaml:1:1: cannot read the file: it is {SPECIAL[kind]}, not a regular file\n"
        in done.stderr
    )
    assert "Traceback" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["acme.yaml"]  # nothing written


@pytest.mark.parametrize("command", [["validate"], ["build", "-o", "out", "--no-pdf"]])
def test_a_logo_that_is_a_pipe_is_one_line_not_a_hang(tmp_path: Path, command: list[str]) -> None:
    special_file(tmp_path / "logo.png", "fifo")
    (tmp_path / "acme.yaml").write_text(
        "company:\n  name: Acme\nbrand:\n  logo: logo.png\n", encoding="utf-8"
    )
    done = subprocess.run(
        [sys.executable, "-m", "crisisplan", command[0], "acme.yaml", *command[1:]],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert (
        "acme.yaml:4:9: brand.logo: 'logo.png': cannot be read"
        " (it is a named pipe (FIFO), not a regular file)\n" in done.stderr
    )
    assert not (tmp_path / "out").exists()


def test_a_device_named_as_a_questionnaire_is_one_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "crisisplan", "validate", "/dev/zero"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stderr) == (
        1,
        "/dev/zero:1:1: cannot read the file: it is a device, not a regular file\n"
        "Error: 1 error in /dev/zero.\n",
    )


def test_a_logo_link_that_leads_back_to_itself_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    os.symlink("logo.svg", "logo.svg")  # resolving it never ends
    Path("q.yaml").write_text("company: {name: Acme}\nbrand: {logo: logo.svg}\n", "utf-8")
    result = run("validate", "q.yaml")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "q.yaml:2:15: brand.logo: 'logo.svg' is a link that leads back to itself: name the file"
        " itself",
        "Error: 1 error in q.yaml.",
    ]


def test_a_logo_named_in_a_folded_block_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``logo: >`` keeps a line break after the name, as it does after a company's name."""
    monkeypatch.chdir(tmp_path)
    Path("logo.svg").write_bytes((resources.example().parent / "logo.svg").read_bytes())
    Path("q.yaml").write_text("company: {name: Acme}\nbrand:\n  logo: >\n    logo.svg\n", "utf-8")
    result = run("validate", "q.yaml")
    assert result.exit_code == 0, result.stderr


def test_export_on_a_full_disk_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from crisisplan import build as build_module

    monkeypatch.chdir(tmp_path)
    Path("q.yaml").write_text("company: {name: Acme}\n", "utf-8")

    def full(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "p" / "mkdocs.yml"))

    monkeypatch.setattr(build_module, "export", full)
    result = run("export", "q.yaml", "-o", "p", "-q")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {tmp_path / 'p' / 'mkdocs.yml'}: no space left on device; free some space on"
        " that disk.\n"
    )


def test_serve_refuses_a_port_out_of_range_before_building() -> None:
    result = run("serve", "-a", "127.0.0.1:99999")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: --address '127.0.0.1:99999' is not IP:PORT, such as 127.0.0.1:8000.\n"
    )


def test_init_where_it_may_not_write_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    monkeypatch.chdir(tmp_path)

    def refused(self: Path, *args: Any, **kwargs: Any) -> None:
        raise OSError(errno.EROFS, "Read-only file system", str(self))

    monkeypatch.setattr(Path, "mkdir", refused)
    result = run("init", "clients/new.yaml")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: clients: read-only file system; ")
    assert not (tmp_path / "clients").exists()
