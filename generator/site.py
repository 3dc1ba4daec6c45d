"""Stage 4: write the MkDocs project (mkdocs.yml + docs/) and build the site with MkDocs' API."""

from __future__ import annotations

import html
import json
import logging
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import jinja2
import yaml
from jinja2.sandbox import SandboxedEnvironment

from . import calendar, protect, resources
from . import overrides as overrides_
from .errors import BuildError, Problem
from .finish import finish_site
from .i18n import _
from .install import pip_install
from .model import Handbook
from .render import PHASES
from .text import strings

BASE_NAME = "crisisplan-base.yml"
HOOKS_NAME = "crisisplan_hooks.py"
EXTRA_CSS = "assets/stylesheets/extra.css"  # an override may add it in themes/material/
HOOKS = (
    '"""MkDocs hooks of a crisisplan project: every page body passes an allow-list sanitiser;\n'
    'every page gets a strict Content-Security-Policy (crisisplan/hooks.py)."""\n\n'
    "from crisisplan.hooks import on_page_content, on_post_build\n\n"
    '__all__ = ["on_page_content", "on_post_build"]\n'
)


def nav(hb: Handbook, pages: dict[str, str]) -> list[Any]:
    """The navigation: the crisis card first, then the four phases, the appendix and about.

    Threat pages are not in it: every page carries the whole navigation, so a register of a
    thousand threats would put a thousand links on each of a thousand pages. They are listed,
    by severity, on the Response page, and each links to the one before and after it.
    """
    entries: list[Any] = ["index.md"]
    threat_pages = {str(tv.page) for tv in hb.threats}
    for phase in PHASES:
        index = f"{phase}/index.md"
        children = [
            p for p in pages if p.startswith(f"{phase}/") and p != index and p not in threat_pages
        ]
        entries.append({_title(pages[index]): [index, *children]})
    entries += ["appendix/index.md", "about.md"]
    return entries


def _title(markdown: str) -> str:
    for line in markdown.splitlines():
        if line.startswith("# "):
            return html.unescape(line[2:].strip())
    return ""


def config(hb: Handbook, pages: dict[str, str], *, pdf_name: str | None) -> dict[str, Any]:
    """The client's mkdocs.yml as data; every questionnaire value in it is HTML-escaped text.

    MkDocs renders ``site_name`` and ``copyright`` into pages without escaping, so they are
    escaped here; the file itself is written with a safe dumper, so no YAML tag can sneak in.
    """
    name = html.escape(hb.company.name)
    edition = hb.handbook.edition
    s = strings(hb.language)
    copyright_ = f"{name} · {html.escape(hb.title)} · {html.escape(s['print']['version'])} {html.escape(hb.handbook.version)}"
    theme: dict[str, Any] = {
        "custom_dir": "overrides",
        "language": hb.language,
        "palette": [
            {
                "media": "(prefers-color-scheme: light)",
                "scheme": "default",
                "primary": "custom",
                "accent": "custom",
                "toggle": {"icon": "material/weather-night", "name": s["site"]["dark_mode"]},
            },
            {
                "media": "(prefers-color-scheme: dark)",
                "scheme": "slate",
                "primary": "custom",
                "accent": "custom",
                "toggle": {"icon": "material/weather-sunny", "name": s["site"]["light_mode"]},
            },
        ],
    }
    if hb.logo:
        theme["logo"] = f"assets/{hb.logo}"
    if hb.favicon:
        theme["favicon"] = f"assets/{hb.favicon}"
    return {
        "INHERIT": BASE_NAME,
        "site_name": f"{name} · {html.escape(hb.title)}",
        "site_description": html.escape(hb.title),
        "site_url": hb.site_url,
        "copyright": copyright_,
        "docs_dir": "docs",
        "theme": theme,
        "nav": nav(hb, pages),
        "not_in_nav": "/response/*.md\n",
        "hooks": [HOOKS_NAME],
        "extra": {
            "crisisplan": {
                "confidential": edition == "internal",
                "confidential_note": html.escape(s["site"]["confidential"]),
                "confidential_short": html.escape(s["site"]["confidential_short"]),
                "pdf": pdf_name,
                "pdf_label": html.escape(s["site"]["pdf"]),
            }
        },
    }


def brand_css(hb: Handbook, overrides: Sequence[Path] = ()) -> str:
    """The client's colours as CSS for Material, from ``themes/site/brand.css``."""
    env = SandboxedEnvironment(
        loader=overrides_.loader("themes/site", overrides),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
    )
    return env.get_template("brand.css").render(c=hb.colors)


def export(
    hb: Handbook,
    pages: dict[str, str],
    project: Path,
    *,
    folder: Path,
    pdf_name: str | None,
    overrides: Sequence[Path] = (),
    protected: bool = False,
) -> Path:
    """Write a complete, self-contained MkDocs project into ``project``; return its mkdocs.yml."""
    docs = project / "docs"
    for rel, markdown in pages.items():
        target = docs / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(markdown, encoding="utf-8")
    assets = docs / "assets"
    fonts = resources.themes_dir() / "fonts"
    for font in fonts.iterdir():  # not print/, which holds the PDF's TrueType copies
        if font.is_file() and not overrides_.not_docs(font.name):
            (assets / "fonts").mkdir(parents=True, exist_ok=True)
            shutil.copyfile(font, assets / "fonts" / font.name)
    (assets / "stylesheets").mkdir(parents=True, exist_ok=True)
    (assets / "stylesheets" / "brand.css").write_text(brand_css(hb, overrides), encoding="utf-8")
    (docs / hb.calendar_file).write_bytes(calendar.ics(hb, names=not protected))
    for name, image in hb.images.items():  # the checked copies, never the client's files
        (assets / name).write_bytes(image.data)
    theme = project / "overrides"
    builtin = resources.themes_dir() / "material"
    overrides_.copy_files(builtin, theme, ignore=overrides_.not_docs)
    # An override can extend the built-in template it replaces: {% extends "default/main.html" %}
    for html_file in builtin.glob("*.html"):
        (theme / "default").mkdir(exist_ok=True)
        shutil.copyfile(html_file, theme / "default" / html_file.name)
    for root in reversed(overrides):  # the first folder named wins
        if (root / "themes" / "material").is_dir():
            overrides_.copy_files(root / "themes" / "material", theme, ignore=overrides_.not_docs)
    shutil.copyfile(resources.base_config(), project / BASE_NAME)
    (project / HOOKS_NAME).write_text(HOOKS, encoding="utf-8")
    config_file = project / "mkdocs.yml"
    data = config(hb, pages, pdf_name=pdf_name)
    if (theme / EXTRA_CSS).is_file():  # an override's stylesheet, added after the built-in ones
        base = yaml.safe_load(resources.base_config().read_text(encoding="utf-8"))
        data["extra_css"] = [*base["extra_css"], EXTRA_CSS]
    if protected:  # encrypted pages and search; the passphrase comes at build_site()
        protect.configure(data, project, language=hb.language, folder=hb.folder)
    with config_file.open("w", encoding="utf-8") as fh:
        fh.write("# Generated by crisisplan: edit the questionnaire, not this file.\n")
        yaml.safe_dump(data, fh, allow_unicode=True, sort_keys=False, width=1000)
    return config_file


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _mkdocs_logging() -> Iterator[_Collect]:
    logger = logging.getLogger("mkdocs")
    handler = _Collect()
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


def build_site(
    config_file: Path, site_dir: Path, passphrase: protect.Passphrase | None = None
) -> None:
    """Build the site in process with MkDocs' API, strictly: any warning fails the build."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError

    with _mkdocs_logging() as collected:
        try:
            cfg = load_config(config_file=str(config_file), site_dir=str(site_dir), strict=True)
            if passphrase:
                protect.unlock(cfg, passphrase)
            cfg.plugins.on_startup(command="build", dirty=False)
            try:
                build(cfg)
            finally:
                cfg.plugins.on_shutdown()
        except (Abort, ConfigurationError) as exc:
            problems = [
                Problem(str(config_file), 1, 1, "mkdocs", " ".join(r.getMessage().split()))
                for r in collected.records
            ]
            raise BuildError(
                _("Error: the site build failed ({why}); nothing was written.", why=exc),
                problems,
            ) from None


def build_site_zensical(config_file: Path, site_dir: Path, site_url: str | None = None) -> None:
    """Build the same project with Zensical (crisisplan's optional ``zensical`` extra), strictly.

    Zensical reads mkdocs.yml and the Material overrides; it does not run MkDocs hooks, so the
    page bodies rely on crisisplan's escaping and the Content-Security-Policy alone.
    """
    try:
        import zensical
    except ImportError:
        raise BuildError(
            _(
                "Error: the zensical engine is not installed: {install}.",
                install=pip_install("zensical"),
            )
        ) from None
    try:
        zensical.build(str(config_file.resolve()), {"strict": True, "clean": True})
    except (Exception, SystemExit) as exc:  # Zensical reports errors as plain exceptions
        raise BuildError(
            _("Error: the Zensical build failed: {why}; nothing was written.", why=exc)
        ) from None
    built = config_file.parent / "site"
    if not (built / "index.html").is_file():
        raise BuildError(_("Error: the Zensical build wrote no site; nothing was written."))
    for name in ("search.json", "search.js"):
        if (built / name).is_file():
            _plain_search_paths(built / name)
    finish_site(built, site_url)
    shutil.rmtree(site_dir, ignore_errors=True)
    built.rename(site_dir)


def _plain_search_paths(index: Path) -> None:
    """Zensical's search index gives each result's breadcrumb (``path``) with the character
    references of the page titles, which its search shows as they are ("competitor&#39;s"):
    decoded here, except that ``<`` and ``>`` stay references, since the search parses the
    breadcrumb as HTML."""
    prefix, brace, body = index.read_text(encoding="utf-8").partition("{")  # search.js: "var"
    data, end = json.JSONDecoder().raw_decode(brace + body)  # search.js ends with ";"
    for item in data.get("items", []):
        item["path"] = [
            html.unescape(part).replace("<", "&lt;").replace(">", "&gt;")
            for part in item.get("path", [])
        ]
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    index.write_text(prefix + text + (brace + body)[end:], encoding="utf-8")
