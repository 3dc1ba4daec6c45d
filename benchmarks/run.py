"""Benchmarks of crisisplan's build on the bundled example (a script, not a test).

    .venv/bin/python benchmarks/run.py            # 3 runs of everything (about half an hour)
    .venv/bin/python benchmarks/run.py --quick    # 1 run of everything
    .venv/bin/python benchmarks/run.py --only whole,clients --runs 5

Every figure is one command in a fresh subprocess (so every route pays its own imports), timed
from the outside (wall clock) with the CPU time and peak memory of its whole process tree.
Alternatives are measured side by side in the same round, in a rotating order, and ratios are
taken within each round, so a noisy machine slows both sides of a ratio alike. The output is a
Markdown table: paste it into docs/benchmarks.md.

Sections (``--only`` takes their names):

whole    crisisplan build (site + PDF), the plain route (mkdocs build + weasyprint on the
         exported project) and the mkdocs-to-pdf plugin route, on the reference example
clients  8 client questionnaires built with --jobs 1 and --jobs 2, the rebuild with nothing
         changed, and the rebuild after one client's questionnaire changed
threats  questionnaires with 150 and 300 threats: time and peak memory
scale    questionnaires with 100, 300 and 1,000 threats: time, memory and the site's bytes,
         which must grow linearly (each threat page the same size, whatever the count)
weight   the reference site's weight: its folder, and what the home page and a threat page
         load in Chromium as a host sends it (gzip); the Nu HTML Checker's and axe-core's
         findings (tests/tools, installed by scripts/test.sh)
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import datetime as dt
import hashlib
import importlib.metadata as md
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "content" / "examples" / "kopi-nusantara" / "questionnaire.yaml"
VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
MKDOCS = [PYTHON, "-m", "mkdocs"]
WEASYPRINT = [str(VENV_BIN / "weasyprint")] if (VENV_BIN / "weasyprint").exists() else []
# The installed command: `python -m crisisplan` would put the current folder first on the
# module path (docs/security.md); -P keeps it off where the command is missing.
CRISISPLAN = (
    [str(VENV_BIN / "crisisplan")]
    if (VENV_BIN / "crisisplan").exists()
    else [PYTHON, "-P", "-m", "crisisplan"]
)
TO_PDF_REQUIREMENT = "mkdocs-to-pdf>=0.12,<0.13"
TIMEOUT = 1800  # seconds for one command
SECTIONS = ("whole", "clients", "threats", "scale", "weight")
TOOLS = ROOT / "tests" / "tools" / "node_modules"
CHROMIUM = "/usr/bin/chromium"
CLIENT_NAMES = [
    "Kopi Nusantara",
    "Teh Tarik Bersama",
    "Warung Senja",
    "Roti Bakar Delapan",
    "Bakmi Jaya Abadi",
    "Sate Madura House",
    "Es Cendol Segar",
    "Nasi Padang Raya",
]
ENV = {
    **os.environ,
    "NO_MKDOCS_2_WARNING": "1",  # Material's end-of-life banner, printed on every mkdocs run
    "PYTHONDONTWRITEBYTECODE": "1",
}


# -- measuring one command --------------------------------------------------------------------


@dataclass
class Sample:
    """One command's run: wall seconds, CPU seconds and peak memory of its process tree."""

    wall: float
    cpu: float
    maxrss_mib: float  # the largest single process (ru_maxrss of the tree, as /usr/bin/time -v)
    tree_mib: float  # the largest sum of the tree's RSS at once (sampled; an upper bound)
    returncode: int
    log: Path

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def tail(self, lines: int = 15) -> str:
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no output)"
        return "\n".join(text.rstrip().splitlines()[-lines:])


class CommandFailed(Exception):
    """A measured command exited with an error."""

    def __init__(self, what: str, sample: Sample) -> None:
        super().__init__(f"{what} exited with {sample.returncode}:\n{sample.tail()}")
        self.sample = sample


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def _rss_kib(pid: int) -> int:
    """Resident set size of one process (cheap to read, unlike smaps' PSS)."""
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    except OSError:
        return 0


class TreeSampler(threading.Thread):
    """Samples the RSS of a process and all its descendants; keeps the peak of their sum.

    An upper bound: pages a forked process still shares with its parent count twice.
    """

    def __init__(self, pid: int, interval: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_kib = 0
        self.stop = threading.Event()

    def run(self) -> None:
        if not Path("/proc/self/stat").exists():
            return
        while not self.stop.is_set():
            children = _children_map()
            tree, todo = [], [self.pid]
            while todo:
                pid = todo.pop()
                tree.append(pid)
                todo += children.get(pid, [])
            self.peak_kib = max(self.peak_kib, sum(_rss_kib(p) for p in tree))
            self.stop.wait(self.interval)


class Runner:
    """Runs commands in fresh subprocesses; each command's output goes to a numbered log."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.count = 0

    def run(self, cmd: Sequence[str], *, cwd: Path | None = None) -> Sample:
        self.count += 1
        log = self.logs / f"{self.count:03d}-{Path(cmd[0]).name}.log"
        with log.open("wb") as out:
            out.write(("$ " + " ".join(map(str, cmd)) + "\n").encode())
            out.flush()
            started = time.perf_counter()
            proc = subprocess.Popen(
                [str(c) for c in cmd],
                cwd=cwd,
                env=ENV,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # so a command that hangs is ended with its children
            )
            sampler = TreeSampler(proc.pid)
            sampler.start()
            timer = threading.Timer(TIMEOUT, _kill_group, (proc.pid,))
            timer.start()
            try:
                _, status, usage = os.wait4(proc.pid, 0)
            except BaseException:  # interrupted: end the command and its children too
                _kill_group(proc.pid)
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(proc.pid, 0)
                raise
            finally:
                timer.cancel()
                sampler.stop.set()
            wall = time.perf_counter() - started
            proc.returncode = os.waitstatus_to_exitcode(status)
            sampler.join()
        return Sample(
            wall=wall,
            cpu=usage.ru_utime + usage.ru_stime,
            maxrss_mib=usage.ru_maxrss / 1024,  # KiB on Linux; includes waited-for descendants
            tree_mib=sampler.peak_kib / 1024,
            returncode=proc.returncode,
            log=log,
        )

    def check(self, what: str, cmd: Sequence[str], *, cwd: Path | None = None) -> Sample:
        sample = self.run(cmd, cwd=cwd)
        if not sample.ok:
            raise CommandFailed(what, sample)
        return sample


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


# -- the figures --------------------------------------------------------------------------------


@dataclass
class Figure:
    """One row of the table: measured values (seconds, MiB, a ratio or a count) and a target."""

    key: str
    label: str
    unit: str  # "s", "MiB", "x" (a ratio) or "" (a count)
    values: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    target: str = ""
    check: Callable[[float], bool] | None = None
    error: str | None = None

    @property
    def median(self) -> float | None:
        return statistics.median(self.values) if self.values else None

    def verdict(self) -> str:
        if self.error:
            return "ERROR"
        if self.check is None or self.median is None:
            return "-" if self.median is not None else "n/a"
        return "PASS" if self.check(self.median) else "FAIL"


class Report:
    def __init__(self) -> None:
        self.figures: dict[str, Figure] = {}
        self.notes: list[str] = []
        self.errors: list[str] = []

    def figure(
        self, key: str, label: str, unit: str, target: str = "", check: Any = None
    ) -> Figure:
        if key not in self.figures:
            self.figures[key] = Figure(key, label, unit, target=target, check=check)
        return self.figures[key]

    def add(self, key: str, value: float, cpu: float | None = None) -> None:
        self.figures[key].values.append(value)
        if cpu is not None:
            self.figures[key].cpu.append(cpu)

    def fail(self, keys: Sequence[str], message: str) -> None:
        for key in keys:
            if key in self.figures and not self.figures[key].error:
                self.figures[key].error = message.splitlines()[0][:80]
        self.errors.append(message)
        print(f"\n!! {message}\n", file=sys.stderr, flush=True)


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "s":
        return f"{value:.1f} s" if value >= 1 else f"{value:.2f} s"
    if unit == "MiB":
        return f"{value:.0f} MiB"
    if unit == "x":
        return f"{value:.2f}"
    if unit == "kB":
        return f"{value:,.0f} kB"
    return f"{value:g}"


def table(report: Report) -> str:
    rows = [("#", "figure", "median", "min – max", "CPU s", "target", "result")]
    for n, f in enumerate(report.figures.values(), 1):
        spread = (
            f"{fmt(min(f.values), f.unit)} – {fmt(max(f.values), f.unit)}"
            if len(f.values) > 1
            else ""
        )
        cpu = f"{statistics.median(f.cpu):.1f}" if f.cpu else ""
        median = fmt(f.median, f.unit) if not f.error or f.values else "error"
        rows.append((str(n), f.label, median, spread, cpu, f.target, f.verdict()))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for i, row in enumerate(rows):
        lines.append("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
        if i == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


# -- the machine ---------------------------------------------------------------------------------


def git(*args: str) -> str:
    try:
        out = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return ""
    return out.strip()


def revision() -> str:
    """The commit measured, and whether the code or themes differ from it."""
    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--untracked-files=no", "--", "generator", "themes")
    return f"commit {commit}{' (modified)' if dirty else ''}"


def machine() -> list[tuple[str, str]]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = "unknown"
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"

    def version(name: str) -> str:
        try:
            return md.version(name)
        except md.PackageNotFoundError:
            return "not installed"

    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    return [
        ("date", dt.datetime.now().astimezone().isoformat(timespec="seconds")),
        ("CPU", cpu),
        ("cores", str(os.cpu_count())),
        ("RAM", ram),
        ("OS", platform.platform()),
        ("Python", platform.python_version()),
        ("crisisplan", f"{version('crisisplan')}, {revision()} at the start"),
        ("mkdocs", version("mkdocs")),
        ("mkdocs-material", version("mkdocs-material")),
        ("weasyprint", version("weasyprint")),
        ("mkdocs-to-pdf", version("mkdocs-to-pdf")),
        ("load average at start (1/5/15 min)", load),
    ]


# -- questionnaires ----------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:  # crisisplan refuses YAML aliases
        return True


def write_questionnaire(data: dict[str, Any], folder: Path) -> Path:
    """Write ``folder/questionnaire.yaml`` with the reference's logo beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "questionnaire.yaml"
    path.write_text(
        yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100),
        encoding="utf-8",
    )
    logo = data.get("brand", {}).get("logo")
    if logo:
        shutil.copyfile(EXAMPLE.parent / logo, folder / logo)
    return path


def reference() -> dict[str, Any]:
    return yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))


def client_questionnaires(root: Path) -> list[Path]:
    """Eight copies of the reference, each with its own company name, in ``root/<slug>/``."""
    base = reference()
    paths = []
    for name in CLIENT_NAMES:
        data = copy.deepcopy(base)
        data["company"]["name"] = name
        slug = name.lower().replace(" ", "-")
        paths.append(write_questionnaire(data, root / slug))
    return paths


ADJECTIVES = ["viral", "regional", "overnight", "weekend", "holiday", "repeated", "coordinated"]
PLACES = ["Jakarta", "Bandung", "Surabaya", "Yogyakarta", "Denpasar", "Semarang", "Malang"]


def many_threats(count: int) -> dict[str, Any]:
    """The reference with ``count`` threats: variations of its own, all ids unique."""
    data = reference()
    templates = [t for t in data["threats"] if t.get("holding_statement")]
    channels = {c["id"]: c.get("max_length") for c in data["channels"]}
    severities = [s["id"] for s in data["severity_levels"]]
    threats = []
    for i in range(count):
        t = copy.deepcopy(templates[i % len(templates)])
        adjective = ADJECTIVES[i % len(ADJECTIVES)]
        place = PLACES[(i // len(ADJECTIVES)) % len(PLACES)]
        t["id"] = f"{t['id']}-{i + 1:03d}"
        t["title"] = f"{t['title']} ({adjective}, {place}, case {i + 1})"
        t["likelihood"] = 1 + (i * 3) % 5
        t["impact"] = 1 + (i * 7 + i // 5) % 5
        if i % 3 == 0:
            t.pop("severity", None)  # derived from the score
        else:
            t["severity"] = severities[i % len(severities)]
        t["holding_statement"] = (
            f"{t['holding_statement'].strip()} This concerns the {adjective} case in {place} "
            f"(reference {i + 1})."
        )
        t["actions"] = [*t.get("actions", []), f"Log case {i + 1} in the {place} incident sheet"]
        t["warning_signs"] = [
            *t.get("warning_signs", []),
            f"Mentions of {place} rise by {i % 9 + 2}x",
        ]
        if i % 2 and channels.get("x"):
            t.setdefault("messages", {})["x"] = (
                f"We know about the {adjective} issue in {place} and are on it. Update by {{next_update}}."
            )
        threats.append(t)
    data["threats"] = threats
    data["company"]["name"] = f"Kopi Nusantara {count} threats"
    return data


def pdf_pages(path: Path) -> int | None:
    try:
        import pypdf
    except ImportError:
        return None
    try:
        return len(pypdf.PdfReader(str(path)).pages)
    except Exception:
        return None


def rotate(items: list[Any], n: int) -> list[Any]:
    k = n % len(items)
    return items[k:] + items[:k]


def progress(message: str) -> None:
    stamp = time.strftime("%H:%M:%S")
    print(f"[{stamp}] {message}", file=sys.stderr, flush=True)


# -- section 1-3: one handbook, three routes -----------------------------------------------------


def ensure_to_pdf(runner: Runner, report: Report) -> bool:
    probe = subprocess.run([PYTHON, "-c", "import mkdocs_to_pdf"], capture_output=True)
    if probe.returncode == 0:
        return True
    progress(f"installing {TO_PDF_REQUIREMENT} into the venv")
    sample = runner.run([PYTHON, "-m", "pip", "install", "-q", TO_PDF_REQUIREMENT])
    if not sample.ok:
        report.fail(
            ["to_pdf", "to_pdf_ratio"], f"pip install {TO_PDF_REQUIREMENT} failed:\n{sample.tail()}"
        )
        return False
    return True


# Option sets tried in turn until one builds: the one a user would write first, then fallbacks.
TO_PDF_OPTIONS: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    (
        "cover: false, toc_level: 2",
        {"cover": False, "toc_level": 2, "output_path": "pdf/handbook.pdf"},
        {},
    ),
    ("defaults (cover on)", {"output_path": "pdf/handbook.pdf"}, {}),
    (
        "cover: false, toc_level: 2, strict: false",
        {"cover": False, "toc_level": 2, "output_path": "pdf/handbook.pdf"},
        {"strict": False},
    ),
]


def to_pdf_project(
    project: Path, dest: Path, options: dict[str, Any], extra: dict[str, Any]
) -> Path:
    """A copy of the exported project whose mkdocs.yml adds the to-pdf plugin."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(project, dest)
    config = dest / "mkdocs.yml"
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    # mkdocs-to-pdf prints only the pages in the navigation; crisisplan's site lists the threat
    # pages on the Response page instead, so they are put back for this route to print them.
    threats = sorted(
        f"response/{p.name}"
        for p in (dest / "docs" / "response").glob("*.md")
        if p.name != "index.md"
    )
    for entry in data["nav"]:
        if isinstance(entry, dict):
            (children,) = entry.values()
            if "response/index.md" in children:
                children.extend(threats)
    data.pop("not_in_nav", None)
    data.update({"plugins": ["search", "offline", {"to-pdf": options}], **extra})
    config.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return config


def section_whole(runner: Runner, report: Report, work: Path, runs: int) -> None:
    report.figure("whole", "1. whole build: `crisisplan build` (site + PDF)", "s")
    report.figure("mkdocs", "2a. plain `mkdocs build` of the exported project", "s")
    report.figure("weasyprint", "2b. plain `weasyprint print.html`", "s")
    report.figure("plain", "2c. plain route: 2a + 2b", "s")
    report.figure("whole_plain", "2d. whole / plain route", "x", "<= 1.00", lambda v: v <= 1.0)
    report.figure("to_pdf", "3a. `mkdocs build` with the mkdocs-to-pdf plugin", "s")
    report.figure(
        "to_pdf_ratio",
        "3b. mkdocs-to-pdf / whole (crisisplan x faster)",
        "x",
        ">= 3.00",
        lambda v: v >= 3.0,
    )

    out = work / "whole-out"
    project: Path | None = work / "project"
    try:
        runner.check("crisisplan export", [*CRISISPLAN, "export", EXAMPLE, "-o", project])
    except CommandFailed as exc:
        report.fail(["mkdocs", "weasyprint", "plain", "whole_plain"], str(exc))
        project = None

    to_pdf_config: Path | None = None
    if project is not None and ensure_to_pdf(runner, report):
        for name, options, extra in TO_PDF_OPTIONS:
            config = to_pdf_project(project, work / "project-to-pdf", options, extra)
            progress(f"trying mkdocs-to-pdf with {name}")
            sample = runner.run([*MKDOCS, "build", "-q", "-f", config, "-d", work / "to-pdf-site"])
            pdf = work / "to-pdf-site" / "pdf" / "handbook.pdf"
            if sample.ok and pdf.is_file():
                to_pdf_config = config
                report.notes.append(
                    f"mkdocs-to-pdf options: {name} (plugins: search, offline, to-pdf); "
                    f"its PDF has {pdf_pages(pdf) or '?'} pages, "
                    f"{pdf.stat().st_size / 1024:.0f} KiB"
                )
                break
            why = sample.tail() if not sample.ok else f"the build wrote no {pdf.name}"
            report.errors.append(f"mkdocs-to-pdf with {name} failed:\n{why}")
            print(f"!! mkdocs-to-pdf with {name} failed:\n{why}", file=sys.stderr, flush=True)
        else:
            report.fail(
                ["to_pdf", "to_pdf_ratio"],
                "mkdocs-to-pdf did not build with any option set tried (see the errors above)",
            )

    routes: list[tuple[str, Callable[[], None]]] = []
    round_values: dict[str, float] = {}

    def whole() -> None:
        s = runner.check("crisisplan build", [*CRISISPLAN, "build", EXAMPLE, "-o", out, "--force"])
        round_values["whole"] = s.wall
        report.add("whole", s.wall, s.cpu)

    def plain() -> None:
        assert project is not None
        a = runner.check(
            "mkdocs build",
            [*MKDOCS, "build", "-q", "-f", project / "mkdocs.yml", "-d", work / "plain-site"],
        )
        if not WEASYPRINT:
            raise RuntimeError("the weasyprint command is not in the venv")
        b = runner.check(
            "weasyprint", [*WEASYPRINT, "-q", project / "print.html", work / "plain.pdf"]
        )
        round_values["plain"] = a.wall + b.wall
        report.add("mkdocs", a.wall, a.cpu)
        report.add("weasyprint", b.wall, b.cpu)
        report.add("plain", a.wall + b.wall, a.cpu + b.cpu)

    def to_pdf() -> None:
        assert to_pdf_config is not None
        s = runner.check(
            "mkdocs build (to-pdf)",
            [*MKDOCS, "build", "-q", "-f", to_pdf_config, "-d", work / "to-pdf-site"],
        )
        round_values["to_pdf"] = s.wall
        report.add("to_pdf", s.wall, s.cpu)

    routes.append(("whole", whole))
    if project is not None:
        routes.append(("plain", plain))
    if to_pdf_config is not None:
        routes.append(("to_pdf", to_pdf))
    keys = {
        "whole": ["whole"],
        "plain": ["mkdocs", "weasyprint", "plain"],
        "to_pdf": ["to_pdf"],
    }
    for r in range(runs):
        round_values.clear()
        for name, route in rotate(routes, r):
            progress(f"round {r + 1}/{runs}: {name}")
            try:
                route()
            except Exception as exc:
                report.fail(keys[name], f"{name} (round {r + 1}): {exc}")
        if "whole" in round_values and "plain" in round_values:
            report.add("whole_plain", round_values["whole"] / round_values["plain"])
        if "whole" in round_values and "to_pdf" in round_values:
            report.add("to_pdf_ratio", round_values["to_pdf"] / round_values["whole"])
    pdfs = sorted((out / "kopi-nusantara").glob("*.pdf"))
    if pdfs:
        report.notes.append(
            f"crisisplan's PDF has {pdf_pages(pdfs[0]) or '?'} pages, "
            f"{pdfs[0].stat().st_size / 1024:.0f} KiB (tagged PDF/UA-1); the plain weasyprint "
            f"PDF has {pdf_pages(work / 'plain.pdf') or '?'} pages, "
            f"{(work / 'plain.pdf').stat().st_size / 1024 if (work / 'plain.pdf').exists() else 0:.0f} KiB (untagged)"
        )


# -- sections 4-5: eight clients, the cache --------------------------------------------------------


def pdf_state(out: Path) -> dict[str, tuple[int, int, str]]:
    """mtime_ns, size and digest of every client's PDF under ``out``."""
    return {
        str(p.relative_to(out)): (
            p.stat().st_mtime_ns,
            p.stat().st_size,
            hashlib.sha256(p.read_bytes()).hexdigest(),
        )
        for p in sorted(out.glob("*/*.pdf"))
    }


def section_clients(runner: Runner, report: Report, work: Path, runs: int) -> None:
    report.figure("jobs1", "4a. 8 clients, `--jobs 1`", "s")
    report.figure("jobs2", "4b. 8 clients, `--jobs 2`", "s")
    report.figure("jobs_ratio", "4c. jobs 2 / jobs 1", "x", "<= 0.70", lambda v: v <= 0.7)
    report.figure("noop", "5a. rebuild of the 8, nothing changed (`--jobs 2`)", "s")
    report.figure(
        "noop_ratio",
        "5b. nothing-changed rebuild / full jobs-2 build",
        "x",
        "<= 0.10",
        lambda v: v <= 0.1,
    )
    report.figure("one_changed", "5c. rebuild after one questionnaire changed", "s")
    report.figure(
        "pdfs_changed",
        "5d. PDFs rewritten by that rebuild (of 8)",
        "",
        "== 1",
        lambda v: v == 1,
    )

    clients = work / "clients"
    paths = client_questionnaires(clients)
    outs = {1: work / "clients-out-jobs1", 2: work / "clients-out-jobs2"}
    for r in range(runs):
        walls: dict[int, float] = {}
        for jobs in rotate([1, 2], r):
            progress(f"round {r + 1}/{runs}: 8 clients, --jobs {jobs}")
            try:
                s = runner.check(
                    f"crisisplan build --jobs {jobs}",
                    [
                        *CRISISPLAN,
                        "build",
                        clients,
                        "-o",
                        outs[jobs],
                        "--force",
                        "--jobs",
                        str(jobs),
                    ],
                )
            except CommandFailed as exc:
                report.fail([f"jobs{jobs}", "jobs_ratio"], str(exc))
                continue
            walls[jobs] = s.wall
            report.add(f"jobs{jobs}", s.wall, s.cpu)
        if 1 in walls and 2 in walls:
            report.add("jobs_ratio", walls[2] / walls[1])
        if 2 not in walls:
            continue
        progress(f"round {r + 1}/{runs}: rebuild with nothing changed")
        try:
            s = runner.check(
                "crisisplan build (nothing changed)",
                [*CRISISPLAN, "build", clients, "-o", outs[2], "--jobs", "2"],
            )
        except CommandFailed as exc:
            report.fail(["noop", "noop_ratio"], str(exc))
            continue
        report.add("noop", s.wall, s.cpu)
        report.add("noop_ratio", s.wall / walls[2])
        if "up to date" not in s.log.read_text(encoding="utf-8", errors="replace"):
            report.notes.append("the nothing-changed rebuild reported no client as up to date")

    edit_one(runner, report, paths[2], outs[2])


def edit_one(runner: Runner, report: Report, edited: Path, out: Path) -> None:
    """Append to one client's company.summary, rebuild without --force, count rewritten PDFs."""
    clients = edited.parent.parent
    if not list(out.glob("*/*.pdf")):
        report.fail(["one_changed", "pdfs_changed"], "no jobs-2 output to rebuild")
        return
    original = edited.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(original)
        data["company"]["summary"] = (
            data["company"]["summary"].rstrip() + " It also sells beans online (benchmark edit).\n"
        )
        edited.write_text(
            yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100),
            encoding="utf-8",
        )
        before = pdf_state(out)
        time.sleep(0.05)  # a rewritten file gets a later mtime_ns even on coarse clocks
        progress("rebuild after editing one questionnaire")
        s = runner.check(
            "crisisplan build (one changed)",
            [*CRISISPLAN, "build", clients, "-o", out, "--jobs", "2"],
        )
        after = pdf_state(out)
        report.add("one_changed", s.wall, s.cpu)
        rewritten = [k for k in after if before.get(k, (0, 0, ""))[:2] != after[k][:2]]
        differ = [k for k in after if before.get(k, (0, 0, ""))[2] != after[k][2]]
        report.add("pdfs_changed", len(rewritten))
        report.notes.append(
            f"one edited questionnaire ({edited.parent.name}): PDFs rewritten (mtime/size): "
            f"{', '.join(rewritten) or 'none'}; PDFs whose bytes differ: "
            f"{', '.join(differ) or 'none'}; PDFs before/after: {len(before)}/{len(after)}"
        )
    except Exception as exc:
        report.fail(["one_changed", "pdfs_changed"], f"one-changed rebuild: {exc}")
    finally:
        edited.write_text(original, encoding="utf-8")


# -- section 6: many threats ----------------------------------------------------------------------


def section_threats(runner: Runner, report: Report, work: Path, runs: int) -> None:
    sizes = (150, 300)
    for n in sizes:
        report.figure(f"t{n}", f"6{'ac'[sizes.index(n)]}. {n} threats: full build", "s")
        report.figure(
            f"m{n}",
            f"6{'bd'[sizes.index(n)]}. {n} threats: peak memory (largest process / whole tree)",
            "MiB",
        )
    report.figures["t300"].target = "<= 90 s"
    report.figures["t300"].check = lambda v: v <= 90
    report.figures["m300"].target = "< 2048 MiB"
    report.figures["m300"].check = lambda v: v < 2048
    report.figure("t_ratio", "6e. t300 / t150 (linear ~ 2.0)", "x")
    trees: dict[int, list[float]] = {n: [] for n in sizes}
    largest: dict[int, list[float]] = {n: [] for n in sizes}

    questionnaires = {n: write_questionnaire(many_threats(n), work / f"threats-{n}") for n in sizes}
    for r in range(runs):
        walls: dict[int, float] = {}
        for n in rotate(list(sizes), r):
            progress(f"round {r + 1}/{runs}: {n} threats")
            try:
                s = runner.check(
                    f"crisisplan build ({n} threats)",
                    [
                        *CRISISPLAN,
                        "build",
                        questionnaires[n],
                        "-o",
                        work / f"threats-{n}-out",
                        "--force",
                    ],
                )
            except CommandFailed as exc:
                report.fail([f"t{n}", f"m{n}", "t_ratio"], str(exc))
                continue
            walls[n] = s.wall
            report.add(f"t{n}", s.wall, s.cpu)
            report.add(f"m{n}", max(s.maxrss_mib, s.tree_mib))
            trees[n].append(s.tree_mib)
            largest[n].append(s.maxrss_mib)
        if len(walls) == 2:
            report.add("t_ratio", walls[300] / walls[150])
    for n in sizes:
        if largest[n]:
            report.notes.append(
                f"{n} threats: peak memory of the largest single process (ru_maxrss, as "
                f"/usr/bin/time -v) {statistics.median(largest[n]):.0f} MiB; sampled peak of the "
                f"RSS of all its processes together (an upper bound) {statistics.median(trees[n]):.0f} MiB; "
                "the table shows the larger"
            )
        pdfs = sorted((work / f"threats-{n}-out").glob("*/*.pdf"))
        if pdfs:
            report.notes.append(
                f"{n} threats: the PDF has {pdf_pages(pdfs[0]) or '?'} pages, "
                f"{pdfs[0].stat().st_size / 1024 / 1024:.1f} MiB; the site "
                f"{len(list(pdfs[0].parent.rglob('*.html')))} HTML pages"
            )


def site_bytes(site: Path) -> tuple[int, float]:
    """The site's bytes without the PDF, and the mean size of a threat's page."""
    files = [p for p in site.rglob("*") if p.is_file() and p.suffix != ".pdf"]
    threat_pages = [p for p in (site / "response").glob("*.html") if p.name != "index.html"]
    mean = statistics.mean(p.stat().st_size for p in threat_pages) if threat_pages else 0.0
    return sum(p.stat().st_size for p in files), mean


def section_scale(runner: Runner, report: Report, work: Path, runs: int) -> None:
    """Work grows linearly: site bytes and time at 100, 300 and 1,000 threats (one run each:
    the 1,000-threat build alone takes minutes)."""
    sizes = (100, 300, 1000)
    report.figure("s1000", "7a. 1,000 threats: full build (site + PDF)", "s")
    report.figure("s1000m", "7b. 1,000 threats: peak memory (largest process / whole tree)", "MiB")
    report.figure(
        "s_bytes",
        "7c. site bytes per added threat, 300 -> 1,000 over 100 -> 300 (linear: 0.8-1.2)",
        "x",
    )
    report.figures["s_bytes"].target = "0.8 - 1.2"
    report.figures["s_bytes"].check = lambda v: 0.8 <= v <= 1.2
    report.figure("s_page", "7d. a threat page's bytes, 1,000 threats over 100", "x")
    report.figures["s_page"].target = "<= 1.2"
    report.figures["s_page"].check = lambda v: v <= 1.2
    measured: dict[int, tuple[float, int, float]] = {}
    for n in sizes:
        questionnaire = write_questionnaire(many_threats(n), work / f"scale-{n}")
        out = work / f"scale-{n}-out"
        progress(f"{n} threats")
        try:
            s = runner.check(
                f"crisisplan build ({n} threats)",
                [*CRISISPLAN, "build", questionnaire, "-o", out, "--force"],
            )
        except CommandFailed as exc:
            report.fail(["s1000", "s1000m", "s_bytes", "s_page"], str(exc))
            return
        site = next(p for p in out.iterdir() if not p.name.startswith("."))
        total, page = site_bytes(site)
        measured[n] = (s.wall, total, page)
        pdf = next(site.glob("*.pdf"))
        report.notes.append(
            f"{n} threats: {s.wall:.1f} s ({s.cpu:.1f} CPU s), site {total / 1e6:.1f} MB without"
            f" the PDF ({total / n / 1e3:.1f} kB a threat), a threat page {page / 1e3:.1f} kB;"
            f" PDF {pdf_pages(pdf) or '?'} pages, {pdf.stat().st_size / 1e6:.1f} MB"
        )
        if n == 1000:
            report.add("s1000", s.wall, s.cpu)
            report.add("s1000m", max(s.maxrss_mib, s.tree_mib))
    (_, b100, p100), (_, b300, _), (_, b1000, p1000) = (measured[n] for n in sizes)
    report.add("s_bytes", ((b1000 - b300) / 700) / ((b300 - b100) / 200))
    report.add("s_page", p1000 / p100)


def page_load(browser: Any, site: Path, page: str) -> tuple[float, int, list[str]]:
    """What opening ``page`` from disk loads until the network is idle: the kB a host would
    send (gzip, except fonts and images, which are compressed already), the requests, and the
    files."""
    import gzip
    from urllib.parse import unquote, urlsplit

    tab = browser.new_page()
    urls: list[str] = []
    tab.on("request", lambda request: urls.append(request.url))
    tab.goto((site / page).as_uri())
    tab.wait_for_load_state("networkidle")
    tab.close()
    sent, files = 0, []
    for url in dict.fromkeys(urls):
        file = Path(unquote(urlsplit(url).path))
        data = file.read_bytes()
        packed = file.suffix in (".woff2", ".png", ".jpg", ".webp")
        sent += len(data) if packed else len(gzip.compress(data))
        files.append(file.relative_to(site).as_posix() if file.is_relative_to(site) else str(file))
    return sent / 1000, len(urls), files


def section_weight(runner: Runner, report: Report, work: Path, runs: int) -> None:
    """The reference site's weight and its checkers' findings (one run: nothing here varies)."""
    report.figure(
        "w_site", "8a. site folder without the PDF", "kB", "< 1,500 kB", lambda v: v < 1500
    )
    report.figure("w_files", "8b. files in the site folder", "")
    report.figure("w_home", "8c. home page at load, as a host sends it", "kB", "< 300 kB")
    report.figures["w_home"].check = lambda v: v < 300
    report.figure("w_requests", "8d. requests of the home page at load", "")
    report.figure("w_threat", "8e. a threat page at load, as a host sends it", "kB")
    report.figure("w_nu", "8f. Nu HTML Checker errors, every page", "", "0", lambda v: v == 0)
    report.figure("w_axe", "8g. axe-core critical and serious violations", "", "0")
    report.figures["w_axe"].check = lambda v: v == 0
    out = work / "weight"
    try:
        runner.check("crisisplan build (site)", [*CRISISPLAN, "build", EXAMPLE, "-o", out])
    except CommandFailed as exc:
        report.fail(["w_site"], str(exc))
        return
    site = next(p for p in out.iterdir() if not p.name.startswith("."))
    files = [p for p in site.rglob("*") if p.is_file() and p.suffix != ".pdf"]
    report.add("w_site", sum(p.stat().st_size for p in files) / 1000)
    report.add("w_files", len(files))
    pages = sorted(site.rglob("*.html"))
    vnu = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
    if vnu.is_file() and shutil.which("java"):
        run = subprocess.run(
            ["java", "-jar", str(vnu), "--errors-only", "--format", "json", *map(str, pages)],
            capture_output=True,
            text=True,
            check=False,
        )
        messages = json.loads(run.stderr or run.stdout)["messages"]
        report.add("w_nu", len(messages))
        report.notes.append(f"Nu HTML Checker: {len(messages)} errors on {len(pages)} pages")
    else:
        report.fail(["w_nu"], f"{vnu} or java is missing: run scripts/test.sh")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        report.fail(["w_home", "w_requests", "w_threat", "w_axe"], "playwright is missing")
        return
    axe = TOOLS / "axe-core" / "axe.min.js"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        home, requests, loaded = page_load(browser, site, "index.html")
        report.add("w_home", home)
        report.add("w_requests", requests)
        report.notes.append(f"home page loads: {', '.join(loaded)}")
        threat = next(p for p in (site / "response").glob("*.html") if p.name != "index.html")
        report.add("w_threat", page_load(browser, site, f"response/{threat.name}")[0])
        if axe.is_file():
            source, found = axe.read_text(encoding="utf-8"), 0
            for scheme in ("light", "dark"):
                context = browser.new_context(color_scheme=scheme)
                tab = context.new_page()
                for page in pages:
                    tab.goto(page.as_uri())
                    tab.evaluate(source)
                    result = tab.evaluate("axe.run(document, {resultTypes: ['violations']})")
                    found += sum(
                        len(v["nodes"])
                        for v in result["violations"]
                        if v["impact"] in ("critical", "serious")
                    )
                context.close()
            report.add("w_axe", found)
        else:
            report.fail(["w_axe"], f"{axe} is missing: run scripts/test.sh")
        browser.close()


# -- main -----------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="one run of each figure")
    parser.add_argument("--runs", type=int, default=None, help="runs of each figure (default 3)")
    parser.add_argument(
        "--only",
        default=",".join(SECTIONS),
        help=f"comma-separated sections to run: {', '.join(SECTIONS)} (default: all)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work folder and the logs")
    args = parser.parse_args(argv)
    runs = args.runs or (1 if args.quick else 3)
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(only) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")

    # A terminated benchmark still restores the questionnaire it edits and removes its folder.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    info = machine()
    work = Path(tempfile.mkdtemp(prefix="crisisplan-bench-"))
    logs = work / "logs"
    logs.mkdir()
    runner, report = Runner(logs), Report()
    progress(f"work folder {work}; {runs} run(s) of {', '.join(only)}")
    started = time.perf_counter()
    # crisisplan as a user has it installed: `pip install .` compiles a wheel's modules to
    # bytecode, as it did for MkDocs, WeasyPrint and the plugin in this venv. An editable
    # install under ENV's PYTHONDONTWRITEBYTECODE would compile them again on every run.
    # One build that is not timed, so that the operating system's file cache is as warm for
    # the first round as for the others.
    try:
        runner.check("bytecode", [PYTHON, "-m", "compileall", "-q", ROOT / "generator"])
        runner.check("warm-up build", [*CRISISPLAN, "build", EXAMPLE, "-o", work / "warm-up"])
    except CommandFailed as exc:
        report.errors.append(f"the warm-up failed: {exc}")
    sections = {
        "whole": section_whole,
        "clients": section_clients,
        "threats": section_threats,
        "scale": section_scale,
        "weight": section_weight,
    }
    try:
        for name in SECTIONS:
            if name not in only:
                continue
            load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
            report.notes.append(f"load average (1/5/15 min) when section {name!r} started: {load}")
            try:
                sections[name](runner, report, work, runs)
            except Exception:
                report.fail([], f"section {name} crashed:\n{traceback.format_exc()}")
    except BaseException:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        raise

    info.append(
        ("load average at end (1/5/15 min)", " / ".join(f"{x:.2f}" for x in os.getloadavg()))
    )
    info.append(("crisisplan at the end", revision()))
    info.append(("runs per figure", f"{runs} (median; min – max over the runs)"))
    info.append(("benchmark wall time", f"{(time.perf_counter() - started) / 60:.1f} min"))
    print()
    print("## Machine\n")
    for key, value in info:
        print(f"- {key}: {value}")
    print("\n## Figures\n")
    print(table(report))
    if report.notes:
        print("\n## Notes\n")
        for note in report.notes:
            print(f"- {note}")
    if report.errors:
        print("\n## Errors\n")
        for error in report.errors:
            print("```")
            print(error)
            print("```")
    if args.keep:
        print(f"\nwork folder and logs kept in {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
