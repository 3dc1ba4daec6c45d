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
