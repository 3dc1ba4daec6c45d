"""The attack suite: payloads in every free-text field, hostile logos, planted templates and cache
entries, in both languages and both editions; every page opened in Chromium, search included.

The fields come from the model (tests/questionnaires.py), so a field added to the schema is
attacked without editing this file. Success is nothing at all: no dialog, no page error, no
Content-Security-Policy violation, no file written by a payload, every payload shown as text.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import tempfile
import textwrap
from pathlib import Path

import PIL.Image
import pypdf
import pytest
import yaml
from browser_support import serving
from click.testing import CliRunner
from questionnaires import Payloads, free_text_fields, questionnaire

from crisisplan.build import Options, build_handbook, export_project
from crisisplan.cli import cli
from crisisplan.errors import BuildError, Problem, QuestionnaireError
from crisisplan.questionnaire import load_questionnaire
from crisisplan.types import clean

#: Each payload alerts with its own number, so a dialog says which one ran.
PAYLOADS = [
    "x</title><script>alert(1)</script>",
    '<img src=x onerror="alert(2)">',
    '"><svg onload=alert(3)>',
    "javascript:alert(4)",
    "[click](javascript:alert(5)) <https://evil.example/>",
    "{{ config.__class__.__init__.__globals__ }} {% raw %}",
    "__config",
    "__search",
    "</style><style>body{display:none}</style>",
    "&lt;script&gt;alert(6)&lt;/script&gt; &#60;b&#62;",
    "\u202eevil\u202c <b onmouseover=alert(7)>x</b>",
    "' onfocus='alert(8)' autofocus='",
]
EDITIONS = [
    ("en", "internal", "mkdocs"),
    ("en", "public", "mkdocs"),
    ("id", "internal", "mkdocs"),
    ("id", "public", "mkdocs"),
    ("en", "internal", "zensical"),
]

pytestmark = [pytest.mark.slow]


#: The local host that serves the error page: the test's own, not the network.
LOCAL = "http://127.0.0.1:"


def shown(text: str) -> str:
    """How a payload reads on a page: invisible characters gone, spaces collapsed."""
    return " ".join(clean(text).split())


@pytest.fixture(scope="module", params=EDITIONS, ids=["-".join(e) for e in EDITIONS])
def attacked(request, tmp_path_factory) -> tuple[Path, Payloads, str]:
    language, edition, engine = request.param
    if engine == "zensical":
        pytest.importorskip("zensical", reason="the optional zensical engine is not installed")
    maker = Payloads(PAYLOADS)
    data = questionnaire(
        maker, language=language, edition=edition, sizes={"threats": len(PAYLOADS)}
    )
    folder = tmp_path_factory.mktemp(f"attack-{language}-{edition}-{engine}")
    path = folder / "questionnaire.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = build_handbook(path, folder / "out", Options(engine=engine))
    assert not (folder / "pwned").exists()
    return result.output, maker, engine


def test_every_free_text_field_of_the_model_is_attacked(attacked) -> None:
    _, maker, _ = attacked
    written = {
        re.sub(
            r"\[\d+\]", "[]", ".".join(f"[{p}]" if isinstance(p, int) else p for p in path)
        ).replace(".[", "[")
        for path in maker.written
    }
    written = {re.sub(r"messages\.[a-z0-9]+$", "messages{}", w) for w in written}
    assert written == set(free_text_fields())


def test_every_payload_is_text_in_the_pdf(attacked) -> None:
    site, maker, _ = attacked
    pdf = pypdf.PdfReader(next(site.glob("*.pdf")))
    text = "".join("".join((p.extract_text() or "").split()) for p in pdf.pages)
    for payload in {shown(v) for v in maker.written.values()}:
        # Lines wrap anywhere in a PDF: compare without spaces.
        assert payload.replace(" ", "") in text, payload
    for page in pdf.pages:  # no action but a link to the web, mail or a phone
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            assert action.get("/S") in (None, "/URI", "/GoTo"), action
            uri = str(action.get("/URI", "https:"))
            assert uri.split(":", 1)[0] in ("https", "http", "mailto", "tel"), uri


@pytest.mark.browser
def served_error_page(site: Path, stack: contextlib.ExitStack) -> str:
    """The error page's address: on disk, or, when the questionnaire gives a ``site_url`` and
    the page's links start with its path (it is meant for a host, at any depth), served by a
    local host at that path."""
    error_page = (site / "404.html").read_text(encoding="utf-8")
    prefix = re.search(r'href="(/[^"]*)assets/stylesheets/', error_page)
    if not prefix:
        return (site / "404.html").as_uri()
    root = stack.enter_context(tempfile.TemporaryDirectory())
    mount = Path(root, prefix.group(1).strip("/"))
    mount.parent.mkdir(parents=True, exist_ok=True)
    mount.symlink_to(site, target_is_directory=True)
    host = stack.enter_context(serving(Path(root)))
    return f"{host}{prefix.group(1)}404.html"


def test_no_payload_runs_on_any_page_or_in_search(attacked, page) -> None:
    site, maker, engine = attacked
    stack = contextlib.ExitStack()
    with stack:
        _no_payload_runs(site, maker, engine, page, stack)


def _no_payload_runs(site: Path, maker: Payloads, engine: str, page, stack) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    titles = {
        shown(v)
        for path, v in maker.written.items()
        if path[0] == "threats" and path[-1] == "title"
    }
    seen_titles = set()
    for html in sorted(site.rglob("*.html")):
        page.goto(served_error_page(site, stack) if html == site / "404.html" else html.as_uri())
        page.wait_for_load_state("load")
        # Material's own script ran (a clash with its ids or a blocked script would stop it)
        assert page.evaluate("document.documentElement.classList.contains('js')"), html
        assert page.locator("[id='__config']").count() == 1, html
        assert page.locator("[id='__search']").count() == 1, html
        seen_titles |= {t for t in titles if page.title().startswith(t)}
    assert seen_titles == titles
    if engine == "zensical":  # its search does not run from disk: its index holds text only
        index = json.loads((site / "search.json").read_text(encoding="utf-8"))
        assert not any("<" in item["title"] for item in index["items"])
        outside = [url for url in page.external_requests if not url.startswith(LOCAL)]
        assert dialogs == [] and page.console_errors == [] and outside == []
        return
    page.goto((site / "index.html").as_uri())
    box = page.locator(".md-search__input")
    box.click()
    box.press_sequentially("alert", delay=20)
    results = page.locator(".md-search-result__link")
    results.first.wait_for(state="visible", timeout=10_000)
    listed = page.locator(".md-search-result").inner_text()
    assert "alert(" in listed  # the payloads are listed, as text
    assert page.locator(".md-search-result script, .md-search-result img").count() == 0
    results.first.click()
    page.wait_for_load_state("load")
    assert dialogs == []
    assert page.console_errors == []  # CSP violations and page errors are logged here
    assert [url for url in page.external_requests if not url.startswith(LOCAL)] == []


# -- logos -------------------------------------------------------------------------------------

SCRIPTED_SVG = """\
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     onload="alert(11)" viewBox="0 0 10 10">
  <script>alert(12)</script>
  <a href="javascript:alert(13)"><rect width="5" height="5"/></a>
  <image href="file:///etc/passwd"/>
  <foreignObject><iframe xmlns="http://www.w3.org/1999/xhtml" src="javascript:alert(14)"/></foreignObject>
  <circle cx="5" cy="5" r="4" fill="url(https://evil.example/x)" onclick="alert(15)"/>
  <rect width="10" height="2" style="fill:#5B3A29"/>
  <animate attributeName="href" to="javascript:alert(16)"/>
</svg>
"""


def use_bomb() -> str:
    """2 KB of SVG that asks for 10^9 copies of a shape through nested <use>."""
    levels = ['<g id="l0"><rect width="1" height="1"/></g>']
    for i in range(1, 10):
        uses = "".join(f'<use href="#l{i - 1}"/>' for _ in range(10))
        levels.append(f'<g id="l{i}">{uses}</g>')
    return (
        '<svg xmlns="http://www.w3.org/2000/svg"><defs>'
        + "".join(levels)
        + '</defs><use href="#l9"/></svg>'
    )


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    PIL.Image.new("1", (width, height)).save(out, format="PNG", optimize=True)
    return out.getvalue()


def client(tmp_path: Path, logo: str | bytes | None, name: str = "logo.svg") -> Path:
    folder = tmp_path / "client"
    folder.mkdir(exist_ok=True)
    if logo is not None:
        (folder / name).write_bytes(logo.encode() if isinstance(logo, str) else logo)
    path = folder / "questionnaire.yaml"
    brand = f"brand:\n  logo: {name}\n" if logo is not None else ""
    path.write_text(f"company:\n  name: Toko\n{brand}", encoding="utf-8")
    return path


@pytest.mark.browser
def test_a_scripted_svg_logo_is_published_without_its_script(tmp_path, page) -> None:
    result = build_handbook(client(tmp_path, SCRIPTED_SVG), tmp_path / "out", Options(pdf=False))
    logo = result.output / "assets" / "logo.svg"
    published = logo.read_text(encoding="utf-8")
    for gone in (
        "script",
        "onload",
        "onclick",
        "javascript",
        "image",
        "foreignObject",
        "evil",
        "animate",
    ):
        assert gone not in published, gone
    assert 'style="fill:#5B3A29"' in published  # the drawing itself is kept
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    for target in (logo, result.output / "index.html"):
        page.goto(target.as_uri())
        page.wait_for_load_state("load")
    page.locator(".md-header .md-logo img").click()
    assert dialogs == []
    assert page.console_errors == []


def test_a_use_bomb_logo_builds_at_once(tmp_path) -> None:
    assert len(use_bomb()) < 2200
    result = build_handbook(client(tmp_path, use_bomb()), tmp_path / "out")
    assert b"<use" not in (result.output / "assets" / "logo.svg").read_bytes()
    assert result.seconds < 60  # a bomb that got through would run for hours


@pytest.mark.parametrize(
    ("logo", "name", "message"),
    [
        (png(13000, 13000), "logo.png", "the image is 13000x13000 pixels; at most 4096x4096"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * (2 * 1024 * 1024), "logo.png", "larger than 2 MB"),
        (b"<html><script>alert(1)</script></html>", "logo.png", "the file is not an image"),
        (
            "<!DOCTYPE svg [<!ENTITY a 'aaaa'>]><svg xmlns='http://www.w3.org/2000/svg'>&a;</svg>",
            "logo.svg",
            "declares a DOCTYPE or entities",
        ),
        ("<svg><script>alert(1)</script></svg>", "logo.svg", "not an SVG image"),
    ],
    ids=["huge-pixels", "huge-file", "html-as-png", "entities", "no-namespace"],
)
def test_a_refused_logo_is_an_error_at_brand_logo(tmp_path, logo, name, message) -> None:
    path = client(tmp_path, logo, name)
    with pytest.raises(QuestionnaireError) as info:
        load_questionnaire(path)
    first = info.value.format_message().splitlines()[0]
    assert first.startswith(f"{path}:4:9: brand.logo: '{name}': "), first
    assert message in first
    assert not (tmp_path / "out").exists()


# -- templates beside a client's files, planted cache entries ----------------------------------

RCE = "{{ config.__class__.__init__.__globals__['os'].popen('touch %s').read() }}"


@pytest.mark.browser
def test_a_templates_folder_beside_a_questionnaire_is_never_loaded(tmp_path, page) -> None:
    path = client(tmp_path, None)
    marker = tmp_path / "pwned"
    folder = path.parent / "templates"
    (folder / "themes" / "material").mkdir(parents=True)
    (folder / "themes" / "material" / "main.html").write_text(
        '{% extends "base.html" %}{% block content %}' + RCE % marker + "{% endblock %}",
        encoding="utf-8",
    )
    (folder / "content" / "en").mkdir(parents=True)
    (folder / "content" / "en" / "about.md").write_text("# About\n\nPLANTED\n", encoding="utf-8")
    (folder / "assets").mkdir()
    (folder / "assets" / "passwd.txt").symlink_to("/etc/passwd")
    result = build_handbook(path, tmp_path / "out")
    assert not marker.exists()
    every_file = b"".join(p.read_bytes() for p in result.output.rglob("*") if p.is_file())
    assert b"PLANTED" not in every_file
    assert Path("/etc/passwd").read_bytes().splitlines()[0] not in every_file
    page.goto((result.output / "about.html").as_uri())
    assert "PLANTED" not in page.content()


@pytest.mark.parametrize(
    ("files", "link", "problem"),
    [
        ({}, "themes/material/assets/passwd.txt", "a symbolic link"),
        (
            {"content/en/about.md": '# About\n\n{% include "secret.md" %}\n'},
            "content/en/secret.md",
            "a symbolic link",
        ),
    ],
    ids=["copied-asset", "included-page"],
)
def test_a_link_in_a_named_template_folder_is_refused(tmp_path, files, link, problem) -> None:
    agency = tmp_path / "agency"
    for name, text in files.items():
        (agency / name).parent.mkdir(parents=True, exist_ok=True)
        (agency / name).write_text(text, encoding="utf-8")
    (agency / link).parent.mkdir(parents=True, exist_ok=True)
    (agency / link).symlink_to("/etc/passwd")
    with pytest.raises(BuildError) as info:
        build_handbook(client(tmp_path, None), tmp_path / "out", Options(templates=(agency,)))
    lines = info.value.format_message().splitlines()
    assert lines[0] == f"{agency / link}: {problem}: copy the file into the template folder instead"
    assert lines[-1].startswith("Error: template folders may hold only files and folders")
    assert not (tmp_path / "out").exists()


def test_nothing_is_read_from_or_written_to_a_cache_folder(tmp_path, monkeypatch) -> None:
    cache = tmp_path / "cache"
    planted = cache / "crisisplan" / "jinja"
    planted.mkdir(parents=True)
    marker = tmp_path / "pwned"
    payload = textwrap.dedent(
        f"""\
        import os
        os.system("touch {marker}")
        """
    )
    for name in ("0" * 64 + ".jinja", "index.jinja"):
        (planted / name).write_bytes(b"j2\x01" + payload.encode())
        (planted / name).chmod(0o600)
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    before = sorted(p.name for p in planted.iterdir())
    build_handbook(client(tmp_path, None), tmp_path / "out")
    assert not marker.exists()
    assert sorted(p.name for p in planted.iterdir()) == before
    assert sorted(p.name for p in cache.rglob("*")) == sorted(["crisisplan", "jinja", *before])


# -- text that would break a line, a calendar or a terminal ------------------------------------


def questionnaire_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "q.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def validated(path: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["validate", str(path), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("style", [">", "|", ">+"])
def test_a_folded_or_literal_name_and_title_lose_their_line_break_and_build(
    tmp_path, style
) -> None:
    path = questionnaire_file(
        tmp_path,
        f"""\
        company:
          name: {style}
            Kopi Nusantara
        handbook:
          title: {style}
            Crisis handbook

        """,
    )
    q = load_questionnaire(path).questionnaire
    assert (q.company.name, q.handbook.title) == ("Kopi Nusantara", "Crisis handbook")
    export_project(path, tmp_path / "project")  # it crashed in the calendar
    calendar = next((tmp_path / "project" / "docs").glob("*.ics")).read_bytes()
    assert b"\r\nX-WR-CALNAME:Kopi Nusantara: Crisis handbook\r\n" in calendar


def test_the_one_line_texts_are_marked_in_the_model() -> None:
    from crisisplan.schema import Channel, Company, Handbook, Member, Threat, is_one_line

    def one_line(model, name) -> bool:
        return is_one_line(model.model_fields[name].rebuild_annotation())

    marked = [(Company, "name"), (Handbook, "title"), (Channel, "name"), (Channel, "handle")]
    marked += [(Channel, "credentials"), (Member, "role"), (Threat, "title")]
    assert all(one_line(model, name) for model, name in marked)
    several = [(Company, "summary"), (Threat, "description"), (Threat, "holding_statement")]
    assert not any(one_line(model, name) for model, name in [*several, (Channel, "pinned")])


@pytest.mark.parametrize(
    ("written", "where", "before"),
    [
        ("name: |\n    Kopi\n    Nusantara", "2:9", "Kopi"),
        ("name: >\n    Kopi\n\n    Nusantara", "2:9", "Kopi"),  # a blank line folds to a break
        ('name: "Kopi\\rNusantara"', "2:9", "Kopi"),  # a bare CR is a line break
        ('name: "Kopi\\r\\nNusantara"', "2:9", "Kopi"),
        ('name: "Kopi\\nNusantara"', "2:9", "Kopi"),
    ],
    ids=["literal", "folded", "bare-cr", "crlf", "lf"],
)
def test_a_line_break_inside_a_name_is_refused_in_one_line(
    tmp_path, written, where, before
) -> None:
    path = questionnaire_file(tmp_path, "company:\n  " + written + "\n")
    code, _, err = validated(path)
    assert code == 1
    assert err.splitlines() == [
        f"{path}:{where}: company.name: a name or title is one line, and this one has a line"
        f" break after {before!r}: write it on one line",
        f"Error: 1 error in {path}.",
    ]


def test_a_multi_line_text_keeps_its_line_breaks_as_line_feeds(tmp_path) -> None:
    path = questionnaire_file(
        tmp_path,
        """\
        company:
          name: Kopi
          summary: "One.\\r\\nTwo.\\rThree."
        """,
    )
    assert load_questionnaire(path).questionnaire.company.summary == "One.\nTwo.\nThree."


@pytest.mark.parametrize(
    ("escape", "code"), [("\\0", "0000"), ("\\e", "001B"), ("\\x85", "0085"), ("\\x9b", "009B")]
)
@pytest.mark.parametrize(("field", "where"), [("name", "2:9"), ("summary", "3:12")])
def test_an_escaped_control_character_is_refused_in_one_line(
    tmp_path, escape, code, field, where
) -> None:
    written = {"name": "Kopi"} | {field: f'"Kopi{escape}Nusantara"'}
    lines = "".join(f"  {key}: {value}\n" for key, value in written.items())
    path = questionnaire_file(tmp_path, "company:\n" + lines)
    status, _, err = validated(path)
    assert status == 1
    assert err.splitlines() == [
        f"{path}:{where}: company.{field}: character U+{code} is not allowed: remove it",
        f"Error: 1 error in {path}.",
    ]


#: Moves the cursor up a line and erases it, then prints what a clean run would.
ERASE = "\\e[1A\\e[2K\\rq.yaml: valid (0 warnings)"


@pytest.mark.parametrize(
    "written",
    [
        f'channels:\n  - id: web\n    name: "Web{ERASE}"\n',
        f'channels:\n  - id: web\n    name: Web\n    "x{ERASE}": 1\n',
        f'company:\n  "x{ERASE}": 1\n',
    ],
    ids=["channel-name", "unknown-key", "unknown-company-key"],
)
def test_no_message_carries_a_terminal_escape(tmp_path, written) -> None:
    head = "company:\n  name: Kopi\n"
    path = questionnaire_file(tmp_path, head + written.removeprefix("company:\n"))
    for args in ((), ("-v",), ("--format", "json")):
        code, out, err = validated(path, *args)
        assert code == 1
        assert "\x1b" not in out + err and "\r" not in out + err
        if args == ("--format", "json"):
            assert json.loads(out)["valid"] is False
            continue
        # Each line is a problem, or the count: nothing a line of its own could pass for.
        lines = err.splitlines()
        assert all(line.startswith((f"{path}:", "Error: ")) for line in lines), lines
        assert "valid (" not in out
    result = CliRunner().invoke(cli, ["build", str(path), "-o", str(tmp_path / "out"), "--no-pdf"])
    assert result.exit_code == 1
    assert "\x1b" not in result.stdout + result.stderr


def test_every_problem_shows_its_control_characters() -> None:
    problem = Problem("q.yaml", 3, 5, "channels[0].name", "'Web\x1b[2K' has one admin\x85\u202e")
    assert str(problem) == ("q.yaml:3:5: channels[0].name: 'Web\\x1b[2K' has one admin\\x85\\u202e")
    error = BuildError("Error: a\x1b[2Kb\nsecond line", [problem])
    assert error.format_message().splitlines()[1:] == ["Error: a\\x1b[2Kb", "second line"]


def test_the_calendar_escapes_line_breaks_and_drops_nul(tmp_path) -> None:
    from icalendar import Calendar

    from crisisplan.build import prepare
    from crisisplan.calendar import ics

    path = questionnaire_file(tmp_path, "company:\n  name: Kopi\n")
    _, hb, _ = prepare(path)
    hb.company.name = "Ko\rpi\r\nNu\nsa\x00n;tara,"
    hb.title = "Crisis\rhandbook"
    raw = ics(hb)
    assert b"\x00" not in raw
    lines = raw.split(b"\r\n")
    assert all(b"\r" not in line and b"\n" not in line for line in lines)
    assert b"X-WR-CALNAME:Ko\\npi\\nNu\\nsan\\;tara\\,: Crisis\\nhandbook" in lines
    events = Calendar.from_ical(raw).walk("VEVENT")
    assert events
    for event in events:
        assert str(event["SUMMARY"]).endswith(": Ko\npi\nNu\nsan;tara,")
