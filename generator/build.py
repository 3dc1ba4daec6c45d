"""The pipeline: questionnaire -> handbook model -> Markdown pages -> site and PDF.

Reading :func:`build_handbook` tells how the tool works; each stage lives in its own module.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from . import __version__, clock, output, protect, resources
from .errors import (
    BuildError,
    CrisisplanError,
    Problem,
    QuestionnaireError,
    ended,
    os_error,
    writing,
)
from .model import Handbook, build_model
from .overrides import check as check_overrides
from .pdf import parts
from .pdf.html import print_html
from .pdf.process import PdfProcess
from .processes import can_fork, cores
from .questionnaire import Loaded, load_questionnaire
from .render import environment, render_pages
from .schema import Questionnaire
from .site import build_site, build_site_zensical, export
from .text import folder_for, slug_for


@dataclass
class Result:
    """What one build produced."""

    slug: str
    output: Path
    pages: int
    pdf: Path | None = None
    warnings: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    pdf_pages: int = 0
    skipped: bool = False

    @property
    def pdf_size(self) -> int:
        return self.pdf.stat().st_size if self.pdf and self.pdf.exists() else 0


@dataclass(frozen=True)
class Options:
    """How to build: which halves, which paper, which template overrides, cache or not."""

    site: bool = True
    pdf: bool = True
    paper: str = "a4"
    templates: tuple[Path, ...] = ()
    force: bool = False
    #: Use every core for this handbook: typeset the PDF in a second process while the site
    #: builds, and in parts (off in batches, whose clients already fill the cores).
    side_by_side: bool = True
    #: How many parts of pages the PDF is typeset in, side by side; ``None``: one per core.
    parts: int | None = None
    #: The static site generator: ``mkdocs`` (in process) or ``zensical`` (optional).
    engine: str = "mkdocs"
    #: ``internal`` or ``public`` in place of the questionnaire's ``handbook.edition``.
    edition: str | None = None
    #: A questionnaire with warnings is not built (``build --strict``).
    strict: bool = False
    #: Encrypt the site and the PDF with this passphrase (``--protect``, ``protect.py``).
    passphrase: protect.Passphrase | None = None


def prepare(
    path: Path | str, templates: Sequence[Path] = ()
) -> tuple[Loaded, Handbook, dict[str, str]]:
    """Stages 1-3: load and validate, build the model, render the pages."""
    return _prepare(load_questionnaire(path), check_overrides(templates))


def _prepare(loaded: Loaded, templates: Sequence[Path]) -> tuple[Loaded, Handbook, dict[str, str]]:
    hb = build_model(loaded)
    env = environment(hb.language, templates)
    pages = render_pages(hb, env)
    return loaded, hb, pages


def export_project(
    path: Path | str,
    project: Path,
    templates: Sequence[Path] = (),
    *,
    paper: str = "a4",
    edition: str | None = None,
) -> Path:
    """Write the MkDocs project of a questionnaire into ``project`` (``crisisplan export``).

    Besides ``mkdocs.yml`` and ``docs/`` it writes ``print.html``, the HTML the PDF is
    rendered from, for ``paper``; ``edition`` replaces the questionnaire's.
    """
    templates = check_overrides(templates)
    loaded, hb, pages = _prepare(load_questionnaire(path, edition=edition), templates)
    project = Path(project).absolute()
    output.refuse_foreign(project)
    project.mkdir(parents=True, exist_ok=True)
    (project / output.MARKER).write_text("made by crisisplan\n", encoding="utf-8")
    overrides = tuple(templates)
    config_file = export(
        hb, pages, project, folder=loaded.folder, pdf_name=None, overrides=overrides
    )
    html = print_html(hb, pages, folder=loaded.folder, paper=paper, overrides=overrides)
    (project / "print.html").write_text(html, encoding="utf-8")
    return config_file


def build_handbook(
    path: Path | str, outdir: Path | str = "site", options: Options | None = None
) -> Result:
    """Build one client's handbook into ``outdir/<slug>/``, atomically.

    The handbook is built in a private work folder and swapped into place only when complete
    (``output.py``), so the previous output serves until then, whatever stops the build. A
    build whose inputs (questionnaire, its files, templates, themes, tool version, options)
    have not changed since the last one is skipped unless ``options.force``. An operating
    system error (a full or read-only disk) is one line naming the path.
    """
    options = options or Options()
    options = replace(options, templates=check_overrides(options.templates))
    if options.passphrase:
        protect.check(options.engine, options.passphrase)
    try:
        return _build_handbook(path, Path(outdir).absolute(), options)
    except OSError as exc:
        raise os_error(exc) from None


def _build_handbook(path: Path | str, outdir: Path, options: Options) -> Result:
    started = time.perf_counter()
    loaded = load_questionnaire(path, edition=options.edition)
    if options.strict and loaded.warnings:
        raise QuestionnaireError(
            f"Error: {len(loaded.warnings)} warning{'s' if len(loaded.warnings) != 1 else ''}"
            f" in {loaded.path} (--strict); nothing was written.",
            loaded.warnings,
        )
    slug = folder_name(loaded.questionnaire)
    target = outdir / slug
    with output.locked(outdir, slug) as work:
        key = fingerprint(loaded, options.templates, options)
        previous = output.marker(target)
        source = _source(loaded)
        if previous.get("source", source) != source:
            raise BuildError(
                f"Error: {target} holds the handbook of another questionnaire whose company name"
                f" gives the same folder; give {loaded.path} a distinct company.name, or remove"
                f" {target} to replace it."
            )
        if previous.get("protected") and options.passphrase is None:
            raise BuildError(
                f"Error: {target} is a protected handbook; build it with --protect to replace"
                " it, or remove it first to publish it unprotected (its personal phone numbers"
                " would be readable by anyone)."
            )
        if (
            not options.force
            and not options.passphrase  # fresh keys each time; no digest of it is kept
            and previous.get("fingerprint") == key
            and _complete(target, previous, options)
        ):
            pdf = target / previous["pdf"] if previous.get("pdf") else None
            return Result(
                slug,
                target,
                previous.get("pages", 0),
                pdf,
                loaded.warnings,
                time.perf_counter() - started,
                previous.get("pdf_pages", 0),
                skipped=True,
            )
        output.refuse_foreign(target)
        # Forked now: it imports WeasyPrint while this process renders the pages.
        language = loaded.questionnaire.handbook.language
        beside = PdfProcess(language) if _beside(options) else None
        try:
            hb, pages, pdf_pages = _build(loaded, work, options, beside)
        finally:
            if beside:  # on failure, the PDF process ends before its folder is removed
                beside.close()
        staged = work / "out"
        record = {
            "fingerprint": key,
            "source": source,
            "pdf": hb.pdf if options.pdf else None,
            "pages": len(pages),
            "pdf_pages": pdf_pages,
            "protected": options.passphrase is not None,
            "version": __version__,
        }
        with writing(staged / output.MARKER):
            (staged / output.MARKER).write_text(
                json.dumps(record, indent=1) + "\n", encoding="utf-8"
            )
        output.publish(staged, target, work)
    pdf = target / hb.pdf if options.pdf else None
    return Result(
        slug, target, len(pages), pdf, loaded.warnings, time.perf_counter() - started, pdf_pages
    )


def _build(
    loaded: Loaded, work: Path, options: Options, beside: PdfProcess | None
) -> tuple[Handbook, dict[str, str], int]:
    """Stages 2-5 into ``work/out``: the model, the pages, the PDF and the site."""
    loaded, hb, pages = _prepare(loaded, options.templates)
    overrides = options.templates
    staged = work / "out"
    (work / "pdf").mkdir()  # not in staged/: MkDocs empties its site folder before building
    pdf_pages = 0
    if options.pdf:
        html = print_html(hb, pages, folder=loaded.folder, paper=options.paper, overrides=overrides)
        if beside:
            beside.start(html, work / "pdf" / hb.pdf, loaded.folder, overrides, options.parts)
        else:
            pdf_pages = parts.typeset(
                html,
                work / "pdf" / hb.pdf,
                folder=loaded.folder,
                overrides=overrides,
                parallel=options.side_by_side,
                count=options.parts,
            )
    if options.site:
        with writing(work / "project"):  # a copy or a write that fails names no file
            config_file = export(
                hb,
                pages,
                work / "project",
                folder=loaded.folder,
                pdf_name=hb.pdf if options.pdf else None,
                overrides=overrides,
                protected=options.passphrase is not None,
            )
        with writing(staged):
            if options.engine == "zensical":
                build_site_zensical(config_file, staged, hb.site_url)
            else:
                build_site(config_file, staged, options.passphrase)
    if beside:
        pdf_pages = beside.wait()
    if options.pdf and options.passphrase:  # the one place both ways of typesetting meet
        protect.encrypt_pdf(work / "pdf" / hb.pdf, options.passphrase)
    staged.mkdir(exist_ok=True)
    if options.pdf:
        (work / "pdf" / hb.pdf).rename(staged / hb.pdf)
    return hb, pages, pdf_pages


def _source(loaded: Loaded) -> str:
    """Which questionnaire made a handbook: a digest of its path, so none is published."""
    return hashlib.sha256(str(loaded.path.resolve()).encode()).hexdigest()[:16]


def _beside(options: Options) -> bool:
    """Whether the PDF is typeset in a process of its own, beside the site."""
    return options.pdf and options.site and options.side_by_side and can_fork()


# -- the cache --------------------------------------------------------------------------------


@cache
def _tree_digest(root: Path) -> str:
    """A digest of every file under ``root`` (names and bytes); computed once per process,
    until :func:`forget_folders`."""
    h = hashlib.sha256()
    paths = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    for p in paths:
        h.update(str(p.relative_to(root.parent)).encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def forget_folders() -> None:
    """Read the template and theme folders again at the next build: for a process that runs
    while someone edits them (``crisisplan serve``)."""
    _tree_digest.cache_clear()


def fingerprint(loaded: Loaded, overrides: Sequence[Path], options: Options) -> str:
    """What a build depends on: when this is unchanged, the output is too."""
    h = hashlib.sha256()
    settings = [
        __version__,
        options.engine,
        options.site,
        options.pdf,
        options.paper,
        loaded.questionnaire.handbook.edition,  # the questionnaire's or --edition's
        options.passphrase is not None,  # protected or not; never the passphrase
        clock.epoch(),  # the dates and metadata it sets
        str(loaded.path.resolve()),
    ]
    h.update(json.dumps(settings).encode())
    h.update(loaded.path.read_bytes())
    for image in loaded.images.values():
        h.update(image.data)
    for root in (resources.content_dir(), resources.themes_dir(), resources.base_config()):
        h.update(_tree_digest(root).encode())
    for root in overrides:
        h.update(_tree_digest(root).encode())
    if loaded.questionnaire.handbook.effective is None:  # the build date is part of the output
        h.update(clock.today().isoformat().encode())
    return h.hexdigest()


def _complete(target: Path, marker: dict[str, Any], options: Options) -> bool:
    """Whether the output a marker describes is still all there (nobody deleted part of it)."""
    site_ok = not options.site or (target / "index.html").is_file()
    pdf_ok = not options.pdf or (
        bool(marker.get("pdf")) and (target / str(marker["pdf"])).is_file()
    )
    return site_ok and pdf_ok


# -- many clients -----------------------------------------------------------------------------


@dataclass
class Outcome:
    """One client of a batch: its result, or the problems that stopped it."""

    path: Path
    result: Result | None = None
    error: str | None = None
    #: The edition asked for with ``--edition`` (None: the questionnaire's).
    edition: str | None = None

    @property
    def label(self) -> str:
        """The questionnaire, and the edition when it was asked for."""
        return f"{self.path} ({self.edition})" if self.edition else str(self.path)


def folder_name(q: Questionnaire) -> str:
    """The handbook's folder under the output folder (:func:`text.folder_for`)."""
    return folder_for(q.company.name, q.handbook.edition)


def questionnaires(inputs: Iterable[Path]) -> list[Path]:
    """Files as given; a folder stands for its ``*.yaml``/``*.yml`` files and ``*/questionnaire.yaml``."""
    found: list[Path] = []
    for item in inputs:
        item = Path(item)
        if item.is_dir():
            # Hidden files are not questionnaires: .gitlab-ci.yml, .pre-commit-config.yaml ...
            direct = [
                p
                for p in item.iterdir()
                if p.suffix in (".yaml", ".yml") and p.is_file() and not p.name.startswith(".")
            ]
            nested = [
                p
                for p in item.glob("*/questionnaire.y*ml")
                if p.is_file() and not p.parent.name.startswith(".")
            ]
            found += sorted(direct + nested)
        else:
            found.append(item)
    return list(dict.fromkeys(found))


def _build_one(path: Path, outdir: Path, options: Options) -> Outcome:
    try:
        return Outcome(path, build_handbook(path, outdir, options), edition=options.edition)
    except CrisisplanError as exc:
        return Outcome(path, error=exc.format_message(), edition=options.edition)


def build_many(
    inputs: Iterable[Path],
    outdir: Path | str = "site",
    options: Options | None = None,
    *,
    jobs: int | None = None,
    progress: Callable[[Outcome, int, int], None] | None = None,
    editions: Sequence[str | None] = (None,),
    shard: tuple[int, int] | None = None,
) -> list[Outcome]:
    """Build every client, in parallel; one failing client does not stop the others.

    ``editions``: each questionnaire is built once per edition (``("internal", "public")``
    for both; ``None``: the questionnaire's own). Two builds that would write the same folder
    (two questionnaires with the same company name, of the same edition) are both refused
    rather than one overwriting the other. ``shard`` ``(k, n)``: only the builds whose folder
    falls in the k-th of n stable shares (:func:`shard_of`), for n CI jobs that build every
    client once between them.
    """
    options = options or Options()
    outdir = Path(outdir).absolute()
    paths = questionnaires(inputs)
    if not paths:
        raise BuildError("Error: no questionnaires found (*.yaml, *.yml or */questionnaire.yaml).")
    builds = [(path, edition) for path in paths for edition in editions]
    outcomes: dict[tuple[Path, str | None], Outcome] = {}
    by_folder: dict[str, list[tuple[Path, str | None]]] = {}
    mine: list[tuple[Path, str | None]] = []
    companies: set[str] = set()
    built_as: dict[tuple[Path, str | None], str] = {}
    for job in builds if len(builds) > 1 or shard else ():  # one build is loaded by itself only
        try:
            q = load_questionnaire(job[0], edition=job[1]).questionnaire
            folder = folder_name(q)
            companies.add(slug_for(q.company.name))
            built_as[job] = q.handbook.edition
        except CrisisplanError as exc:  # its error is reported by the shard of its file name
            if not shard or shard_of(str(job[0]), shard[1]) == shard[0]:
                outcomes[job] = Outcome(job[0], error=exc.format_message(), edition=job[1])
                mine.append(job)
            continue
        if not shard or shard_of(folder, shard[1]) == shard[0]:
            by_folder.setdefault(folder, []).append(job)
            mine.append(job)
    if shard:
        builds = [job for job in builds if job in mine]
    if options.passphrase is not None and len(companies) > 1:
        raise BuildError(
            f"Error: --protect would give {len(companies)} companies one passphrase, so each"
            " client's team could open the others' handbooks; build each company with its own"
            " passphrase (one command each)."
        )
    for folder, group in by_folder.items():
        for job in group if len(group) > 1 else ():
            others = ", ".join(str(p) for p, _ in group if p != job[0])
            message = _same_folder(job[0], others, folder, built_as[job], both=len(editions) > 1)
            outcomes[job] = Outcome(job[0], error=message, edition=job[1])
    todo = [job for job in builds if job not in outcomes]
    done = 0
    for outcome in outcomes.values():
        done += 1
        if progress:
            progress(outcome, done, len(builds))
    processes = jobs or cores()
    workers = max(1, min(processes, len(todo) or 1))
    # One process per client when there are several; a client alone gets the cores (its PDF
    # beside its site, in as many parts), unless --jobs 1 asks for one process.
    alone = options.side_by_side and processes > 1 and workers == 1
    options = replace(
        options, side_by_side=alone, parts=options.parts or (processes if alone else None)
    )
    if workers == 1:
        for job in todo:
            outcomes[job] = _build_one(job[0], outdir, replace(options, edition=job[1]))
            done += 1
            if progress:
                progress(outcomes[job], done, len(builds))
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = {
                pool.submit(_build_one, job[0], outdir, replace(options, edition=job[1])): job
                for job in todo
            }
            for future in as_completed(futures):
                job = futures[future]
                try:
                    outcome = future.result()
                except BrokenProcessPool:  # its process died (and the pool with it)
                    outcome = Outcome(job[0], edition=job[1])
                    outcome.error = ended(f"the process building {outcome.label}").message
                outcomes[job] = outcome
                done += 1
                if progress:
                    progress(outcome, done, len(builds))
    return [outcomes[job] for job in builds]


def shard_of(name: str, count: int) -> int:
    """Which of ``count`` shares (1 to ``count``) a handbook's folder belongs to: a digest of
    its name, so a client stays in its share whatever other clients come and go."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big") % count + 1


def _same_folder(path: Path, others: str, folder: str, edition: str, *, both: bool) -> str:
    advice = "give each company a distinct company.name"
    if not both:
        advice += ", or build one as the other edition (handbook.edition, or --edition)"
    return (
        f"Error: {path}: its {edition} edition would be built into {folder}/, as a handbook of"
        f" {others} would: {advice}"
    )
