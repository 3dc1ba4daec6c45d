"""The pipeline: questionnaire -> handbook model -> Markdown pages -> site and PDF.

Reading :func:`build_handbook` tells how the tool works; each stage lives in its own module.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import text
from .errors import BuildError, Problem
from .model import Handbook, build_model
from .pdf import print_html, write_pdf
from .questionnaire import Loaded, load_questionnaire
from .render import environment, render_pages
from .site import build_site, export

MARKER = ".crisisplan"


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


def slug_for(name: str) -> str:
    """The client's folder name: safe on every file system, never empty."""
    slug = text.slugify(name)
    if not slug or slug.upper() in RESERVED:
        slug = f"client-{slug}" if slug else "client"
    return slug


RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
    "SITE",
    "ASSETS",
}


def prepare(
    path: Path | str, overrides: Sequence[Path] = ()
) -> tuple[Loaded, Handbook, dict[str, str]]:
    """Stages 1-3: load and validate, build the model, render the pages."""
    loaded = load_questionnaire(path)
    hb = build_model(loaded)
    brand = hb.q.brand
    if brand.logo:
        hb.logo = "logo" + Path(brand.logo).suffix.lower()
    if brand.favicon:
        hb.favicon = "favicon" + Path(brand.favicon).suffix.lower()
    version = text.slugify(hb.q.handbook.version) or "1"
    hb.pdf = pdf_name(hb.q.company.name, version)
    env = environment(hb.language, overrides)
    pages = render_pages(hb, env)
    return loaded, hb, pages


def pdf_name(company: str, version: str) -> str:
    """``kopi-nusantara-crisis-handbook-2026-2.pdf``."""
    return f"{slug_for(company)}-crisis-handbook-{version}.pdf"


def export_project(path: Path | str, project: Path, overrides: Sequence[Path] = ()) -> Path:
    """Write the MkDocs project of a questionnaire into ``project`` (``crisisplan export``)."""
    loaded, hb, pages = prepare(path, overrides)
    _refuse_foreign(project)
    project.mkdir(parents=True, exist_ok=True)
    (project / MARKER).write_text("made by crisisplan\n", encoding="utf-8")
    config_file = export(hb, pages, project, folder=loaded.folder, pdf_name=None)
    html = print_html(hb, pages, folder=loaded.folder)
    (project / "print.html").write_text(html, encoding="utf-8")
    return config_file


def build_handbook(
    path: Path | str,
    outdir: Path | str = "site",
    *,
    overrides: Sequence[Path] = (),
    site: bool = True,
    pdf: bool = True,
    paper: str = "a4",
) -> Result:
    """Build one client's handbook into ``outdir/<slug>/``, atomically."""
    started = time.perf_counter()
    loaded, hb, pages = prepare(path, overrides)
    slug = slug_for(hb.q.company.name)
    assert hb.pdf is not None
    outdir = Path(outdir).absolute()
    target = outdir / slug
    _refuse_foreign(outdir)
    _refuse_foreign(target)
    outdir.mkdir(parents=True, exist_ok=True)
    (outdir / MARKER).touch()
    work = Path(tempfile.mkdtemp(prefix=f".{slug}-", dir=outdir))
    try:
        staged = work / "out"
        if site:
            config_file = export(
                hb, pages, work / "project", folder=loaded.folder, pdf_name=hb.pdf if pdf else None
            )
            build_site(config_file, staged)
        staged.mkdir(exist_ok=True)
        pdf_pages = 0
        if pdf:
            html = print_html(hb, pages, folder=loaded.folder, paper=paper)
            pdf_pages = write_pdf(
                html,
                staged / hb.pdf,
                folder=loaded.folder,
                base=loaded.folder,
                language=hb.language,
            )
        (staged / MARKER).write_text("made by crisisplan\n", encoding="utf-8")
        _replace(staged, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return Result(
        slug,
        target,
        len(pages),
        target / hb.pdf if pdf else None,
        loaded.warnings,
        time.perf_counter() - started,
        pdf_pages,
    )


def _refuse_foreign(folder: Path) -> None:
    """Refuse to write into a non-empty folder that crisisplan did not make."""
    if not folder.exists():
        return
    if not folder.is_dir():
        raise BuildError(f"Error: {folder} exists and is not a folder; nothing was written.")
    if any(folder.iterdir()) and not (folder / MARKER).exists():
        raise BuildError(
            f"Error: {folder} holds files crisisplan did not make; choose another output folder."
        )


def _replace(staged: Path, target: Path) -> None:
    """Move ``staged`` into place; the previous output is removed only once the new one is in."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}-old-{os.getpid()}")
        target.rename(old)
    staged.rename(target)
    if old is not None:
        shutil.rmtree(old)
