"""``crisisplan build`` as a user runs it: from a folder, with the default output folder."""

from __future__ import annotations

import errno
import gc
import multiprocessing
from dataclasses import replace

import pytest
from click.testing import CliRunner

from crisisplan import build as build_module
from crisisplan.build import Options, _beside, build_handbook
from crisisplan.cli import cli
from crisisplan.errors import BuildError, Problem
from crisisplan.pdf import parts


def test_build_without_arguments_writes_site_and_pdf_under_site(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["build", "--no-pdf"])
    assert result.exit_code == 0, result.output
    out = tmp_path / "site" / "kopi-nusantara"
    assert (out / "index.html").is_file()
    assert (out / "response" / "food-safety.html").is_file()
    assert f"{out}  16 " in result.output
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


@pytest.mark.pdf
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
    from crisisplan.build import Options, build_handbook
    from crisisplan.errors import BuildError

    def broken(config_file, site_dir, *rest):
        raise BuildError("Error: the site build failed (test); nothing was written.")

    monkeypatch.setattr(build_module, "build_site", broken)
    path = tmp_path / "q.yaml"
    path.write_text("company:\n  name: Toko\n", encoding="utf-8")
    with pytest.raises(BuildError):
        build_handbook(path, tmp_path / "out", Options(side_by_side=True))
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [".crisisplan"]


# -- the PDF process forked beside the site --------------------------------------------------

BESIDE = Options(side_by_side=True)
needs_beside = pytest.mark.skipif(
    not _beside(BESIDE), reason="the PDF process beside the site needs fork and 2 cores"
)


def _toko(tmp_path):
    path = tmp_path / "q.yaml"
    path.write_text("company:\n  name: Toko\n", encoding="utf-8")
    return path


@needs_beside
def test_a_failed_pdf_beside_the_site_leaves_nothing_behind(tmp_path, monkeypatch):
    def broken(html, target, **kwargs):  # runs in the forked PDF process
        target.write_bytes(b"half a PDF")
        raise BuildError("Error: the PDF failed (test).", [Problem("print.html", 1, 1, "pdf", "x")])

    monkeypatch.setattr(parts, "typeset", broken)
    with pytest.raises(BuildError, match=r"the PDF failed \(test\)") as raised:
        build_handbook(_toko(tmp_path), tmp_path / "out", BESIDE)
    assert [p.message for p in raised.value.problems] == ["x"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [".crisisplan"]
    assert multiprocessing.active_children() == []


@needs_beside
def test_an_operating_system_error_in_the_pdf_process_is_one_line(tmp_path, monkeypatch):
    def full(html, target, **kwargs):  # runs in the forked PDF process
        raise OSError(errno.ENOSPC, "No space left on device", str(target))

    monkeypatch.setattr(parts, "typeset", full)
    with pytest.raises(BuildError) as raised:
        build_handbook(_toko(tmp_path), tmp_path / "out", BESIDE)
    assert raised.value.format_message().startswith(f"Error: {tmp_path / 'out'}/.crisisplan/work-")
    assert raised.value.format_message().endswith(
        ": no space left on device; free some space on that disk. The previous output is unchanged."
    )
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [".crisisplan"]
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize("jobs", [[], ["--jobs", "1"]], ids=["beside", "one-process"])
def test_weasyprint_that_cannot_load_pango_is_one_clear_error(tmp_path, example, jobs):
    import os
    import subprocess
    import sys

    fake = tmp_path / "fake" / "weasyprint"
    fake.mkdir(parents=True)  # found before the real one, and fails as it does without Pango
    (fake / "__init__.py").write_text(
        "print('WeasyPrint could not import some external libraries.')\n"
        "raise OSError(\"cannot load library 'libpango-1.0-0': No such file\")\n",
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(fake.parent)}
    command = [
        sys.executable,
        "-m",
        "crisisplan",
        "build",
        str(example),
        "-o",
        str(tmp_path / "out"),
    ]
    done = subprocess.run([*command, *jobs], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr + done.stdout
    assert "could not import" not in done.stdout  # WeasyPrint's own advice, on stdout
    errors = [line for line in done.stderr.splitlines() if line.startswith("Error:")]
    assert errors == [
        "Error: WeasyPrint, which makes the PDF, cannot be loaded (cannot load library"
        " 'libpango-1.0-0': No such file); nothing was written. It needs Pango (Debian: apt-get"
        " install libpango-1.0-0 libpangoft2-1.0-0); --no-pdf builds the site alone."
    ]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [".crisisplan"]


@needs_beside
def test_a_refused_output_folder_stops_the_waiting_pdf_process(tmp_path):
    out = tmp_path / "out"
    (out / "toko").mkdir(parents=True)
    (out / "toko" / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(BuildError, match="holds files crisisplan did not make"):
        build_handbook(_toko(tmp_path), out, BESIDE)
    assert multiprocessing.active_children() == []  # stopped while it waited for the HTML
    assert sorted(p.name for p in out.rglob("*")) == ["notes.txt", "toko"]


@needs_beside
@pytest.mark.pdf
def test_an_unchanged_client_is_not_typeset_again(tmp_path, monkeypatch):
    counts = tmp_path / "counts.txt"
    real = parts.split

    def split(html, count):  # runs in the forked PDF process
        with counts.open("a") as file:
            file.write(f"{count}\n")
        return real(html, count)

    monkeypatch.setattr(parts, "split", split)
    before = gc.get_threshold()
    path = _toko(tmp_path)
    first = build_handbook(path, tmp_path / "out", replace(BESIDE, parts=3))
    second = build_handbook(path, tmp_path / "out", replace(BESIDE, parts=3))
    assert (first.skipped, second.skipped) == (False, True)
    assert second.pdf_pages == first.pdf_pages > 10
    assert counts.read_text() == "3\n"  # Options.parts reaches the PDF process
    assert multiprocessing.active_children() == []
    # a library call changes no process-wide setting: the command sets them (cli.main)
    assert (gc.get_threshold(), gc.get_freeze_count(), gc.isenabled()) == (before, 0, True)


@needs_beside
def test_ctrl_c_during_a_build_stops_every_process_and_leaves_no_work_folder(
    tmp_path, example_path
):
    import os
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "out"
    build = subprocess.Popen(
        [sys.executable, "-m", "crisisplan", "build", str(example_path), "-o", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, as a terminal's Ctrl-C reaches
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 120
    while (
        not list(out.glob(".crisisplan/work-kopi-nusantara.*/out/*.html"))
        and time.monotonic() < deadline
    ):
        time.sleep(0.01)  # until the site is being written: the PDF's parts are typesetting
    os.killpg(build.pid, signal.SIGINT)
    output = build.communicate(timeout=120)[0].decode()
    assert build.returncode != 0
    assert "Traceback" not in output and "Process Fork" not in output, output
    assert output.rstrip().endswith("Aborted!")
    assert sorted(p.name for p in out.iterdir()) == [".crisisplan"]
    assert sorted(p.name for p in (out / ".crisisplan").iterdir()) == ["kopi-nusantara.lock"]
    time.sleep(0.5)
    left = subprocess.run(["ps", "-o", "pid=,args=", "-g", str(build.pid)], capture_output=True)
    assert "crisisplan" not in left.stdout.decode()
