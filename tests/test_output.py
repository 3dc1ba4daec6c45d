"""Durable output: never missing, never half-written, nothing left behind, one line per failure.

Builds run as real processes (``python -m crisisplan``), killed with SIGKILL and SIGTERM at
chosen moments; the moments are reached by a small driver that wraps one function of the
package before running the command, so the package itself holds no test hooks.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import material
import pytest
from click.testing import CliRunner

from crisisplan import output
from crisisplan.build import Options, build_handbook, build_many
from crisisplan.cli import cli
from crisisplan.errors import BuildError

pytestmark = pytest.mark.slow

SITE_ONLY = Options(pdf=False)
SITE_FORCE = Options(pdf=False, force=True)


def client(folder: Path, name: str = "Toko Maju", file: str = "questionnaire.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / file
    path.write_text(f"company:\n  name: {name}\n", encoding="utf-8")
    return path


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` and a digest of its bytes."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def leftovers(outdir: Path) -> list[str]:
    """What the output folder holds besides the handbooks and the state folder's locks."""
    extra = [p.name for p in outdir.iterdir() if p.name.startswith(".") and p.name != ".crisisplan"]
    state = outdir / ".crisisplan"
    if state.is_dir():
        extra += [f".crisisplan/{p.name}" for p in state.iterdir() if p.suffix != ".lock"]
    return sorted(extra)


DRIVER = """\
import os, pathlib, signal, sys
import crisisplan.output as output
import crisisplan.site as site

def kill():
    os.kill(os.getpid(), signal.{sig})

def wrap(module, name, *, before=False):
    real = getattr(module, name)
    def wrapped(*args, **kwargs):
        if before:
            kill()
        result = real(*args, **kwargs)
        kill()
        return result
    setattr(module, name, wrapped)

{setup}
from crisisplan.cli import main
sys.argv = ["crisisplan", *sys.argv[1:]]
main()
"""

# Where a build is killed, as code run before the command.
MOMENTS = {
    "after-the-site-is-built": 'wrap(site, "build_site")',
    "just-before-the-swap": 'wrap(output, "publish", before=True)',
    "just-after-the-swap": 'wrap(output, "publish")',
    # where no atomic exchange exists, the previous handbook is renamed aside, then the new in
    "between-the-two-renames": """\
output._renameat2 = lambda: None
real_rename = pathlib.Path.rename
def rename(self, target):
    result = real_rename(self, target)
    if pathlib.Path(target).name == "previous":
        kill()
    return result
pathlib.Path.rename = rename
""",
}


def run_killed(
    tmp_path: Path, args: list[str], setup: str, sig: str = "SIGKILL"
) -> subprocess.CompletedProcess[str]:
    """Run ``crisisplan ARGS`` after ``setup``, which sends ``sig`` at the chosen moment."""
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER.format(setup=setup, sig=sig), encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(driver), *args],
        capture_output=True,
        text=True,
        timeout=300,
        start_new_session=True,
    )


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    """A client built once: its questionnaire, the output folder and the handbook's files."""
    path = client(tmp_path / "clients")
    outdir = tmp_path / "out"
    build_handbook(path, outdir, SITE_ONLY)
    path.write_text(path.read_text() + "handbook:\n  version: '2'\n", encoding="utf-8")
    return path, outdir, snapshot(outdir / "toko-maju")


@pytest.mark.parametrize("moment", MOMENTS)
@pytest.mark.parametrize("sig", ["SIGKILL", "SIGTERM"])
def test_a_killed_build_leaves_the_previous_output_and_the_next_build_clears_up(
    built, tmp_path, moment, sig
):
    path, outdir, before = built
    args = ["build", str(path), "-o", str(outdir), "--no-pdf"]
    run = run_killed(tmp_path, args, MOMENTS[moment], sig)
    assert run.returncode != 0, run.stderr
    assert "Traceback" not in run.stderr, run.stderr
    after_swap = moment == "just-after-the-swap"
    if sig == "SIGTERM":  # handled like Ctrl-C: its own work folder is cleaned on the way out
        assert run.stderr.rstrip().endswith("Aborted!"), run.stderr
        assert leftovers(outdir) == []
    now = outdir / "toko-maju"
    if moment == "between-the-two-renames" and sig == "SIGKILL":
        assert not now.exists()  # only here: the next build puts the previous one back
    else:
        assert (snapshot(now) == before) != after_swap  # complete: the old one or the new one
    second = build_handbook(path, outdir, SITE_ONLY)
    assert leftovers(outdir) == []
    assert (second.output / "index.html").is_file()
    assert sorted(p.name for p in outdir.iterdir()) == [".crisisplan", "toko-maju"]


def test_a_build_killed_between_the_renames_is_undone_before_anything_else(built, tmp_path):
    path, outdir, before = built
    args = ["build", str(path), "-o", str(outdir), "--no-pdf"]
    run_killed(tmp_path, args, MOMENTS["between-the-two-renames"])
    with output.locked(outdir, "toko-maju"):  # what every build does first
        assert snapshot(outdir / "toko-maju") == before
    assert leftovers(outdir) == []


def test_the_handbook_is_swapped_in_one_step(built, monkeypatch):
    path, outdir, _ = built
    renames: list[tuple[str, str]] = []
    real = Path.rename
    monkeypatch.setattr(
        Path, "rename", lambda a, b: (renames.append((a.name, Path(b).name)), real(a, b))[1]
    )
    build_handbook(path, outdir, SITE_ONLY)
    assert ("out", "toko-maju") not in renames  # not moved in: exchanged with the old one
    assert output._renameat2() is not None
    assert leftovers(outdir) == []


def test_staging_is_private_and_outside_the_published_folders(built, monkeypatch):
    path, outdir, _ = built
    seen: list[tuple[Path, int]] = []
    real = output.publish

    def publish(staged: Path, target: Path, work: Path) -> None:
        seen.append((work, work.stat().st_mode & 0o777))
        seen.append((work.parent, work.parent.stat().st_mode & 0o777))
        real(staged, target, work)

    monkeypatch.setattr(output, "publish", publish)
    build_handbook(path, outdir, SITE_ONLY)
    (work, work_mode), (state, state_mode) = seen
    assert (work_mode, state_mode) == (0o700, 0o700)
    assert state == outdir / ".crisisplan"
    assert not work.exists()


def test_a_second_build_of_the_same_client_at_once_is_refused_in_one_line(built, tmp_path):
    path, outdir, _ = built
    driver = tmp_path / "slow.py"
    driver.write_text(
        textwrap.dedent(
            """\
            import sys, time
            import crisisplan.site as site
            real = site.build_site
            def slow(*a, **k):
                print("building", flush=True)
                time.sleep(4)
                return real(*a, **k)
            site.build_site = slow
            from crisisplan.cli import main
            sys.argv = ["crisisplan", *sys.argv[1:]]
            main()
            """
        ),
        encoding="utf-8",
    )
    first = subprocess.Popen(
        [sys.executable, str(driver), "build", str(path), "-o", str(outdir), "--no-pdf"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert first.stdout is not None
    assert first.stdout.readline() == "building\n"
    second = subprocess.run(
        [sys.executable, "-m", "crisisplan", "build", str(path), "-o", str(outdir), "--no-pdf"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    first.communicate(timeout=120)
    assert first.returncode == 0
    assert second.returncode == 1
    assert f"Error: another crisisplan build is writing {outdir / 'toko-maju'}" in second.stderr
    assert "Traceback" not in second.stderr
    assert leftovers(outdir) == []


def test_a_build_with_an_empty_tmpdir_leaves_it_empty(tmp_path, example_path):
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    for jobs in ("2", "1"):  # the PDF in parts in forked processes, and in this process
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "crisisplan",
                "build",
                str(example_path),
                "-o",
                str(tmp_path / "out"),
                "--force",
                "--jobs",
                jobs,
            ],
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "TMPDIR": str(tmpdir)},
        )
        assert run.returncode == 0, run.stderr
        assert list(tmpdir.iterdir()) == [], jobs
    assert leftovers(tmp_path / "out") == []


# -- disks that refuse -------------------------------------------------------------------------


@contextlib.contextmanager
def tmpfs(folder: Path, size: int) -> Iterator[Path]:
    """A small file system of its own at ``folder``, or a skip where this machine cannot."""
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_full_disk_is_one_line_and_the_previous_output_stays(tmp_path):
    path = client(tmp_path / "clients")
    probe = build_handbook(path, tmp_path / "probe", SITE_ONLY).output
    size = sum(p.stat().st_size for p in probe.rglob("*") if p.is_file())
    # A build writes the theme's files whole before it leaves some out (source maps, search
    # language packs): room for one build at its largest, not for a second handbook beside it.
    theme = Path(material.__file__).parent / "templates" / "assets" / "javascripts"
    left_out = sum(
        p.stat().st_size for p in theme.rglob("*") if p.suffix == ".map" or "lunr" in p.parts
    )
    with tmpfs(tmp_path / "disk", int(size * 1.6) + left_out) as disk:
        first = build_handbook(path, disk, SITE_ONLY)
        before = snapshot(first.output)
        with pytest.raises(BuildError) as info:
            build_handbook(path, disk, SITE_FORCE)
        [line] = info.value.format_message().splitlines()
        assert line.startswith(f"Error: {disk}/.crisisplan/work-toko-maju."), line
        assert line.endswith(
            ": no space left on device; free some space on that disk. The previous output is"
            " unchanged."
        ), line
        assert snapshot(first.output) == before
        assert leftovers(disk) == []


def test_a_read_only_disk_is_one_line(tmp_path):
    path = client(tmp_path / "clients")
    with tmpfs(tmp_path / "disk", 64 * 1024 * 1024) as disk:
        first = build_handbook(path, disk, SITE_ONLY)
        before = snapshot(first.output)
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        run = subprocess.run(
            [sys.executable, "-m", "crisisplan", "build", str(path), "-o", str(disk), "--force"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 1
        assert "Traceback" not in run.stderr
        assert (
            f"Error: {disk}/.crisisplan: read-only file system; the disk is"
            " read-only: choose another output folder with -o. The previous output is unchanged."
        ) in run.stderr, run.stderr
        assert snapshot(first.output) == before


@pytest.mark.parametrize(
    ("code", "advice"),
    [
        (errno.ENOSPC, "free some space on that disk"),
        (errno.EROFS, "the disk is read-only: choose another output folder with -o"),
        (errno.EACCES, "you may not write there: choose another output folder with -o"),
    ],
)
def test_every_operating_system_error_is_one_line(built, monkeypatch, code, advice):
    """The same, simulated, for machines where a file system cannot be mounted."""
    path, outdir, before = built

    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code), str(outdir / "toko-maju" / "x.html"))

    monkeypatch.setattr("crisisplan.build.build_site", fail)
    with pytest.raises(BuildError) as info:
        build_handbook(path, outdir, SITE_ONLY)
    assert info.value.format_message() == (
        f"Error: {outdir / 'toko-maju' / 'x.html'}: {os.strerror(code).lower()}; {advice}."
        " The previous output is unchanged."
    )
    assert snapshot(outdir / "toko-maju") == before
    assert leftovers(outdir) == []


# -- folder names that keep clients apart ------------------------------------------------------


def test_non_latin_companies_get_folders_of_their_own_across_runs(tmp_path):
    moscow = client(tmp_path / "a", "Кофе Москва")
    tokyo = client(tmp_path / "b", "株式会社コーヒー")
    first = build_handbook(moscow, tmp_path / "out", SITE_ONLY)
    second = build_handbook(tokyo, tmp_path / "out", SITE_ONLY)
    assert (first.slug, second.slug) == ("kofe-moskva", "zhushihuishekohi")
    assert (first.output / "index.html").is_file() and (second.output / "index.html").is_file()


def test_a_build_never_clears_the_work_folder_of_a_client_whose_name_starts_with_its_own(
    tmp_path,
):
    """ "Toko" clears what a killed build of "Toko" left, never the work folder of a build of
    "Toko Maju" (or of Toko's public edition) running at the same time: "toko" is a prefix of
    "toko-maju", so work folders are named with a character no slug has."""
    running = tmp_path / "out" / ".crisisplan"
    running.mkdir(parents=True, mode=0o700)
    theirs = Path(tempfile.mkdtemp(prefix="work-toko-maju.", dir=running))
    (theirs / "pdf").mkdir()
    killed = Path(tempfile.mkdtemp(prefix="work-toko.", dir=running))
    build_handbook(client(tmp_path / "a", "Toko"), tmp_path / "out", SITE_ONLY)
    assert (theirs / "pdf").is_dir()
    assert not killed.exists()


def test_a_build_that_would_replace_another_clients_handbook_refuses(tmp_path):
    one = client(tmp_path / "a", "Toko Maju")
    other = client(tmp_path / "b", "Toko Maju!")  # another file, the same folder name
    first = build_handbook(one, tmp_path / "out", SITE_ONLY)
    before = snapshot(first.output)
    with pytest.raises(BuildError) as info:
        build_handbook(other, tmp_path / "out", SITE_ONLY)
    assert info.value.format_message() == (
        f"Error: {first.output} holds the handbook of another questionnaire whose company name"
        f" gives the same folder; give {other} a distinct company.name, or remove"
        f" {first.output} to replace it."
    )
    assert snapshot(first.output) == before
    assert build_handbook(one, tmp_path / "out", SITE_FORCE).output == first.output


def test_a_questionnaire_moved_to_another_folder_builds_into_its_handbook(tmp_path):
    """A new CI checkout path moves every questionnaire: the handbook is the company's, not
    the path's, so the moved questionnaire is up to date where it is unchanged, and replaces
    the handbook rather than being refused where it changed."""
    first = build_handbook(
        client(tmp_path / "checkout-1", "Toko Maju"), tmp_path / "out", SITE_ONLY
    )
    moved = client(tmp_path / "checkout-2", "Toko Maju")
    second = build_handbook(moved, tmp_path / "out", SITE_ONLY)
    assert second.output == first.output and second.skipped
    moved.write_text(moved.read_text(encoding="utf-8") + "  summary: Toko baru\n", "utf-8")
    third = build_handbook(moved, tmp_path / "out", SITE_ONLY)
    assert third.output == first.output and not third.skipped
    pages = "".join(p.read_text(encoding="utf-8") for p in third.output.rglob("*.html"))
    assert "Toko baru" in pages
    assert str(tmp_path) not in (third.output / ".crisisplan").read_text(encoding="utf-8")


def test_a_company_name_corrected_in_place_is_still_the_same_client(tmp_path):
    """Fixing the case of a company's name in the same questionnaire keeps its folder: the
    questionnaire is the same one, though the name as written changed."""
    path = client(tmp_path / "c", "Toko maju")
    first = build_handbook(path, tmp_path / "out", SITE_ONLY)
    path.write_text(path.read_text(encoding="utf-8").replace("Toko maju", "Toko Maju"), "utf-8")
    second = build_handbook(path, tmp_path / "out", SITE_ONLY)
    assert second.output == first.output and not second.skipped


def test_a_handbook_marked_with_its_questionnaires_path_is_still_told_apart(tmp_path):
    """Handbooks built before the marker named the company carry a digest of their
    questionnaire's path: the same questionnaire rebuilds them, another one is refused."""
    one = client(tmp_path / "a", "Toko Maju")
    first = build_handbook(one, tmp_path / "out", SITE_ONLY)
    marker = first.output / ".crisisplan"
    record = json.loads(marker.read_text(encoding="utf-8"))
    del record["company"]
    record["source"] = hashlib.sha256(str(one.resolve()).encode()).hexdigest()[:16]
    marker.write_text(json.dumps(record), encoding="utf-8")
    with pytest.raises(BuildError, match="holds the handbook of another questionnaire"):
        build_handbook(client(tmp_path / "b", "Toko Maju!"), tmp_path / "out", SITE_ONLY)
    assert build_handbook(one, tmp_path / "out", SITE_FORCE).output == first.output


def test_the_questionnaire_is_sized_before_it_is_read(tmp_path):
    path = tmp_path / "huge.yaml"
    with path.open("wb") as file:
        file.truncate(2 * 1024**3)  # 2 GB, sparse: reading it would take seconds and memory
    started = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "crisisplan", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert time.perf_counter() - started < 20
    assert (
        f"{path}:1:1: the file is 2,147,483,648 bytes; at most 4,194,304 are allowed" in run.stderr
    )


def test_a_build_killed_while_its_pdf_typesets_leaves_no_process_and_no_file(
    tmp_path, example_path
):
    outdir = tmp_path / "out"
    args = ["build", str(example_path), "-o", str(outdir), "--jobs", "2"]
    run = run_killed(tmp_path, args, 'wrap(site, "build_site")')  # the PDF's parts still run
    assert run.returncode == -9
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # the PDF's processes see their parent gone and end
        ps = subprocess.run(["ps", "-eo", "args="], capture_output=True, text=True).stdout
        if str(tmp_path) not in ps:
            break
        time.sleep(0.2)
    assert str(tmp_path) not in ps
    assert not (outdir / "kopi-nusantara").exists()
    result = build_handbook(example_path, outdir)
    assert result.pdf is not None and result.pdf.is_file()
    assert leftovers(outdir) == []


# -- one half at a time: --no-pdf and --no-site keep the other -------------------------------


def build_cli(*args: str | Path) -> str:
    """``crisisplan build ARGS`` in this process; what it printed (stdout and stderr)."""
    result = CliRunner().invoke(cli, ["build", *map(str, args)])
    assert result.exit_code == 0, result.output
    return result.output


def row(printed: str, folder: Path) -> list[str]:
    """The summary's cells for ``folder``: pages, PDF, warnings, time, status."""
    (line,) = [ln for ln in printed.splitlines() if ln.startswith(f"{folder}  ")]
    return [cell.strip() for cell in line[len(str(folder)) :].split("  ") if cell.strip()]


def linked(handbook: Path) -> list[str]:
    """The PDFs the site's home page offers for download."""
    page = (handbook / "index.html").read_text(encoding="utf-8")
    return re.findall(r'class="cp-pdf" href="([^"]+)"', page)


def site_files(handbook: Path) -> dict[str, str]:
    """The site's files and their digests: all but the PDF and the marker."""
    return {
        name: digest
        for name, digest in snapshot(handbook).items()
        if not name.endswith(".pdf") and name != output.MARKER
    }


def test_no_pdf_keeps_a_current_pdf_linked_and_a_stale_one_unlinked_with_one_line(tmp_path):
    path = client(tmp_path / "clients")
    outdir = tmp_path / "out"
    full = build_handbook(path, outdir)
    assert full.pdf is not None and not full.skipped
    pdf = full.pdf.read_bytes()
    assert linked(full.output) == [full.pdf.name]
    # the flags alone change nothing: each half is as its inputs left it
    printed = build_cli(path, "-o", outdir, "--no-pdf")
    assert f"{path}: up to date" in printed
    assert row(printed, full.output)[-1] == "up to date"
    assert not row(printed, full.output)[1].endswith("(out of date)")
    assert full.pdf.read_bytes() == pdf
    assert linked(full.output) == [full.pdf.name]
    assert build_handbook(path, outdir).skipped
    # a changed questionnaire: the site is rebuilt, the PDF kept on disk but not offered
    path.write_text(path.read_text() + "  industry: Hardware\n", encoding="utf-8")
    printed = build_cli(path, "-o", outdir, "--no-pdf")
    notice = (
        "the PDF is out of date (its inputs changed): kept, no longer linked from the site;"
        " build without --no-pdf to update it"
    )
    assert f"{path}: {notice}" in printed.splitlines()  # as the build goes
    assert f"{full.output}: {notice}" in printed.splitlines()  # under the summary
    assert row(printed, full.output)[1].endswith("(out of date)")
    assert "Hardware" in (full.output / "about.html").read_text(encoding="utf-8")
    assert full.pdf.read_bytes() == pdf
    assert linked(full.output) == []
    assert leftovers(outdir) == []
    # the next full build brings the PDF up to date and offers it again
    again = build_handbook(path, outdir)
    assert not again.skipped and again.stale == () and again.notices == ()
    assert again.pdf == full.pdf and again.pdf.read_bytes() != pdf
    assert linked(again.output) == [again.pdf.name]


def test_no_site_keeps_the_site_and_never_counts_pages_it_did_not_build(tmp_path):
    path = client(tmp_path / "clients")
    outdir = tmp_path / "out"
    printed = build_cli(path, "-o", outdir, "--no-site")
    handbook = outdir / "toko-maju"
    assert row(printed, handbook)[0] == "-"  # no site was built, none is there
    assert not (handbook / "index.html").exists()
    pdf = next(handbook.glob("*.pdf"))
    typeset = pdf.read_bytes()
    # a full build now builds only the site, which links the PDF already there
    full = build_handbook(path, outdir)
    assert not full.skipped and full.pdf == pdf and pdf.read_bytes() == typeset
    assert linked(handbook) == [pdf.name]
    site = site_files(handbook)
    # another paper changes only the PDF: the site stays as it was, byte for byte
    printed = build_cli(path, "-o", outdir, "--no-site", "--paper", "letter")
    assert row(printed, handbook)[0] == str(full.pages)
    assert row(printed, handbook)[-1] == "built"
    assert pdf.read_bytes() != typeset
    assert site_files(handbook) == site
    assert linked(handbook) == [pdf.name]
    assert build_handbook(path, outdir, Options(paper="letter")).skipped
    # an edit the site does not show yet: the site is kept, and said to be out of date
    path.write_text(path.read_text() + "  industry: Hardware\n", encoding="utf-8")
    printed = build_cli(path, "-o", outdir, "--no-site", "--paper", "letter")
    notice = (
        "the site is out of date (its inputs changed): kept as it was;"
        " build without --no-site to update it"
    )
    assert f"{handbook}: {notice}" in printed.splitlines()
    assert row(printed, handbook)[0] == f"{full.pages} (out of date)"
    assert site_files(handbook) == site


def test_a_batch_with_no_pdf_keeps_every_clients_pdf(tmp_path):
    one = client(tmp_path / "a", "Toko Satu")
    two = client(tmp_path / "b", "Toko Dua")
    outdir = tmp_path / "out"
    first = build_many([one, two], outdir, jobs=2)
    pdfs = {o.result.pdf: o.result.pdf.read_bytes() for o in first if o.result and o.result.pdf}
    assert len(pdfs) == 2
    two.write_text(two.read_text() + "  industry: Hardware\n", encoding="utf-8")
    second = build_many([one, two], outdir, SITE_ONLY, jobs=2)
    assert [o.result.skipped for o in second if o.result] == [True, False]
    assert {p: p.read_bytes() for p in pdfs} == pdfs
    assert [o.result.stale for o in second if o.result] == [(), ("pdf",)]
    assert [linked(o.result.output) for o in second if o.result] == [[first[0].result.pdf.name], []]
