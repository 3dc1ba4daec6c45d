"""Compiled Jinja templates, kept between runs in the user's cache folder.

Every build used to compile its templates again: MkDocs Material's 40 (0.2 CPU seconds of
the example's build) and the page templates (0.08 s, before the PDF can start). Like
``__pycache__``, the compiled code is kept in ``$XDG_CACHE_HOME/crisisplan/jinja``
(``~/.cache/crisisplan/jinja``), which is safe to delete at any time.

A cache entry is named by the template's name, its source and every environment setting that
changes the compiled code, the sandbox among them: code compiled for MkDocs' environment is
never run by a sandboxed one. Entries are written atomically, so parallel builds can share
the folder. The folder is used only if it is this user's and no one else may write to it
(the compiled code is loaded with ``marshal``); otherwise builds compile as before.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import Any

import jinja2
from jinja2.bccache import Bucket, FileSystemBytecodeCache


class _Cache(FileSystemBytecodeCache):
    def get_bucket(
        self, environment: jinja2.Environment, name: str, filename: str | None, source: str
    ) -> Bucket:
        key = hashlib.sha256(repr((compiled_as(environment, name), source)).encode()).hexdigest()
        bucket = Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket


def compiled_as(env: jinja2.Environment, name: str) -> tuple[Any, ...]:
    """What, beside the source, decides the code Jinja compiles ``name`` to in ``env``."""
    autoescape = env.autoescape(name) if callable(env.autoescape) else env.autoescape
    finalize = env.finalize
    return (
        jinja2.__version__,
        type(env).__module__,
        type(env).__qualname__,
        env.sandboxed,
        name,
        autoescape,
        finalize is not None,
        getattr(finalize, "jinja_pass_arg", None),
        env.block_start_string,
        env.block_end_string,
        env.variable_start_string,
        env.variable_end_string,
        env.comment_start_string,
        env.comment_end_string,
        env.line_statement_prefix,
        env.line_comment_prefix,
        env.trim_blocks,
        env.lstrip_blocks,
        env.newline_sequence,
        env.keep_trailing_newline,
        env.optimized,
        env.is_async,
        env.policies.get("compiler.ascii_str"),
        tuple(sorted(env.extensions)),
    )


def folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(base) if base else Path.home() / ".cache") / "crisisplan" / "jinja"


def bytecode_cache() -> jinja2.BytecodeCache | None:
    """The shared cache, or None where its folder cannot be made or is not private."""
    path = folder()
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = path.lstat()
    except (OSError, RuntimeError):  # RuntimeError: no home folder
        return None
    private = stat.S_ISDIR(info.st_mode) and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    if not private or (hasattr(os, "getuid") and info.st_uid != os.getuid()):
        return None
    return _Cache(str(path), "%s.jinja")


def use(env: jinja2.Environment) -> jinja2.Environment:
    """Give ``env`` the shared cache (where there is one) and return it."""
    env.bytecode_cache = bytecode_cache()
    return env


def on_env(env: jinja2.Environment, **kwargs: Any) -> jinja2.Environment:
    """MkDocs hook: the theme's templates use the shared cache."""
    return use(env)
