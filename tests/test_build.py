"""``crisisplan build`` as a user runs it: from a folder, with the default output folder."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from crisisplan.cli import cli


def test_build_without_arguments_writes_site_and_pdf_under_site(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["build", "--no-pdf"])
    assert result.exit_code == 0, result.output
    out = tmp_path / "site" / "kopi-nusantara"
    assert (out / "index.html").is_file()
    assert (out / "response" / "food-safety.html").is_file()
    assert f"{out}  15 " in result.output
    assert result.output.rstrip().endswith("1 built or up to date, 0 failed")
    assert sorted(p.name for p in (tmp_path / "site").iterdir()) == [
        ".crisisplan",
        "kopi-nusantara",
    ]


def test_no_pdf_and_no_site_together_is_an_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["build", "--no-pdf", "--no-site"])
    assert result.exit_code == 1
    assert "nothing to build" in result.output
    assert not (tmp_path / "site").exists()


def test_a_broken_questionnaire_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "q.yaml").write_text("company:\n  name: X\n  colour: red\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", "q.yaml"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "Building into site/ ..."
    assert lines[1].startswith("q.yaml:3:3: company.colour: unknown key 'colour'")
    assert "Traceback" not in result.output
    assert not (tmp_path / "site").exists()


def test_two_builds_are_byte_identical(tmp_path, monkeypatch, example_path):
    from crisisplan.build import build_handbook

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764547200")
    first = build_handbook(example_path, tmp_path / "a")
    second = build_handbook(example_path, tmp_path / "b")

    def files(root):
        return {p.relative_to(root): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}

    a, b = files(first.output), files(second.output)
    assert sorted(a) == sorted(b)
    assert len(a) > 20
    assert [name for name in a if a[name] != b[name]] == []


def test_a_failed_site_beside_a_pdf_leaves_nothing_behind(tmp_path, monkeypatch):
    from crisisplan import build as build_module
    from crisisplan.build import Options, build_handbook
    from crisisplan.errors import BuildError

    def broken(config_file, site_dir):
        raise BuildError("Error: the site build failed (test); nothing was written.")

    monkeypatch.setattr(build_module, "build_site", broken)
    path = tmp_path / "q.yaml"
    path.write_text("company:\n  name: Toko\n", encoding="utf-8")
    with pytest.raises(BuildError):
        build_handbook(path, tmp_path / "out", Options(side_by_side=True))
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [".crisisplan"]


def test_a_failed_pdf_beside_the_site_leaves_nothing_behind(tmp_path, monkeypatch):
    import multiprocessing

    from crisisplan import typeset
    from crisisplan.build import Options, build_handbook
    from crisisplan.errors import BuildError, Problem

    def broken(html, target, **kwargs):  # runs in the forked PDF process
        target.write_bytes(b"half a PDF")
        raise BuildError("Error: the PDF failed (test).", [Problem("print.html", 1, 1, "pdf", "x")])

    monkeypatch.setattr(typeset, "typeset", broken)
    path = tmp_path / "q.yaml"
    path.write_text("company:\n  name: Toko\n", encoding="utf-8")
    with pytest.raises(BuildError, match=r"the PDF failed \(test\)") as raised:
        build_handbook(path, tmp_path / "out", Options(side_by_side=True))
    assert [p.message for p in raised.value.problems] == ["x"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [".crisisplan"]
    assert multiprocessing.active_children() == []


def test_a_refused_output_folder_stops_the_waiting_pdf_process(tmp_path):
    import multiprocessing

    from crisisplan.build import Options, build_handbook
    from crisisplan.errors import BuildError

    out = tmp_path / "out"
    (out / "toko").mkdir(parents=True)
    (out / "toko" / "notes.txt").write_text("mine", encoding="utf-8")
    path = tmp_path / "q.yaml"
    path.write_text("company:\n  name: Toko\n", encoding="utf-8")
    with pytest.raises(BuildError, match="holds files crisisplan did not make"):
        build_handbook(path, out, Options(side_by_side=True))
    assert multiprocessing.active_children() == []  # stopped while it waited for the HTML
    assert sorted(p.name for p in out.rglob("*")) == ["notes.txt", "toko"]


def test_an_unchanged_client_stops_the_pdf_process_forked_for_it(tmp_path):
    import multiprocessing

    from crisisplan.build import Options, build_handbook

    path = tmp_path / "q.yaml"
    path.write_text("company:\n  name: Toko\n", encoding="utf-8")
    first = build_handbook(path, tmp_path / "out", Options(side_by_side=True))
    second = build_handbook(path, tmp_path / "out", Options(side_by_side=True))
    assert (first.skipped, second.skipped) == (False, True)
    assert second.pdf_pages == first.pdf_pages > 10
    assert multiprocessing.active_children() == []
