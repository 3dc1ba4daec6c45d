"""Stage 5, print HTML: the pages as one HTML document for WeasyPrint, from the print template."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jinja2
import markdown
import yaml
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from .. import __version__, clock, resources, text
from .. import overrides as overrides_
from ..choices import PAPER
from ..model import Handbook
from ..render import PHASES
from ..sanitize import TAG, sanitize
from . import card, tables

_HREF = re.compile(r'\s(href|id)="([^"]*)"')
_ATTRIBUTES = re.compile(r"\s*\{[^{}]*\}\s*$")
#: WeasyPrint draws inline SVG without the document's CSS: its text would fall back to the
#: system's default face (DejaVu Sans) unless the SVG names the print font itself.
_SVG = re.compile(r"<svg\b(?![^>]*\sfont-family=)")
#: An e-mail address may break before its "@" and before a dot of its domain (and nowhere
#: else), so that a contact table's e-mail column need not be as wide as the longest address
#: while the names beside it wrap. A measured table keeps the domain whole when its words fit
#: (generator/pdf/tables.py): an address then takes two lines at most. The break is a
#: zero-width space (WeasyPrint has no <wbr>); Pango draws no glyph for it.
_ZWSP = "\u200b"
_MAILTO = re.compile(r'(<a\s[^>]*href="mailto:[^"]*"[^>]*>)([^<@]+)@([^<]+)(</a>)')


def _mail_breaks(match: re.Match[str]) -> str:
    head, local, domain, end = match.groups()
    return f"{head}{local}{_ZWSP}@{domain.replace('.', _ZWSP + '.')}{end}"


def page_key(path: str) -> str:
    """``response/food-safety.md`` -> ``response--food-safety`` (an id for the whole page)."""
    return path.removesuffix(".md").replace("/", "--")


def _relink(html: str, path: str) -> str:
    """Make one page's ids unique in the single print document and point links at them;
    links to other files lose their target."""
    key = page_key(path)

    def sub(match: re.Match[str]) -> str:
        attr, value = match.group(1), match.group(2)
        if attr == "id":
            return f' id="{key}-{value}"'
        if value.startswith("#"):
            return f' href="#{key}-{value[1:]}"'
        parts = urlsplit(value)
        if parts.scheme or parts.netloc:
            return match.group(0)
        if not parts.path.endswith(".md"):
            # A file beside the site (the calendar): paper cannot open it, and WeasyPrint
            # would turn it into a file:// link to the build folder.
            return ""
        target = posixpath.normpath(posixpath.join(posixpath.dirname(path), unquote(parts.path)))
        anchor = page_key(target)
        return f' href="#{anchor}-{parts.fragment}"' if parts.fragment else f' href="#{anchor}"'

    return TAG.sub(lambda tag: _HREF.sub(sub, tag.group(0)), html)


@cache
def markdown_extensions() -> tuple[list[str], dict[str, Any]]:
    """The Markdown extensions of the base mkdocs.yml, so print and site parse pages alike."""
    config = yaml.safe_load(resources.base_config().read_text(encoding="utf-8"))
    names: list[str] = []
    configs: dict[str, Any] = {}
    for item in config["markdown_extensions"]:
        name, options = next(iter(item.items())) if isinstance(item, dict) else (item, None)
        names.append(name)
        if options:
            configs[name] = options
    return names, configs


#: Print needs no permalink anchors and no clickable checkbox markup: every element costs
#: WeasyPrint time on every page, and neither shows on paper.
PRINT_OPTIONS = {"toc": {"permalink": False}, "pymdownx.tasklist": {"custom_checkbox": False}}


def sections(
    pages: dict[str, str],
    *,
    measure: bool = True,
    same_as: str | None = None,
    people: Sequence[str] = (),
    paper: str = "A4",
) -> list[dict[str, Any]]:
    """Each page as print HTML with its kind: card, phase, threat, appendix or about.

    ``people``: people's names, marked so that print never hyphenates them (nor breaks them
    in a table). ``paper``: the card gets the class that keeps it on one sheet of it
    (``fit``, from :func:`card.fit`).

    ``same_as``: the words of :func:`refer_back`, which then shortens repeated threat sections
    (before tables are measured, so none is measured for nothing). ``measure``: tables get
    widths computed from the built-in print font's metrics (off when an override may change
    the fonts).
    """
    names, configs = markdown_extensions()
    configs = {
        name: {**configs.get(name, {}), **PRINT_OPTIONS.get(name, {})}
        for name in {*configs, *PRINT_OPTIONS}
        if name in names
    }
    md = markdown.Markdown(extensions=names, extension_configs=configs)
    out = []
    for path, source in pages.items():
        md.reset()
        body = card.mark_names(_relink(sanitize(md.convert(source)), path), people)
        body = _MAILTO.sub(_mail_breaks, _SVG.sub('<svg font-family="crisisplan-text"', body))
        if path == "index.md":
            kind = "card"
        elif path.startswith("response/") and path != "response/index.md":
            kind = "threat"
        elif path.split("/")[0] in PHASES:
            kind = "phase" if path.endswith("index.md") else "subpage"
        else:
            kind = path.split("/")[0].removesuffix(".md")
        title = next((line[2:] for line in source.splitlines() if line.startswith("# ")), "")
        title = _ATTRIBUTES.sub("", title)  # "Title { #threat }": the id is not the title
        out.append(
            {
                "path": path,
                "id": page_key(path),
                "kind": kind,
                "html": Markup(body),
                "title": Markup(title),
                "fit": card.fit(body, paper) if kind == "card" else "",
            }
        )
    if same_as is not None:
        refer_back([x for x in out if x["kind"] == "threat"], same_as)
    if measure:
        for x in out:
            if x["kind"] != "card":  # the card's tables are smaller and its page wider
                x["html"] = Markup(tables.measure(str(x["html"])))
    return out


#: A threat's section is printed in full the first time; when a later threat's same section
#: says exactly the same (the playbook's questions, notices and brief for its kind) and is
#: longer than this many characters of text, print refers back to it instead.
SAME_AS_MIN_TEXT = 400
_H2 = re.compile(r'<h2 id="([^"]*)"[^>]*>.*?</h2>', re.S)
_TICKS = re.compile(r"task-list|☐")


def refer_back(threats: list[dict[str, Any]], label: str) -> None:
    """In the print sections of threat pages, replace each section that repeats an earlier
    threat's same section word for word with a link to it: a printed handbook with fifty
    complaints does not print the same questions fifty times. The site keeps every page whole.
    """
    seen: dict[tuple[str, str], tuple[str, Markup]] = {}
    for sec in threats:
        key, html = sec["id"], str(sec["html"])
        heads = list(_H2.finditer(html))
        out, last = [], 0
        for i, head in enumerate(heads):
            start = head.end()
            end = heads[i + 1].start() if i + 1 < len(heads) else len(html)
            name = head.group(1).removeprefix(f"{key}-")
            body = html[start:end]
            same = body.replace(f'"{key}-', '"#-').replace(f'"#{key}-', '"#-')
            if len(re.sub(r"<[^>]+>", "", body)) <= SAME_AS_MIN_TEXT or _TICKS.search(body):
                continue  # short, or boxes to tick for this threat
            if (name, same) in seen:
                target, title = seen[(name, same)]
                link = f'<a href="#{target}">“{title}”</a>'
                out += [html[last:start], f'<p class="cp-same">{label.format(threat=link)}</p>\n']
                last = end
            else:
                seen[(name, same)] = (head.group(1), sec["title"])
        sec["html"] = Markup("".join(out) + html[last:])


#: The text area of the review sheet's page, in mm (width, height), by paper: the page less
#: print.css's margins; and what its heading and the fields' line take of the height.
_TEXT_AREA = {"A4": (174.0, 255.0), "letter": (179.9, 237.4)}
_FORM_HEAD_MM = 25.0
#: A question (print.css ``h2.form-q``): 4 mm above it, lines of 10.5 pt bold at 1.2.
_QUESTION_GAP_MM, _QUESTION_LINE_MM = 4.0, 10.5 * 1.2 * 25.4 / 72
#: The ruled lines to write in, three to a question: 8 mm apart when there is room, never
#: closer than 6 mm (narrow-ruled paper's are 6.35 mm); below that the sheet runs over.
_WRITE_LINE_MM = (6.0, 8.0)


def review_line(questions: Sequence[str], paper: str = "A4") -> float:
    """How far apart the review sheet's ruled lines are (mm), so that its questions, each with
    three lines to write on, fill its page: the questions' own lines measured from the font."""
    width, height = _TEXT_AREA.get(paper, _TEXT_AREA["A4"])
    used = 0.0
    for number, question in enumerate(questions, 1):
        lines, line = 1, 0.0
        for word in f"{number}. {question}".split():
            size = tables.text_mm(word, bold=True, size_pt=10.5)
            space = tables.text_mm(" ", bold=True, size_pt=10.5)
            if line and line + space + size > width:
                lines, line = lines + 1, size
            else:
                line += (space if line else 0.0) + size
        used += _QUESTION_GAP_MM + lines * _QUESTION_LINE_MM
    room = (height - _FORM_HEAD_MM - used) / (3 * max(len(questions), 1))
    low, high = _WRITE_LINE_MM
    return round(max(low, min(high, room)), 1)


def theme_file(relative: str, overrides: Sequence[Path] = ()) -> Path:
    """``themes/<relative>`` from the first override folder that has it, else the built-in one."""
    for root in overrides:
        candidate = root / "themes" / relative
        if candidate.is_file():
            return candidate.resolve()
    return resources.themes_dir() / relative


def print_html(
    hb: Handbook,
    pages: dict[str, str],
    *,
    folder: Path,
    paper: str = "a4",
    overrides: Sequence[Path] = (),
) -> str:
    """The complete HTML the PDF is rendered from (``crisisplan export`` writes it too).

    ``themes/print/`` templates are searched in the override folders first; ``default:NAME``
    names the built-in template, so an override can extend it. They render sandboxed.
    """
    env = SandboxedEnvironment(
        loader=overrides_.loader("themes/print", overrides),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["date"] = lambda d: text.date(d, hb.language)
    fonts_as_built = not any(
        (root / "themes" / folder_name).exists()
        for root in overrides
        for folder_name in ("fonts", "print")
    )
    same_as = text.strings(hb.language)["print"]["same_as"]
    all_sections = sections(
        pages,
        measure=fonts_as_built,
        same_as=same_as,
        people=[p.name for p in hb.team if p.name],
        paper=PAPER[paper],
    )
    order = {"card": 0, "about": 0, "phase": 1, "subpage": 1, "threat": 1, "appendix": 2}
    return env.get_template("print.html").render(
        hb=hb,
        s=text.strings(hb.language),
        sections=sorted(all_sections, key=lambda x: order.get(x["kind"], 2)),
        logo=hb.logo_uri,
        paper=PAPER[paper],
        review_line=review_line(hb.playbook.review_questions, PAPER[paper]),
        stylesheets=[
            theme_file("fonts/print/fonts.css", overrides).as_uri(),
            theme_file("print/print.css", overrides).as_uri(),
            # Each override may add to the print stylesheet rather than replace it.
            *[
                (root / "themes" / "print" / "extra.css").resolve().as_uri()
                for root in reversed(overrides)
                if (root / "themes" / "print" / "extra.css").is_file()
            ],
        ],
        version=__version__,
        created=clock.created(),
    )
