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

from . import __version__, clock, i18n, output, protect, resources
from .errors import (
    BuildError,
    CrisisplanError,
    Problem,
    QuestionnaireError,
    ended,
    os_error,
    visible,
    writing,
)
from .i18n import _, ngettext
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
    """What one build produced, or kept from the previous output (``docs/output.md``)."""

    slug: str
    output: Path
    #: The site's pages in the output; 0: the output has no site.
    pages: int
    #: The PDF in the output, current or not (``stale``); None: there is none.
    pdf: Path | None = None
    warnings: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    pdf_pages: int = 0
    skipped: bool = False
    #: The halves (``site``, ``pdf``) kept from the previous output whose inputs have changed.
    stale: tuple[str, ...] = ()
    #: One line each about a half this build did not build: out of date, or removed.
    notices: tuple[str, ...] = ()
    #: The exercise calendar (``.ics``) in the site; None without a site.
    calendar: Path | None = None
    #: The edition built: the questionnaire's ``handbook.edition``, or ``--edition``'s.
    edition: str = "internal"

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


@dataclass(frozen=True)
class Exported:
    """What ``export_project`` wrote, and the questionnaire's warnings."""

    config_file: Path
    warnings: list[Problem] = field(default_factory=list)


@i18n.in_its_language
def export_project(
    path: Path | str,
    project: Path,
    templates: Sequence[Path] = (),
    *,
    paper: str = "a4",
    edition: str | None = None,
) -> Exported:
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
    return Exported(config_file, loaded.warnings)


@i18n.in_its_language
def build_handbook(
    path: Path | str, outdir: Path | str = "site", options: Options | None = None
) -> Result:
    """Build one client's handbook into ``outdir/<slug>/``, atomically.

    The handbook is built in a private work folder and swapped into place only when complete
    (``output.py``), so the previous output serves until then, whatever stops the build. Each
    half (site, PDF) whose inputs (questionnaire, its files, templates, themes, tool version,
    engine or paper) have not changed since it was built is skipped unless ``options.force``;
    the half ``options`` leaves out is kept as it is (``docs/output.md``). An operating
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
            ngettext(
                "Error: {n} warning in {file} (--strict); nothing was written.",
                "Error: {n} warnings in {file} (--strict); nothing was written.",
                len(loaded.warnings),
                file=loaded.path,
            ),
            loaded.warnings,
        )
    slug = folder_name(loaded.questionnaire)
    target = outdir / slug
    with output.locked(outdir, slug) as work:
        keys = fingerprints(loaded, options.templates, options)
        previous = output.marker(target)
        company = _company(loaded)
        if not _same_client(previous, company, loaded):
            raise BuildError(
                _(
                    "Error: {target} holds the handbook of another questionnaire whose company"
                    " name gives the same folder; give {file} a distinct company.name, or remove"
                    " {target} to replace it.",
                    target=target,
                    file=loaded.path,
                )
            )
        if previous.get("protected") and options.passphrase is None:
            raise BuildError(
                _(
                    "Error: {target} is a protected handbook; build it with --protect to replace"
                    " it, or remove it first to publish it unprotected (its personal phone"
                    " numbers would be readable by anyone).",
                    target=target,
                )
            )
        plan = _plan(target, previous, keys, options)
        site, pdf = plan.kept_site, plan.kept_pdf
        if not (plan.site or plan.pdf):
            return Result(
                slug,
                target,
                site["pages"] if site else 0,
                target / pdf["file"] if pdf else None,
                loaded.warnings,
                time.perf_counter() - started,
                pdf["pages"] if pdf else 0,
                skipped=True,
                stale=plan.stale,
                notices=plan.notices,
                calendar=_calendar_of(target, site),
                edition=loaded.questionnaire.handbook.edition,
            )
        output.refuse_foreign(target)
        halves = replace(options, site=plan.site, pdf=plan.pdf)
        # Forked now: it imports WeasyPrint while this process renders the pages.
        language = loaded.questionnaire.handbook.language
        beside = PdfProcess(language) if _beside(halves) else None
        try:
            hb, pages, pdf_pages = _build(loaded, work, halves, beside, link=plan.link)
        finally:
            if beside:  # on failure, the PDF process ends before its folder is removed
                beside.close()
        staged = work / "out"
        if pdf:
            output.carry(target, staged, [pdf["file"]])
        if site:
            output.carry(target, staged, leave=plan.leave)
        if plan.site:
            site = {
                "inputs": keys["site"],
                "pages": len(pages),
                "links_pdf": plan.link,
                "calendar": hb.calendar_file,
            }
        if plan.pdf:
            pdf = {"inputs": keys["pdf"], "file": str(hb.pdf), "pages": pdf_pages}
        record = {
            "company": company,
            "source": _source(loaded),
            "site": site,
            "pdf": pdf,
            "protected": options.passphrase is not None,
            "version": __version__,
        }
        with writing(staged / output.MARKER):
            (staged / output.MARKER).write_text(
                json.dumps(record, indent=1) + "\n", encoding="utf-8"
            )
        output.publish(staged, target, work)
    return Result(
        slug,
        target,
        site["pages"] if site else 0,
        target / pdf["file"] if pdf else None,
        loaded.warnings,
        time.perf_counter() - started,
        pdf["pages"] if pdf else 0,
        stale=plan.stale,
        notices=plan.notices,
        calendar=_calendar_of(target, site),
        edition=hb.handbook.edition,
    )


def _build(
    loaded: Loaded, work: Path, options: Options, beside: PdfProcess | None, *, link: bool
) -> tuple[Handbook, dict[str, str], int]:
    """Stages 2-5 into ``work/out``: the model, the pages, the PDF and the site (which links
    the PDF if ``link``)."""
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
                pdf_name=hb.pdf if link else None,
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


def _calendar_of(target: Path, site: dict[str, Any] | None) -> Path | None:
    """The site's calendar, by the plain file name its record gives (the record lies in a
    published folder: a path from it is never followed)."""
    name = str(site.get("calendar") or "") if site else ""
    ok = name and name == Path(name).name and name.endswith(".ics")
    return target / name if ok else None


def _company(loaded: Loaded) -> str:
    """Whose handbook it is: a digest of the company's name as written, so a questionnaire
    moved to another folder (a new CI checkout) is still the same client's."""
    name = loaded.questionnaire.company.name
    return hashlib.sha256(name.encode()).hexdigest()[:16]


def _source(loaded: Loaded) -> str:
    """Where the questionnaire lies, as a digest: its name fixed in place ("Kopi nusantara" to
    "Kopi Nusantara", the same folder) is still the same client's."""
    return hashlib.sha256(str(loaded.path.resolve()).encode()).hexdigest()[:16]


def _same_client(previous: dict[str, Any], company: str, loaded: Loaded) -> bool:
    """Whether the handbook a marker describes is this company's (or nobody's yet): the same
    company name, or the same questionnaire (markers before 0.2 hold only the latter)."""
    if "company" not in previous and "source" not in previous:
        return True
    return previous.get("company") == company or previous.get("source") == _source(loaded)


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


def fingerprints(loaded: Loaded, overrides: Sequence[Path], options: Options) -> dict[str, str]:
    """What each half depends on (``site``, ``pdf``): when one is unchanged, that half is too.

    ``options.site`` and ``options.pdf`` are no part of either: they say which halves to build,
    not what a half is made of.
    """
    h = hashlib.sha256()
    settings = [
        __version__,
        loaded.questionnaire.handbook.edition,  # the questionnaire's or --edition's
        options.passphrase is not None,  # protected or not; never the passphrase
        clock.epoch(),  # the dates and metadata it sets
    ]  # not where the questionnaire lies: moved to a new checkout, it is still up to date
    h.update(json.dumps(settings).encode())
    h.update("\n".join(loaded.document.lines).encode())  # as read: the file is not opened again
    for image in loaded.images.values():
        h.update(image.data)
    for root in (resources.content_dir(), resources.themes_dir(), resources.base_config()):
        h.update(_tree_digest(root).encode())
    for root in overrides:
        h.update(_tree_digest(root).encode())
    if loaded.questionnaire.handbook.effective is None:  # the build date is part of the output
        h.update(clock.today().isoformat().encode())
    digests = {}
    for half, setting in (("site", options.engine), ("pdf", options.paper)):
        one = h.copy()
        one.update(json.dumps([half, setting]).encode())
        digests[half] = one.hexdigest()
    return digests


@dataclass(frozen=True)
class _Plan:
    """Which halves a build makes, and which it keeps from the previous output."""

    site: bool
    pdf: bool
    #: Whether the site links the PDF: only one that is current (built now, or kept).
    link: bool
    kept_site: dict[str, Any] | None
    kept_pdf: dict[str, Any] | None
    #: Files of the previous output a kept site leaves behind (a PDF it does not link).
    leave: tuple[str, ...]
    stale: tuple[str, ...]
    notices: tuple[str, ...]


def _plan(target: Path, previous: dict[str, Any], keys: dict[str, str], options: Options) -> _Plan:
    """Build what was asked for unless it is current; keep the other half as it is."""
    protected = options.passphrase is not None
    # A protected build cannot check the passphrase of a half it did not encrypt, and never
    # publishes an unprotected one.
    keep = bool(previous.get("protected")) == protected
    site, pdf = _recorded(target, previous, "site"), _recorded(target, previous, "pdf")
    pdf_ok = pdf is not None and pdf["inputs"] == keys["pdf"] and not protected
    link = options.pdf or (pdf_ok and keep)
    site_ok = (
        site is not None
        and site["inputs"] == keys["site"]
        and site["links_pdf"] == link
        and not protected
    )
    build_site = options.site and (options.force or not site_ok)
    build_pdf = options.pdf and (options.force or not pdf_ok)
    kept_site = site if site and keep and not build_site else None
    kept_pdf = pdf if pdf and keep and not build_pdf else None
    stale: list[str] = []
    notices: list[str] = []
    if not options.pdf and pdf and not pdf_ok:
        why = _("its passphrase cannot be checked") if protected else _("its inputs changed")
        stale += ["pdf"] if keep else []
        notices.append(
            _(
                "the PDF is out of date ({why}): kept, no longer linked from the site; build"
                " without --no-pdf to update it",
                why=why,
            )
            if keep
            else _("the unprotected PDF was removed; build without --no-pdf to protect it")
        )
    if not options.site and site and not site_ok:
        why = (
            _("its passphrase cannot be checked")
            if protected
            else _("its inputs changed")
            if site["inputs"] != keys["site"]
            else _("it does not link the PDF")
        )
        stale += ["site"] if keep else []
        notices.append(
            _(
                "the site is out of date ({why}): kept as it was; build without --no-site to"
                " update it",
                why=why,
            )
            if keep
            else _("the unprotected site was removed; build without --no-site to protect it")
        )
    leave = (pdf["file"],) if pdf and kept_site and not kept_site["links_pdf"] else ()
    return _Plan(
        build_site,
        build_pdf,
        link,
        kept_site,
        kept_pdf,
        leave,
        tuple(stale),
        tuple(notices),
    )


def _recorded(target: Path, marker: dict[str, Any], half: str) -> dict[str, Any] | None:
    """What the marker says of a half still in ``target``, or None (none recorded, or someone
    deleted it); a marker of crisisplan 0.x before the halves gives the halves no digest."""
    record = marker.get(half)
    if half == "pdf" and isinstance(record, str):  # the file's name, before the halves
        record = {"inputs": None, "file": record, "pages": marker.get("pdf_pages", 0)}
    elif half == "site" and "fingerprint" in marker:
        record = {
            "inputs": None,
            "pages": marker.get("pages", 0),
            "links_pdf": bool(marker.get("pdf")),
        }
    if not isinstance(record, dict):
        return None
    if half == "site":
        return record if (target / "index.html").is_file() else None
    name = str(record.get("file", ""))
    # the marker is in a published folder: only a PDF's plain name is taken from it
    ok = name == Path(name).name and name.endswith(".pdf") and (target / name).is_file()
    return record if ok else None


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
    def language(self) -> str:
        """The language of the questionnaire's messages (its ``handbook.language``)."""
        return i18n.language_of(self.path)

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
            # A pipe or a device with such a name is listed, so that loading it says what it is.
            direct = [
                p
                for p in item.iterdir()
                if p.suffix in (".yaml", ".yml") and _entry(p) and not p.name.startswith(".")
            ]
            nested = [
                p
                for p in item.glob("*/questionnaire.y*ml")
                if _entry(p) and not p.parent.name.startswith(".")
            ]
            found += sorted(direct + nested)
        else:
            found.append(item)
    return list(dict.fromkeys(found))


def _entry(path: Path) -> bool:
    """Whether a folder's entry may be a questionnaire: anything there but a folder."""
    return path.exists() and not path.is_dir()


def _build_one(path: Path, outdir: Path, options: Options) -> Outcome:
    try:
        return Outcome(path, build_handbook(path, outdir, options), edition=options.edition)
    except CrisisplanError as exc:
        return Outcome(path, error=exc.format_message(), edition=options.edition)
    except Exception as exc:  # a bug: this client fails, the others are still built
        return Outcome(path, error=_unexpected(path, exc), edition=options.edition)


@i18n.in_its_language
def _unexpected(path: Path, exc: BaseException) -> str:
    """An error crisisplan did not expect, as one line: a bug to report, not a traceback."""
    what = visible(str(exc).split("\n", 1)[0][:300]) if str(exc) else ""
    kind = type(exc).__name__ + (": " + what if what else "")
    return _(
        "Error: {path}: crisisplan failed unexpectedly ({kind}); nothing was written for it."
        " Please report this as a bug.",
        path=path,
        kind=kind,
    )


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
        raise BuildError(
            _("Error: no questionnaires found (*.yaml, *.yml or */questionnaire.yaml).")
        )
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
        except Exception as exc:  # its error is reported by the shard of its file name
            if not shard or shard_of(str(job[0]), shard[1]) == shard[0]:
                error = (
                    exc.format_message()
                    if isinstance(exc, CrisisplanError)
                    else _unexpected(job[0], exc)
                )
                outcomes[job] = Outcome(job[0], error=error, edition=job[1])
                mine.append(job)
            continue
        if not shard or shard_of(folder, shard[1]) == shard[0]:
            by_folder.setdefault(folder, []).append(job)
            mine.append(job)
    if shard:
        builds = [job for job in builds if job in mine]
    if options.passphrase is not None and len(companies) > 1:
        raise BuildError(
            _(
                "Error: --protect would give {n} companies one passphrase, so each client's team"
                " could open the others' handbooks; build each company with its own passphrase"
                " (one command each).",
                n=len(companies),
            )
        )
    for folder, group in by_folder.items():
        for job in group if len(group) > 1 else ():
            others = ", ".join(str(p) for p, _edition in group if p != job[0])
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
                    with i18n.speaking(outcome.language):
                        stage = _("the process building {client}", client=outcome.label)
                        outcome.error = ended(stage).message
                except Exception as exc:  # anything else: a bug, said in one line
                    outcome = Outcome(job[0], error=_unexpected(job[0], exc), edition=job[1])
                outcomes[job] = outcome
                done += 1
                if progress:
                    progress(outcome, done, len(builds))
    return [outcomes[job] for job in builds]


def shard_of(name: str, count: int) -> int:
    """Which of ``count`` shares (1 to ``count``) a handbook's folder belongs to: a digest of
    its name, so a client stays in its share whatever other clients come and go."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big") % count + 1


@i18n.in_its_language
def _same_folder(path: Path, others: str, folder: str, edition: str, *, both: bool) -> str:
    advice = (
        _("give each company a distinct company.name")
        if both
        else _(
            "give each company a distinct company.name, or build one as the other edition"
            " (handbook.edition, or --edition)"
        )
    )
    return _(
        "Error: {path}: its {edition} edition would be built into {folder}/, as a handbook of"
        " {others} would: {advice}",
        path=path,
        edition=edition,
        folder=folder,
        others=others,
        advice=advice,
    )
