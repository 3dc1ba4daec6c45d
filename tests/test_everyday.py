"""The conveniences of everyday use: validate on folders and for machines, strict builds,
quiet and verbose output, opening what was built, CI shards and readable help."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from crisisplan import cli as cli_module
from crisisplan.build import build_many, shard_of
from crisisplan.cli import cli

WARNED = "company:\n  name: Toko Sepi\n"  # no team: one warning
BROKEN = "company:\n  name: Toko Rusak\n  website: not a url\n"


def invoke(*args: str) -> object:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture(autouse=True)
def _normal_verbosity(monkeypatch):
    monkeypatch.setattr(cli_module, "_verbosity", 1)


@pytest.fixture
def clients(tmp_path) -> Path:
    folder = tmp_path / "clients"
    (folder / "sepi").mkdir(parents=True)
    (folder / "sepi" / "questionnaire.yaml").write_text(WARNED, encoding="utf-8")
    (folder / "rusak.yaml").write_text(BROKEN, encoding="utf-8")
    return folder


def test_validate_takes_folders_and_writes_json_for_machines(clients):
    result = invoke("validate", str(clients), "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["valid"] is False
    by_file = {Path(f["file"]).name: f for f in report["files"]}
    assert set(by_file) == {"questionnaire.yaml", "rusak.yaml"}
    broken = by_file["rusak.yaml"]
    assert broken["valid"] is False
    assert broken["errors"][0]["field"] == "company.website"
    assert (broken["errors"][0]["line"], broken["errors"][0]["column"]) == (3, 12)
    warned = by_file["questionnaire.yaml"]
    assert warned["valid"] is True and warned["errors"] == []
    assert len(warned["warnings"]) == 1 and "team" in warned["defaulted"]


def test_validate_strict_in_json_fails_a_file_with_warnings(clients):
    result = invoke("validate", str(clients / "sepi"), "--format", "json", "--strict")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["files"][0]["valid"] is False


def test_build_strict_does_not_build_a_questionnaire_with_warnings(clients, tmp_path):
    out = tmp_path / "out"
    result = invoke("build", str(clients / "sepi"), "-o", str(out), "--no-pdf", "--strict")
    assert result.exit_code == 1
    assert "warning: company: no team is listed" in result.output
    assert "(--strict); nothing was written." in result.output
    assert not (out / "toko-sepi").exists()
    assert invoke("build", str(clients / "sepi"), "-o", str(out), "--no-pdf").exit_code == 0


def test_quiet_says_nothing_on_success_and_still_shows_errors(clients, tmp_path):
    out = tmp_path / "out"
    ok = invoke("build", str(clients / "sepi"), "-o", str(out), "--no-pdf", "--quiet")
    assert ok.exit_code == 0 and ok.output == ""
    failed = invoke("build", str(clients / "rusak.yaml"), "-o", str(out), "--no-pdf", "-q")
    assert failed.exit_code == 1
    assert "company.website" in failed.output and "[1/1]" not in failed.output
    assert invoke("validate", str(clients / "sepi"), "-q").output == ""


def test_verbose_says_what_each_build_wrote(clients, tmp_path):
    out = tmp_path / "out"
    result = invoke("build", str(clients / "sepi"), "-o", str(out), "--no-pdf", "--verbose")
    assert result.exit_code == 0
    assert f"  {out / 'toko-sepi'}/: " in result.output
    validated = invoke("validate", str(clients / "sepi"), "-v")
    assert "from built-in defaults: " in validated.output


def test_open_opens_the_handbook_built(clients, tmp_path, monkeypatch):
    opened: list[str] = []
    monkeypatch.setattr("click.launch", lambda target, **_: opened.append(target) or 0)
    out = tmp_path / "out"
    result = invoke("build", str(clients / "sepi"), "-o", str(out), "--no-pdf", "--open")
    assert result.exit_code == 0, result.output
    assert opened == [str(out / "toko-sepi" / "index.html")]


def test_shards_build_every_client_once_between_them(tmp_path, monkeypatch):
    folder = tmp_path / "clients"
    folder.mkdir()
    names = [f"Toko {n}" for n in range(12)]
    for n, name in enumerate(names):
        (folder / f"c{n}.yaml").write_text(f"company:\n  name: {name}\n", encoding="utf-8")
    (folder / "broken.yaml").write_text(BROKEN.replace("Rusak", "X"), encoding="utf-8")
    built: list[tuple[Path, str | None]] = []
    monkeypatch.setattr("crisisplan.build._build_one", lambda p, o, opt: _record(built, p, opt))
    shares = [
        build_many(
            [folder], tmp_path / "out", shard=(k, 3), editions=("internal", "public"), jobs=1
        )
        for k in (1, 2, 3)
    ]
    jobs = [(o.path, o.edition) for share in shares for o in share]
    assert len(jobs) == len(set(jobs)) == 2 * 13  # every build once, the broken one too
    assert sorted(built) == sorted(j for j in jobs if j[0].name != "broken.yaml")
    assert all(len(share) >= 3 for share in shares)  # spread over the three
    # a client stays in its share when others come and go
    before = {
        o.path.name: k for k, share in enumerate(shares) for o in share if o.edition == "internal"
    }
    (folder / "c0.yaml").unlink()
    again = [build_many([folder], tmp_path / "out", shard=(k, 3), jobs=1) for k in (1, 2, 3)]
    after = {o.path.name: k for k, share in enumerate(again) for o in share}
    assert all(before[name] == share for name, share in after.items())


def _record(built, path, options):
    from crisisplan.build import Outcome

    built.append((path, options.edition))
    return Outcome(path, error="not built in this test", edition=options.edition)


def test_the_ci_examples_run_every_share_with_the_commands_syntax():
    page = (Path(__file__).resolve().parent.parent / "docs" / "ci.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", page, re.S)
    github, gitlab = (yaml.safe_load(block) for block in blocks)
    matrix = github["jobs"]["build"]["strategy"]["matrix"]["shard"]
    run = next(s["run"] for s in github["jobs"]["build"]["steps"] if "--shard" in s.get("run", ""))
    total = int(re.search(r"--shard \$\{\{ matrix.shard \}\}/(\d+)", run).group(1))
    assert matrix == list(range(1, total + 1))
    job = gitlab["handbooks"]
    assert job["parallel"] >= 2
    assert '--shard "$CI_NODE_INDEX/$CI_NODE_TOTAL"' in " ".join(job["script"])
    assert gitlab["pages"]["needs"] == ["handbooks"]


def test_the_top_level_help_is_not_cut_at_80_columns():
    result = CliRunner().invoke(cli, ["--help"], terminal_width=80)
    commands = result.output.split("Commands:")[1]
    assert "..." not in commands
    assert all(len(line) <= 80 for line in result.output.splitlines())


def test_an_empty_share_says_so(tmp_path):
    folder = tmp_path / "clients"
    folder.mkdir()
    (folder / "one.yaml").write_text("company:\n  name: Satu\n", encoding="utf-8")
    empty = next(k for k in (1, 2) if shard_of("satu", 2) != k)
    result = invoke("build", str(folder), "-o", str(tmp_path / "o"), "--shard", f"{empty}/2")
    assert result.exit_code == 0
    assert f"Nothing to build in share {empty} of 2." in result.output
    assert not (tmp_path / "o" / "satu").exists()


def test_a_bad_shard_is_one_line(tmp_path):
    result = invoke("build", "--shard", "0/3")
    assert result.exit_code == 2
    assert "'0/3' is not K/N with 1 <= K <= N, such as 2/4." in result.output


def test_validate_of_a_folder_without_questionnaires_fails(tmp_path):
    (tmp_path / "empty").mkdir()
    result = invoke("validate", str(tmp_path / "empty"))
    assert result.exit_code == 1
    assert "Error: no questionnaires found" in result.output


def test_hidden_yaml_files_are_not_questionnaires(clients):
    (clients / ".gitlab-ci.yml").write_text("stages: [build]\n", encoding="utf-8")
    (clients / ".hidden").mkdir()
    (clients / ".hidden" / "questionnaire.yaml").write_text("- not one\n", encoding="utf-8")
    report = json.loads(invoke("validate", str(clients), "--format", "json").stdout)
    assert sorted(Path(f["file"]).name for f in report["files"]) == [
        "questionnaire.yaml",
        "rusak.yaml",
    ]


def test_validate_strict_quiet_still_says_which_warnings_failed(clients):
    result = invoke("validate", str(clients / "sepi"), "--strict", "-q")
    assert result.exit_code == 1
    assert "warning: company: no team is listed" in result.output


def test_validate_quiet_shows_errors_without_warnings(tmp_path):
    path = tmp_path / "q.yaml"  # an error, and the warning of a hashtag read as a comment
    path.write_text(
        BROKEN + "monitoring:\n  alert_when:\n    - Posts with hashtag #boycott\n",
        encoding="utf-8",
    )
    loud = invoke("validate", str(path))
    quiet = invoke("validate", str(path), "-q")
    assert "warning:" in loud.output and "warning:" not in quiet.output
    assert "company.website" in quiet.output and quiet.exit_code == 1


def test_init_brings_a_schema_it_wrote_before_up_to_date(tmp_path, monkeypatch):
    from crisisplan.schema import json_schema_text

    monkeypatch.chdir(tmp_path)
    old = '{"title": "crisisplan questionnaire", "properties": {}}'
    Path("crisisplan.schema.json").write_text(old, encoding="utf-8")
    assert invoke("init", "new.yaml").exit_code == 0
    assert Path("crisisplan.schema.json").read_text(encoding="utf-8") == json_schema_text()


def test_quiet_and_verbose_together_are_refused(clients):
    result = invoke("validate", str(clients / "sepi"), "-q", "-v")
    assert result.exit_code == 2
    assert "-q/--quiet and -v/--verbose cannot be used together." in result.output
    assert invoke("validate", str(clients / "sepi")).output.startswith(str(clients))  # default
