"""The compiled-template cache: reused across builds, never across sandboxes, private only."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import jinja2
import pytest
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from crisisplan import jinjacache
from crisisplan.build import Options, build_handbook


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "crisisplan" / "jinja"


@pytest.fixture
def compiled(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """(environment class, template name) of every template Jinja compiles."""
    names: list[tuple[str, str]] = []
    compile_ = jinja2.Environment.compile

    def spy(self: jinja2.Environment, source: Any, name: Any = None, *args: Any, **kw: Any) -> Any:
        names.append((type(self).__name__, name))
        return compile_(self, source, name, *args, **kw)

    monkeypatch.setattr(jinja2.Environment, "compile", spy)
    return names


def _env(cls: type[jinja2.Environment], templates: dict[str, str]) -> jinja2.Environment:
    return cls(loader=jinja2.DictLoader(templates), bytecode_cache=jinjacache.bytecode_cache())


def test_a_second_build_compiles_no_page_print_or_theme_template(
    example: Path, tmp_path: Path, cache_home: Path, compiled: list[tuple[str, str]]
) -> None:
    options = Options(force=True, pdf=False)
    build_handbook(example, tmp_path / "one", options)
    first = list(compiled)
    assert ("SandboxedEnvironment", "index.md") in first  # a page template
    assert ("Environment", "main.html") in first  # the Material theme (MkDocs' environment)
    assert any(path.suffix == ".jinja" for path in cache_home.iterdir())

    compiled.clear()
    build_handbook(example, tmp_path / "two", options)
    # Material compiles two language partials in an environment of its own, without the hook.
    assert {name for _, name in compiled} <= {
        "partials/language.html",
        "partials/languages/en.html",
    }
    page = Path("kopi-nusantara", "index.html")
    assert (tmp_path / "one" / page).read_bytes() == (tmp_path / "two" / page).read_bytes()


def test_an_edited_template_is_compiled_again(
    cache_home: Path, compiled: list[tuple[str, str]]
) -> None:
    assert _env(SandboxedEnvironment, {"t": "one {{ x }}"}).get_template("t").render(x=1) == "one 1"
    assert _env(SandboxedEnvironment, {"t": "one {{ x }}"}).get_template("t").render(x=2) == "one 2"
    assert _env(SandboxedEnvironment, {"t": "two {{ x }}"}).get_template("t").render(x=3) == "two 3"
    assert len(compiled) == 2


def test_code_compiled_outside_the_sandbox_never_runs_inside_it(
    cache_home: Path, compiled: list[tuple[str, str]]
) -> None:
    unsafe = {"t": "{{ ''.__class__.__mro__ }}"}
    assert "object" in _env(jinja2.Environment, unsafe).get_template("t").render()
    with pytest.raises(SecurityError):
        _env(SandboxedEnvironment, unsafe).get_template("t").render()
    assert len(compiled) == 2


def test_settings_that_change_the_code_keep_entries_apart(cache_home: Path) -> None:
    source = {"t": "<{{ x }}>"}
    plain = jinja2.Environment(
        loader=jinja2.DictLoader(source), bytecode_cache=jinjacache.bytecode_cache()
    )
    escaping = jinja2.Environment(
        loader=jinja2.DictLoader(source),
        autoescape=True,
        bytecode_cache=jinjacache.bytecode_cache(),
    )
    assert plain.get_template("t").render(x="&") == "<&>"
    assert escaping.get_template("t").render(x="&") == "<&amp;>"


def _shout(value: str) -> str:
    return value.upper()


def _whisper(value: str) -> str:
    return value.lower()


def test_environments_whose_filters_differ_share_no_entry(cache_home: Path) -> None:
    # Jinja applies this filter to the constant while compiling: the code holds its result.
    rendered = []
    for function in (_shout, _whisper):
        env = _env(jinja2.Environment, {"t": '{{ "Mixed" | f }}'})
        env.filters["f"] = function
        rendered.append(env.get_template("t").render())
    assert rendered == ["MIXED", "mixed"]


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_folder_others_may_write_to_is_not_used(cache_home: Path) -> None:
    cache_home.mkdir(parents=True)
    cache_home.chmod(0o777)
    assert jinjacache.bytecode_cache() is None
    cache_home.chmod(0o700)
    assert jinjacache.bytecode_cache() is not None


def test_builds_run_without_a_cache_where_none_can_be_made(
    example: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert jinjacache.bytecode_cache() is None
    build_handbook(example, tmp_path / "out", Options(force=True, pdf=False))
    assert (tmp_path / "out" / "kopi-nusantara" / "index.html").is_file()


def _compiles(env: jinja2.Environment, name: str, compiled: list[tuple[str, str]]) -> bool:
    before = len(compiled)
    env.get_template(name)
    return len(compiled) > before


def test_damaged_entries_are_compiled_again(
    example: Path, tmp_path: Path, cache_home: Path, compiled: list[tuple[str, str]]
) -> None:
    options = Options(force=True, pdf=False)
    build_handbook(example, tmp_path / "one", options)
    for entry in cache_home.iterdir():
        entry.write_bytes(entry.read_bytes()[:20])  # cut inside the pickled checksum
    compiled.clear()
    build_handbook(example, tmp_path / "two", options)  # no UnpicklingError
    assert ("SandboxedEnvironment", "index.md") in compiled


def test_entries_that_cannot_be_written_are_left_out(
    cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import jinja2.bccache

    def read_only(*args: Any, **kwargs: Any) -> Any:
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(jinja2.bccache.tempfile, "NamedTemporaryFile", read_only)
    assert _env(SandboxedEnvironment, {"t": "{{ 1 + 1 }}"}).get_template("t").render() == "2"


def test_entries_others_may_change_or_that_are_links_are_ignored(
    tmp_path: Path, cache_home: Path, compiled: list[tuple[str, str]]
) -> None:
    templates = {"t": "{{ x }}"}
    assert _compiles(_env(SandboxedEnvironment, templates), "t", compiled)
    (entry,) = cache_home.iterdir()
    assert not _compiles(_env(SandboxedEnvironment, templates), "t", compiled)  # a hit
    entry.chmod(0o664)
    assert _compiles(_env(SandboxedEnvironment, templates), "t", compiled)  # group-writable
    target = tmp_path / "elsewhere.jinja"
    entry.replace(target)
    target.chmod(0o600)
    entry.symlink_to(target)
    assert _compiles(_env(SandboxedEnvironment, templates), "t", compiled)  # a link
    if hasattr(os, "getuid") and os.getuid() == 0:
        entry.unlink()
        target.replace(entry)
        os.chown(entry, 65534, 65534)  # nobody's
        assert _compiles(_env(SandboxedEnvironment, templates), "t", compiled)


def test_errors_name_the_file_that_was_loaded(tmp_path: Path, cache_home: Path) -> None:
    source = "line one\n{{ missing.field }}\n"
    for client in ("alpha", "beta"):
        (tmp_path / client).mkdir()
        (tmp_path / client / "about.md").write_text(source, encoding="utf-8")
    for client in ("alpha", "beta"):  # beta's code comes from the cache: same source
        env = SandboxedEnvironment(
            loader=jinja2.FileSystemLoader(tmp_path / client),
            undefined=jinja2.StrictUndefined,
            bytecode_cache=jinjacache.bytecode_cache(),
        )
        template = env.get_template("about.md")
        assert template.filename == str(tmp_path / client / "about.md")
        with pytest.raises(jinja2.UndefinedError) as raised:
            template.render()
        frames = [str(entry.path) for entry in raised.traceback]
        assert str(tmp_path / client / "about.md") in frames
        assert str(tmp_path / ("beta" if client == "alpha" else "alpha") / "about.md") not in frames


def test_the_language_filters_are_not_applied_when_compiling(
    tmp_path: Path, cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crisisplan import text
    from crisisplan.render import environment

    # Jinja applies a filter to a constant when it compiles; these give each language its own.
    monkeypatch.setattr(text, "date", lambda day, language: f"{day} in {language}")
    monkeypatch.setattr(text, "duration", lambda d, language: f"{d} for {language}")
    outputs = []
    for language in ("en", "id"):
        root = tmp_path / language
        (root / "content" / language).mkdir(parents=True)
        page = '{{ "1 May" | date }}, {{ "2h" | duration }}'
        (root / "content" / language / "x.md").write_text(page, encoding="utf-8")
        outputs.append(environment(language, overrides=[root]).get_template("x.md").render())
    assert outputs == ["1 May in en, 2h for en", "1 May in id, 2h for id"]


def test_the_print_templates_date_is_not_applied_when_compiling(
    tmp_path: Path, cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crisisplan import text
    from crisisplan.build import prepare
    from crisisplan.pdf import print_html

    monkeypatch.setattr(text, "date", lambda day, language: f"{day} in {language}")
    agency = tmp_path / "agency"
    (agency / "themes" / "print").mkdir(parents=True)
    (agency / "themes" / "print" / "print.html").write_text(
        '{{ "1 May" | date }}', encoding="utf-8"
    )
    outputs = []
    for language in ("en", "id"):
        path = tmp_path / f"{language}.yaml"
        path.write_text(
            f"company:\n  name: Toko\nhandbook:\n  language: {language}\n", encoding="utf-8"
        )
        loaded, hb, pages = prepare(path)
        outputs.append(print_html(hb, pages, folder=loaded.folder, overrides=[agency]))
    assert outputs == ["1 May in en", "1 May in id"]


def test_a_relative_cache_home_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    assert jinjacache.folder() == tmp_path / "home" / ".cache" / "crisisplan" / "jinja"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert jinjacache.folder() == tmp_path / "xdg" / "crisisplan" / "jinja"


def test_entries_written_long_ago_are_removed_when_one_is_written(cache_home: Path) -> None:
    import time

    _env(SandboxedEnvironment, {"old": "{{ 1 }}"}).get_template("old")
    _env(SandboxedEnvironment, {"recent": "{{ 2 }}"}).get_template("recent")
    old, recent = sorted(cache_home.iterdir(), key=lambda p: p.stat().st_mtime_ns)
    month_ago = time.time() - (jinjacache.KEEP_DAYS + 1) * 86400
    os.utime(old, (month_ago, month_ago))
    other = cache_home / "notes.txt"
    other.write_text("not an entry", encoding="utf-8")
    os.utime(other, (month_ago, month_ago))
    _env(SandboxedEnvironment, {"old": "{{ 1 }}"}).get_template("old")  # a hit writes nothing
    assert old.exists()
    _env(SandboxedEnvironment, {"new": "{{ 3 }}"}).get_template("new")
    assert not old.exists() and recent.exists() and other.exists()
    assert len(list(cache_home.glob("*.jinja"))) == 2
