"""A protected handbook (``build --protect``): readable with the passphrase, and only with it.

The bundled example is built with a passphrase. Every file of the output is searched for each
personal phone number and e-mail address of the questionnaire (listed from the model), in
every spelling a file could hold it; the same search finds them all in the same handbook built
without protection, so it is not blind. In Chromium, from disk and from a local web server,
the passphrase opens a page, a second page opens without it, and search finds what the pages
say; a wrong passphrase opens nothing.
"""

from __future__ import annotations

import gzip
import html
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pikepdf
import pytest
from browser_support import search, serving
from click.testing import CliRunner

from crisisplan import protect
from crisisplan.build import Options, build_handbook, build_many
from crisisplan.cli import cli
from crisisplan.errors import BuildError
from crisisplan.questionnaire import load_questionnaire
from crisisplan.site import export

PASSPHRASE = "kopi tubruk at dawn, twice"
PROTECTED = Options(passphrase=protect.Passphrase(PASSPHRASE))
SEPARATORS = r"(?:[\s\u00a0\u202f.\-()/]|%20)*"


def personal_details(questionnaire: Path) -> list[str]:
    """Every personal phone number and e-mail address of a questionnaire: the team's, and
    those of the contacts marked personal."""
    q = load_questionnaire(questionnaire).questionnaire
    people = [*(q.team or []), *(c for c in q.contacts if c.personal)]
    found = {getattr(p, name) for p in people for name in ("phone", "out_of_hours", "email")}
    return sorted(d for d in found if d)


def pattern(detail: str) -> re.Pattern[str]:
    """A phone number with any separators between its digits (``tel:+6281210002000``, non-
    breaking spaces); anything else (an e-mail address, the passphrase) as it is, in any case."""
    if re.fullmatch(r"\+?[\d\s().-]+", detail):
        return re.compile(SEPARATORS.join(re.sub(r"\D", "", detail)))
    return re.compile(re.escape(detail), re.I)


def readable(data: bytes) -> str:
    """A file's bytes as text with every escape a browser or a reader would undo undone:
    HTML character references, JSON's ``\\uXXXX``, URL encoding, iCalendar's folded lines."""
    text = data.decode("utf-8", errors="replace").replace("\r\n ", "")
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)
    text = re.sub(r"%([0-9a-fA-F]{2})", lambda m: chr(int(m.group(1), 16)), text)
    return html.unescape(text)


def texts(site: Path) -> Iterator[tuple[Path, str]]:
    """Every file of an output folder as text; each stream of a PDF inflated when it can be
    (an encrypted one cannot), and a gzipped file decompressed."""
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        yield path, readable(data)
        if path.suffix == ".pdf":
            for stream in re.findall(rb"stream\r?\n(.*?)endstream", data, re.S):
                try:
                    inflated = zlib.decompressobj().decompress(stream)
                except zlib.error:
                    continue
                yield path, readable(inflated)


def found(site: Path, details: list[str]) -> dict[str, list[str]]:
    """Which details appear in which files of ``site``."""
    where: dict[str, list[str]] = {}
    for path, text in texts(site):
        for detail in details:
            if pattern(detail).search(text):
                where.setdefault(detail, []).append(str(path.relative_to(site)))
    return where


@pytest.fixture(scope="module")
def details(example_path: Path) -> list[str]:
    listed = personal_details(example_path)
    assert len(listed) >= 10  # the example's team and its personal contacts
    return listed


@pytest.fixture(scope="module")
def protected(tmp_path_factory: pytest.TempPathFactory, example_path: Path) -> Path:
    """The bundled example, site and PDF, protected."""
    return build_handbook(example_path, tmp_path_factory.mktemp("protected"), PROTECTED).output


@pytest.fixture(scope="module")
def open_site(tmp_path_factory: pytest.TempPathFactory, example_path: Path) -> Path:
    """The same handbook's site without protection."""
    return build_handbook(example_path, tmp_path_factory.mktemp("open"), Options(pdf=False)).output


# -- no personal detail in clear --------------------------------------------------------------


def test_the_search_finds_every_detail_in_an_open_handbook(open_site, details):
    assert sorted(found(open_site, details)) == details


def test_no_personal_detail_nor_the_passphrase_is_in_any_file(protected, details):
    assert found(protected, [*details, PASSPHRASE]) == {}
    assert (protected / "search" / "search_index.js").is_file()
    assert (protected / "index.html").is_file()


def test_the_calendar_in_clear_names_roles_not_people(protected, open_site, example_path):
    """Calendar apps cannot decrypt, so a protected handbook's .ics stays in clear: without
    the team's names (an open handbook's calendar has them)."""
    team = [m.name for m in load_questionnaire(example_path).questionnaire.team if m.name]
    open_ics = next(open_site.glob("*.ics")).read_text(encoding="utf-8")
    protected_ics = next(protected.glob("*.ics")).read_text(encoding="utf-8")
    unfold = lambda text: text.replace("\r\n ", "")  # noqa: E731 - RFC 5545 folds long lines
    assert any(name in unfold(open_ics) for name in team)
    assert not [name for name in team if name in unfold(protected_ics)]
    assert "Crisis lead" in unfold(protected_ics)


def test_the_search_index_holds_its_entries_encrypted(protected):
    index = (protected / "search" / "search_index.js").read_text(encoding="utf-8")
    assert '"docs":[]' in index
    assert re.search(r'"encrypted":\{"crisisplan-kopi-nusantara-1":"[A-Za-z0-9+/=]+;', index)


def test_the_pdf_needs_the_passphrase(protected, details):
    (pdf,) = protected.glob("*.pdf")
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(pdf)
    with pikepdf.open(pdf, password=PASSPHRASE) as doc:
        assert doc.encryption.R == 6 and doc.encryption.bits == 256
        assert doc.allow.accessibility and doc.allow.print_highres
        assert doc.Root.MarkInfo.Marked and "/StructTreeRoot" in doc.Root  # still tagged
        assert doc.open_metadata()["pdfuaid:part"] == "1"
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is missing")
    refused = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True)
    assert refused.returncode != 0 and refused.stdout == ""
    opened = subprocess.run(
        ["pdftotext", "-upw", PASSPHRASE, str(pdf), "-"], capture_output=True, text=True, check=True
    )
    phones = [d for d in details if "@" not in d]
    assert all(pattern(phone).search(opened.stdout) for phone in phones)


# -- in a browser -----------------------------------------------------------------------------


@pytest.fixture(params=["disk", "http"])
def address(request: pytest.FixtureRequest, protected: Path) -> Iterator[Callable[[str], str]]:
    """Where a page of the protected site is opened: from disk, or from a local web server
    (http://127.0.0.1, where WebCrypto works as on https)."""
    if request.param == "disk":
        yield lambda name: (protected / name).as_uri()
    else:
        with serving(protected) as root:
            yield lambda name: f"{root}/{name}"


def unlock(page, passphrase: str) -> None:
    page.locator("#mkdocs-content-password").fill(passphrase)
    page.locator("#mkdocs-decrypt-button").click()


def opened(page) -> None:
    """Wait until the page is decrypted: its ciphertext is removed then."""
    page.locator("#mkdocs-encrypted-content").wait_for(state="detached", timeout=10_000)


def test_the_passphrase_opens_the_pages_and_the_search(page, address, details):
    phone = next(d for d in details if "@" not in d)
    page.goto(address("index.html"))
    form = page.locator("#mkdocs-decrypt-form")
    form.wait_for(state="visible")
    assert not pattern(phone).search(page.locator("body").inner_text())

    unlock(page, PASSPHRASE)
    article = page.locator("article")
    opened(page)
    assert pattern(phone).search(article.inner_text())
    assert form.count() == 0

    # Another page opens with the key the first one left for this tab, with its contents.
    page.goto(address("preparation/index.html"))
    opened(page)
    assert page.locator("#mkdocs-decrypt-form").count() == 0
    assert page.locator("article h1").first.inner_text().strip("¶ ")
    assert page.locator(".md-nav--secondary .md-nav__link").count() > 1  # the contents too

    search(page, "rumour")
    result = page.locator('.md-search-result__link[href*="response/hoax-price.html"]').first
    result.wait_for(state="visible", timeout=10_000)
    assert "rumour" in result.inner_text().lower()
    assert page.console_errors == []  # Content-Security-Policy violations are console errors
    assert page.external_requests == [] or all(
        url.startswith("http://127.0.0.1") for url in page.external_requests
    )


def test_on_a_phone(page, protected, details):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto((protected / "index.html").as_uri())
    unlock(page, PASSPHRASE)
    opened(page)
    phone = next(d for d in details if "@" not in d)
    assert pattern(phone).search(page.locator("article").inner_text())
    page.locator('label.md-header__button[for="__search"]').click()  # the header's button
    page.locator(".md-search__input").press_sequentially("rumour", delay=30)
    page.locator(".md-search-result__link").first.wait_for(state="visible", timeout=10_000)
    assert page.console_errors == []


def test_a_wrong_passphrase_opens_nothing(page, address, details):
    page.goto(address("index.html"))
    unlock(page, "kopi tubruk at dusk, twice")
    message = page.locator("#mkdocs-decrypt-msg")
    message.wait_for(state="visible")
    page.wait_for_function("document.getElementById('mkdocs-decrypt-msg').textContent !== ''")
    assert message.inner_text() == "Wrong passphrase; try again."
    body = page.locator("body").inner_text()
    assert not any(pattern(d).search(body) for d in details)

    search(page, "rumour")
    page.wait_for_timeout(1000)  # nothing to find: the index stays encrypted
    assert page.locator(".md-search-result__link").count() == 0
    assert page.console_errors == []


# -- how it is built --------------------------------------------------------------------------


def test_a_protected_build_is_always_rebuilt(tmp_path, example_path):
    site_only = Options(pdf=False, passphrase=PROTECTED.passphrase)
    assert not build_handbook(example_path, tmp_path, site_only).skipped
    assert not build_handbook(example_path, tmp_path, site_only).skipped


def test_a_protected_build_of_one_half_never_keeps_an_unprotected_other_half(tmp_path):
    """--no-pdf keeps the PDF there (docs/output.md), but never an open one in a protected
    handbook: its file name is easy to guess."""
    path = tmp_path / "q.yaml"
    path.write_text("company:\n  name: Toko Maju\n", encoding="utf-8")
    open_build = build_handbook(path, tmp_path / "out")
    assert open_build.pdf is not None and open_build.pdf.is_file()
    site_only = Options(pdf=False, passphrase=PROTECTED.passphrase)
    result = build_handbook(path, tmp_path / "out", site_only)
    assert result.pdf is None and not list(result.output.glob("*.pdf"))
    assert result.notices == (
        "the unprotected PDF was removed; build without --no-pdf to protect it",
    )


def test_a_build_without_protect_never_replaces_a_protected_handbook(
    tmp_path, example_path, details
):
    """A nightly job that forgot --protect (or its secret) must not publish the numbers."""
    site = build_handbook(
        example_path, tmp_path, Options(pdf=False, passphrase=PROTECTED.passphrase)
    )
    with pytest.raises(BuildError) as info:
        build_handbook(example_path, tmp_path, Options(pdf=False, force=True))
    assert info.value.format_message() == (
        f"Error: {site.output} is a protected handbook; build it with --protect to replace it,"
        " or remove it first to publish it unprotected (its personal phone numbers would be"
        " readable by anyone)."
    )
    assert found(site.output, details) == {}
    shutil.rmtree(site.output)
    assert not build_handbook(example_path, tmp_path, Options(pdf=False)).skipped  # now open
    assert build_handbook(example_path, tmp_path, Options(pdf=False)).skipped


def test_one_passphrase_is_never_given_to_several_companies(tmp_path, example_path):
    other = tmp_path / "other.yaml"
    other.write_text("company:\n  name: Toko Lain\n", encoding="utf-8")
    with pytest.raises(BuildError) as info:
        build_many([example_path, other], tmp_path / "out", PROTECTED, jobs=1)
    assert "--protect would give 2 companies one passphrase" in info.value.format_message()
    assert not (tmp_path / "out").exists()
    # the two editions of one company share it
    both = build_many(
        [example_path],
        tmp_path / "out",
        Options(pdf=False, passphrase=PROTECTED.passphrase),
        jobs=1,
        editions=("internal", "public"),
    )
    assert [o.error for o in both] == [None, None]


def test_each_folder_keeps_its_own_key_in_the_browser(tmp_path, example_path):
    from crisisplan.build import prepare

    for edition, folder in (("internal", "kopi-nusantara"), ("public", "kopi-nusantara-public")):
        loaded, hb, pages = prepare(example_path)
        hb.handbook.edition = edition
        config_file = export(
            hb, pages, tmp_path / edition, folder=loaded.folder, pdf_name=None, protected=True
        )
        assert f"remember_prefix: crisisplan-{folder}-" in config_file.read_text("utf-8")


def test_the_sanitiser_runs_before_the_plugin_keeps_a_page(tmp_path, example_path):
    from mkdocs.config import load_config

    from crisisplan.build import prepare

    loaded, hb, pages = prepare(example_path)
    config_file = export(hb, pages, tmp_path, folder=loaded.folder, pdf_name=None, protected=True)
    assert PASSPHRASE not in "".join(p.read_text("utf-8", "replace") for p in tmp_path.rglob("*.*"))
    handlers = load_config(str(config_file)).plugins.events["page_content"]
    assert [h.__module__ for h in handlers] == ["crisisplan.hooks", "encryptcontent.plugin"]


def test_the_passphrase_is_never_shown():
    assert PASSPHRASE not in repr(PROTECTED)


def run(*args: str, env: dict[str, str | None] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env=env)
    return result.exit_code, result.output


def test_zensical_is_refused_before_anything_is_built(tmp_path):
    code, output = run(
        "build", "--protect", "--engine", "zensical", "-o", str(tmp_path / "out"),
        env={protect.ENV: PASSPHRASE},
    )  # fmt: skip
    assert code == 1
    assert output.splitlines()[-1] == (
        "Error: --protect needs the mkdocs engine: Zensical ignores MkDocs plugins, so its"
        " pages would not be encrypted."
    )
    assert not (tmp_path / "out").exists()


def test_a_passphrase_is_needed(tmp_path):
    code, output = run("build", "--protect", "-o", str(tmp_path / "out"), env={protect.ENV: None})
    assert code == 1
    assert output.splitlines()[-1] == (
        "Error: --protect needs a passphrase: set CRISISPLAN_PASSPHRASE, or run the command in"
        " a terminal to type it."
    )
    code, output = run(
        "build", "--protect", "-o", str(tmp_path / "out"), env={protect.ENV: "short"}
    )
    assert code == 1
    assert output.splitlines()[-1] == (
        "Error: the passphrase is shorter than 12 characters; use a longer one, such as four or"
        " more random words."
    )
    code, output = run("build", "--protect", "-o", str(tmp_path / "out"), env={protect.ENV: ""})
    assert (code, output.splitlines()[-1]) == (
        1,
        "Error: the passphrase is empty; set CRISISPLAN_PASSPHRASE to one of 12 characters or"
        " more, such as four or more random words.",
    )
    assert not (tmp_path / "out").exists()


def test_the_plugin_is_a_dependency_of_crisisplan():
    # Not an extra: `pip install .` (the quick start) is enough for --protect.
    pyproject = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())
    assert protect.REQUIREMENT in pyproject["project"]["dependencies"]
    assert pyproject["project"]["optional-dependencies"]["protect"] == []  # the old name works


def test_without_the_plugin_it_says_what_to_install(tmp_path, monkeypatch):
    def missing(name: str) -> str:
        raise protect.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(protect.metadata, "version", missing)
    # This environment's pip first on PATH, as in an activated venv: the command is plain pip.
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    env = {protect.ENV: PASSPHRASE, "PATH": path}
    code, output = run("build", "--protect", "-o", str(tmp_path / "out"), env=env)
    assert code == 1
    assert output.splitlines()[-1] == (
        "Error: --protect needs mkdocs-encryptcontent-plugin 3.1.x, which crisisplan depends on"
        " but is not installed here: pip install 'mkdocs-encryptcontent-plugin>=3.1,<3.2'."
    )
    monkeypatch.setattr(protect.metadata, "version", lambda name: "3.0.5")
    code, output = run("build", "--protect", "-o", str(tmp_path / "out"), env=env)
    assert (code, output.splitlines()[-1]) == (
        1,
        "Error: --protect knows mkdocs-encryptcontent-plugin 3.1.x, not 3.0.5:"
        " pip install 'mkdocs-encryptcontent-plugin>=3.1,<3.2'.",
    )
    assert not (tmp_path / "out").exists()
