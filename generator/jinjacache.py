"""Compiled Jinja templates, kept between runs in the user's cache folder.

Every build used to compile its templates again: MkDocs Material's 40 (0.2 CPU seconds of
the example's build) and the page templates (0.08 s, before the PDF can start). Like
``__pycache__``, the compiled code is kept in ``$XDG_CACHE_HOME/crisisplan/jinja``
(``~/.cache/crisisplan/jinja``), which is safe to delete at any time.

A cache entry is named by the template's name, its source and every environment setting that
changes the compiled code, the sandbox among them: code compiled for MkDocs' environment is
never run by a sandboxed one. Entries are written atomically, so parallel builds can share
the folder. The compiled code is loaded with ``marshal``, so the folder is used only if it is
this user's and no one else may write to it, and an entry only if it is a file (not a link)
with the same rights; on systems without them (Windows), builds compile as before. A damaged
entry is compiled again, an entry that cannot be written (a full or read-only disk) is left
out, and entries written more than a month ago are removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import sys
import time
from pathlib import Path
from types import CodeType
from typing import Any

import jinja2
from jinja2.bccache import Bucket, FileSystemBytecodeCache


class _Cache(FileSystemBytecodeCache):
    def get_bucket(
        self, environment: jinja2.Environment, name: str, filename: str | None, source: str
    ) -> Bucket:
        key = hashlib.sha256(repr((compiled_as(environment, name), source)).encode()).hexdigest()
        bucket = Bucket(environment, key, self.get_source_checksum(source))
        try:
            self.load_bytecode(bucket)
        except Exception:  # a damaged entry (pickle or marshal data cut short) is a miss
            bucket.reset()
        if bucket.code is not None and filename is not None:
            # The same source elsewhere (another client's override, a reinstalled package)
            # compiled to the same code: errors must name this file.
            bucket.code = _refile(bucket.code, filename)
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        """Only an entry this user wrote and no one else may change, never through a link."""
        try:
            fd = os.open(self._get_cache_filename(bucket), os.O_RDONLY | _NOFOLLOW)
        except OSError:
            return
        with os.fdopen(fd, "rb") as file:
            info = os.fstat(fd)
            if stat.S_ISREG(info.st_mode) and _private(info):
                bucket.load_bytecode(file)

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):  # a full or read-only disk: the build goes on
            super().dump_bytecode(bucket)
            self._prune()

    def _prune(self) -> None:
        """Remove entries written more than :data:`KEEP_DAYS` ago; those still in use are
        written again at their next use. Done when an entry is written, so rarely."""
        oldest = time.time() - KEEP_DAYS * 86400
        with os.scandir(self.directory) as entries:
            for entry in entries:
                if (
                    entry.name.endswith(".jinja")
                    and entry.stat(follow_symlinks=False).st_mtime < oldest
                ):
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)


#: How long an entry is kept after it was written: the folder holds what builds of the last
#: month compiled (the templates of each version of crisisplan, MkDocs and Material, and of
#: each override as edited), not all it ever did.
KEEP_DAYS = 30


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def _private(info: os.stat_result) -> bool:
    """Owned by this user, and no one else may write to it."""
    mine = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    return mine and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _refile(code: CodeType, filename: str) -> CodeType:
    consts = tuple(_refile(c, filename) if isinstance(c, CodeType) else c for c in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)


def compiled_as(env: jinja2.Environment, name: str) -> tuple[Any, ...]:
    """What, beside the source, decides the code Jinja compiles ``name`` to in ``env``.

    Jinja applies filters to constants when it compiles (``{{ "x" | f }}``), unless they take
    the context: a filter whose result depends on more than its arguments and its code (the
    pages' ``date``, by language) must take it, or the code compiled for one environment would
    hold that filter's result for another.
    """
    autoescape = env.autoescape(name) if callable(env.autoescape) else env.autoescape
    finalize = env.finalize
    return (
        sys.implementation.cache_tag,
        jinja2.__version__,
        type(env).__module__,
        type(env).__qualname__,
        env.sandboxed,
        name,
        autoescape,
        finalize is not None,
        _pass_arg(finalize),
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
        _functions(env.filters),
        _functions(env.tests),
    )


def _pass_arg(function: Any) -> str | None:
    passed = getattr(function, "jinja_pass_arg", None)
    return None if passed is None else str(passed)


def _functions(functions: dict[str, Any]) -> tuple[tuple[str, str, str, str | None], ...]:
    """Each filter or test by name, what function it is, and what Jinja passes it."""
    return tuple(
        sorted(
            (
                name,
                getattr(f, "__module__", None) or "",
                getattr(f, "__qualname__", type(f).__qualname__),
                _pass_arg(f),
            )
            for name, f in functions.items()
        )
    )


def folder() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME", "").strip())
    if not base.is_absolute():  # unset, empty or relative: ignored, as the XDG spec says
        base = Path.home() / ".cache"
    return base / "crisisplan" / "jinja"


def bytecode_cache() -> jinja2.BytecodeCache | None:
    """The shared cache, or None where its folder cannot be made or is not private."""
    path = folder()
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = path.lstat()
    except (OSError, RuntimeError):  # RuntimeError: no home folder
        return None
    if not (stat.S_ISDIR(info.st_mode) and _private(info)):
        return None
    return _Cache(str(path), "%s.jinja")


def on_env(env: jinja2.Environment, **kwargs: Any) -> jinja2.Environment:
    """MkDocs hook: the theme's templates use the shared cache."""
    env.bytecode_cache = bytecode_cache()
    return env
