"""A full disk, and a process that dies, in every process of a build: one line naming the path
(or the process) and what to do; the previous output kept; no temporary file left behind.

A full disk is simulated without root by sending the writes of chosen files to ``/dev/full``
(where every write fails with ENOSPC, naming no file, as on a full disk), and met for real on
a small tmpfs filled to many levels where this machine may mount one.
"""

from __future__ import annotations

import builtins
import io
import multiprocessing
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from test_output import client, leftovers, snapshot, tmpfs

from crisisplan import build as build_module
from crisisplan import protect
from crisisplan.build import Options, _beside, build_handbook, build_many
from crisisplan.errors import BuildError
from crisisplan.pdf import parts

pytestmark = [pytest.mark.slow, pytest.mark.pdf]

ENOSPC_END = (
    ": no space left on device; free some space on that disk. The previous output is unchanged."
)
PASSPHRASE = protect.Passphrase("correct horse battery staple")
needs_fork = pytest.mark.skipif(
    not _beside(Options()), reason="the PDF's processes need fork and 2 cores"
)


def ended(stage: str) -> str:
    return (
        f"Error: {stage} ended unexpectedly (killed, or out of memory); try again, or build"
        " with --jobs 1, which needs less memory. The previous output is unchanged."
    )


# -- a full disk for chosen files --------------------------------------------------------------


def fill_disk_for(monkeypatch: pytest.MonkeyPatch, full: Callable[[Path], bool]) -> list[bool]:
    """Writes to files for which ``full(path)`` holds go to /dev/full, in this process and in
    those it forks, while the returned switch is on (it starts on)."""
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    real_open = builtins.open
    switch = [True]

    def open_(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if (
            switch[0]
            and isinstance(file, (str, os.PathLike))
            and any(c in mode for c in "wax+")
            and full(Path(os.fspath(file)))
        ):
            return real_open("/dev/full", mode.replace("x", "w"), *args, **kwargs)
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", open_)
    monkeypatch.setattr(io, "open", open_)  # what pathlib calls
    return switch


@pytest.fixture(scope="module")
def previous(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small client built once with its site and PDF: its questionnaire and output folder."""
    root = tmp_path_factory.mktemp("previous")
    path = client(root / "clients")
    build_handbook(path, root / "output")
    return path, root / "output"


@pytest.fixture
def outdir(previous: tuple[Path, Path], tmp_path: Path) -> Path:
    """A copy of the built output folder, for one test to fail to replace."""
    shutil.copytree(previous[1], tmp_path / "output")
    return tmp_path / "output"


def pdf_file(path: Path) -> bool:
    return path.suffix == ".pdf" and path.parent.name == "pdf"


def in_site(path: Path) -> bool:
    """Whether ``path`` is in the site a build makes (``work-…/out``)."""
    return any(a.name == "out" and a.parent.name.startswith("work-") for a in path.parents)


#: Where the disk is full, the build that meets it and the file or folder its line names.
STAGES = {
    "a-part-of-the-pdf": (
        lambda p: p.name.endswith(".pdf.part1"),
        Options(site=False, parts=2),
        r"/pdf/\.toko-maju-[^/]*\.pdf\.part1",
    ),
    "the-join-in-the-pdfs-process": (pdf_file, Options(parts=2), r"/pdf/toko-maju-[^/]*\.pdf"),
    "the-pdf-in-one-process": (
        pdf_file,
        Options(site=False, side_by_side=False),
        r"/pdf/toko-maju-[^/]*\.pdf",
    ),
    "weasyprints-font-folder": (
        lambda p: p.parent.name.startswith("weasyprint-"),
        Options(site=False, parts=2),
        r"/pdf/\.toko-maju-[^/]*\.pdf\.tmp",
    ),
    "the-site": (lambda p: p.suffix == ".html" and in_site(p), Options(pdf=False), r"/out"),
    # a copy by sendfile names its file; one to /dev/full falls back to writes, which do not
    "the-site-files-it-copies": (
        lambda p: p.suffix == ".js" and in_site(p),
        Options(pdf=False),
        r"/out",
    ),
    "the-record-of-the-build": (
        lambda p: p.name == ".crisisplan" and in_site(p),
        Options(pdf=False),
        r"/out/\.crisisplan",
    ),
}


@needs_fork
@pytest.mark.parametrize("stage", STAGES)
def test_a_full_disk_in_every_stage_is_one_line_naming_the_path(
    previous, outdir, monkeypatch, capfd, stage
):
    full, options, where = STAGES[stage]
    path = previous[0]
    before = snapshot(outdir / "toko-maju")
    fill_disk_for(monkeypatch, full)
    with pytest.raises(BuildError) as raised:
        build_handbook(path, outdir, replace(options, force=True))
    line = raised.value.format_message()
    assert len(line.splitlines()) == 1, line
    assert re.fullmatch(
        rf"Error: {re.escape(str(outdir))}/\.crisisplan/work-toko-maju\.[^/]+{where}"
        + re.escape(ENOSPC_END),
        line,
    ), line
    assert capfd.readouterr().err == ""  # not a word from a forked process, nor from qpdf
    assert snapshot(outdir / "toko-maju") == before
    assert leftovers(outdir) == []
    assert multiprocessing.active_children() == []


def test_a_full_disk_when_the_pdf_is_encrypted_is_one_line(previous, tmp_path, monkeypatch, capfd):
    path = previous[0]
    outdir = tmp_path / "output"
    build_handbook(path, outdir, Options(site=False, passphrase=PASSPHRASE))
    before = snapshot(outdir / "toko-maju")
    switch = fill_disk_for(monkeypatch, pdf_file)
    switch[0] = False
    real = protect.encrypt_pdf

    def encrypt_pdf(*args: Any) -> None:  # the disk fills once the PDF is typeset
        switch[0] = True
        real(*args)

    monkeypatch.setattr(protect, "encrypt_pdf", encrypt_pdf)
    with pytest.raises(BuildError) as raised:
        build_handbook(path, outdir, Options(site=False, passphrase=PASSPHRASE, force=True))
    line = raised.value.format_message()
    assert len(line.splitlines()) == 1, line
    assert re.fullmatch(
        rf"Error: {re.escape(str(outdir))}/\.crisisplan/work-toko-maju\.[^/]+/pdf/"
        r"toko-maju-[^/]*\.pdf" + re.escape(ENOSPC_END),
        line,
    ), line
    assert capfd.readouterr().err == ""
    assert snapshot(outdir / "toko-maju") == before
    assert leftovers(outdir) == []


# -- a process that dies -----------------------------------------------------------------------


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


@needs_fork
def test_a_part_of_the_pdf_that_dies_is_one_line(tmp_path, monkeypatch):
    real = parts.save

    def save(document: Any, target: Path, **kwargs: Any) -> None:  # in a forked part
        if target.name.endswith(".part1"):
            die()
        real(document, target, **kwargs)

    monkeypatch.setattr(parts, "save", save)
    with pytest.raises(BuildError) as raised:
        build_handbook(client(tmp_path / "c"), tmp_path / "out", Options(site=False, parts=2))
    assert raised.value.format_message() == ended("part 2 of the PDF")  # .part1: the second
    assert multiprocessing.active_children() == []
    assert leftovers(tmp_path / "out") == []


@needs_fork
def test_the_pdfs_process_that_dies_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr(parts, "typeset", lambda *args, **kwargs: die())
    with pytest.raises(BuildError) as raised:
        build_handbook(client(tmp_path / "c"), tmp_path / "out", Options())
    assert raised.value.format_message() == ended("the PDF's process")
    assert multiprocessing.active_children() == []
    assert leftovers(tmp_path / "out") == []


@needs_fork
def test_a_batch_process_that_dies_is_one_line_for_its_client(tmp_path, monkeypatch):
    doomed = client(tmp_path / "a", "Toko Doomed")
    real = build_module._build_handbook

    def build(path: Any, *args: Any) -> Any:  # in a process of the batch
        if Path(path) == doomed:
            die()
        return real(path, *args)

    monkeypatch.setattr(build_module, "_build_handbook", build)
    outcomes = build_many(
        [doomed, client(tmp_path / "b", "Toko Lain")], tmp_path / "out", Options(pdf=False), jobs=2
    )
    assert outcomes[0].result is None
    assert outcomes[0].error == ended(f"the process building {doomed}")
    # the other client was built, or lost with the pool: said in the same line
    other = outcomes[1]
    assert other.result is not None or other.error == ended(f"the process building {other.path}")


# -- temporary files ---------------------------------------------------------------------------


@needs_fork
def test_a_build_killed_with_its_pdf_workers_leaves_nothing_in_tmpdir(tmp_path, example_path):
    """WeasyPrint's temporary font folders are in the work folder, which the next build
    clears, not in TMPDIR, which nothing clears."""
    tmpdir, outdir = tmp_path / "tmp", tmp_path / "out"
    tmpdir.mkdir()
    env = {**os.environ, "TMPDIR": str(tmpdir)}
    command = [sys.executable, "-m", "crisisplan", "build", str(example_path), "-o", str(outdir)]
    build = subprocess.Popen(
        [*command, "--jobs", "2"],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        fonts: list[Path] = []
        while not fonts and build.poll() is None and time.monotonic() < deadline:
            fonts = [*tmpdir.rglob("weasyprint-*"), *outdir.rglob("weasyprint-*")]
            time.sleep(0.05)
        assert fonts, "the PDF's parts never began"
    finally:
        os.killpg(build.pid, signal.SIGKILL)  # the build, its PDF's process and its parts
        build.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # its processes all end
        ps = subprocess.run(["ps", "-eo", "pgid="], capture_output=True, text=True).stdout
        if str(build.pid) not in ps.split():
            break
        time.sleep(0.1)
    assert list(tmpdir.iterdir()) == []
    assert any((outdir / ".crisisplan").glob("work-kopi-nusantara.*/pdf/.*.tmp/weasyprint-*"))
    again = subprocess.run([*command, "-q"], env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert list(tmpdir.iterdir()) == []
    assert leftovers(outdir) == []


# -- a real full disk --------------------------------------------------------------------------

LEVELS = 12


def test_a_disk_filled_to_many_levels_builds_or_fails_in_one_line(tmp_path, example_path):
    """On an 8 MB disk holding a handbook (1.8 MB), filled from empty to nearly full: each
    build either succeeds or says in one line which file did not fit, and the handbook
    before it is kept whole."""
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    env = {**os.environ, "TMPDIR": str(tmpdir)}
    with tmpfs(tmp_path / "disk", 8 * 1024 * 1024) as disk:
        outdir = disk / "out"

        def build(*args: str) -> subprocess.CompletedProcess[str]:
            command = ["build", "-q", "--force", str(example_path), "-o", str(outdir), *args]
            return subprocess.run(
                [sys.executable, "-m", "crisisplan", *command],
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )

        first = build()
        assert first.returncode == 0, first.stderr
        handbook = outdir / "kopi-nusantara"
        free = shutil.disk_usage(disk).free
        failed = []
        for level in range(LEVELS):
            before = snapshot(handbook)
            fill = disk / "fill"
            fill.write_bytes(b"\0" * max(0, min(free * level // (LEVELS - 1), free - 16384)))
            # the PDF beside the site, in parts; then in one process, before the site
            run = build() if level % 2 == 0 else build("--jobs", "1")
            fill.unlink()
            if run.returncode == 0:
                assert run.stderr == ""
                assert (handbook / "index.html").is_file()
                assert len(list(handbook.glob("*.pdf"))) == 1
            else:
                failed.append(level)
                assert len(run.stderr.splitlines()) == 1, run.stderr
                line = run.stderr.rstrip("\n")
                assert line.startswith(f"Error: {outdir}/"), line
                assert "space" in line, line
                assert line.endswith(ENOSPC_END), line
                assert snapshot(handbook) == before, line
            assert leftovers(outdir) == []
            assert list(tmpdir.iterdir()) == []
        assert len(failed) >= LEVELS // 2, failed  # the disk was full, most times
