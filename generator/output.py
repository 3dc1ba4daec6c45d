"""Where a build's output goes: one lock per client, a private work folder, one atomic swap.

::

    OUTDIR/
      <slug>/               the published handbook, replaced in one step
      .crisisplan/          private to whoever builds (mode 0700): never publish it
        <slug>.lock         held while <slug> is built (released by the kernel if the build dies)
        work-<slug>.XXXX/   a build in progress, removed on every way out, and by the next
                            build of <slug> when a killed one left it

At no instant is ``<slug>/`` missing or half-written: on Linux the finished handbook and the
previous one trade places in one ``renameat2(RENAME_EXCHANGE)``; where that is not available,
the previous one is moved into the work folder and the new one into place, two renames apart,
and a build killed between them is undone by the next build of that client.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .errors import BuildError, writing
from .i18n import _

STATE = ".crisisplan"
#: Inside each published handbook: what made it, so a later build knows whether it may skip
#: or replace it. Holds no path: a digest of the company's name, and counts.
MARKER = ".crisisplan"
_ASIDE = "previous"


def state_folder(outdir: Path) -> Path:
    """``OUTDIR/.crisisplan``, made private; an old marker file there is replaced."""
    state = outdir / STATE
    if state.is_file() and not state.is_symlink():  # made by crisisplan before 0.2
        state.unlink()
    state.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(state, 0o700)
    return state


def write_bytes(target: Path, data: bytes | memoryview) -> None:
    """Write ``data`` (a PDF that qpdf made in memory) to ``target``. qpdf writing a file
    itself meets a full disk as a C++ exception, which can end the process with "terminate
    called after throwing" on stderr; written here, it is an ``OSError`` naming ``target``."""
    with writing(target):
        target.write_bytes(data)


def marker(target: Path) -> dict[str, Any]:
    """What the handbook in ``target`` was built from, or ``{}``."""
    try:
        data = json.loads((target / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def refuse_foreign(folder: Path) -> None:
    """Refuse to write into a non-empty folder that crisisplan did not make."""
    if not folder.exists():
        return
    if not folder.is_dir():
        raise BuildError(
            _("Error: {folder} exists and is not a folder; nothing was written.", folder=folder)
        )
    if any(folder.iterdir()) and not (folder / MARKER).exists():
        raise BuildError(
            _(
                "Error: {folder} holds files crisisplan did not make; choose another output"
                " folder.",
                folder=folder,
            )
        )


@contextlib.contextmanager
def locked(outdir: Path, slug: str) -> Iterator[Path]:
    """Hold ``<slug>``'s lock for the block; yield a new private work folder for the build.

    A second build of the same client is refused at once with one line. Work folders that a
    killed build of this client left are removed first, and a previous handbook it left
    aside is put back.
    """
    refuse_foreign(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    state = state_folder(outdir)
    lock = os.open(state / f"{slug}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        _lock(lock, outdir / slug)
        _recover(state, outdir / slug, slug)
        # "." is never in a slug: the work folders of "acme" are never those of "acme-public"
        work = Path(tempfile.mkdtemp(prefix=f"work-{slug}.", dir=state))
        try:
            yield work
        finally:
            _clear(work, outdir / slug)
    finally:
        os.close(lock)  # releases the lock


def _lock(fd: int, target: Path) -> None:
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; one build at a time is up to the user
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise BuildError(
            _(
                "Error: another crisisplan build is writing {target}; try again when it has ended.",
                target=target,
            )
        ) from None


def _recover(state: Path, target: Path, slug: str) -> None:
    """Clear what a killed build of ``slug`` left (this process holds its lock)."""
    for leftover in sorted(state.glob(f"work-{slug}.*")):
        _clear(leftover, target)


def _clear(work: Path, target: Path) -> None:
    """Remove a work folder; a previous handbook moved into it, and not replaced, goes back."""
    aside = work / _ASIDE
    if aside.is_dir() and not target.exists():  # stopped between the two renames
        aside.rename(target)
    shutil.rmtree(work, ignore_errors=True)


def carry(
    previous: Path, staged: Path, names: Iterable[str] | None = None, *, leave: Iterable[str] = ()
) -> None:
    """Put files of the previous handbook (``names``, else every one but its marker and
    ``leave``) into ``staged``, where it has none of that name: hard links, byte for byte, as
    nothing is ever rewritten in place (copies where the file system has no hard links)."""
    files = [previous / n for n in names] if names is not None else previous.rglob("*")
    skip = {Path(MARKER), *(Path(n) for n in leave)}
    for file in files:
        rel = file.relative_to(previous)
        into = staged / rel
        if rel in skip or not file.is_file() or file.is_symlink() or into.exists():
            continue
        into.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(file, into)
        except OSError:
            shutil.copy2(file, into)


def publish(staged: Path, target: Path, work: Path) -> None:
    """Put ``staged`` in place of ``target`` in one step; the previous handbook goes into
    ``work`` (removed with it)."""
    if not target.exists():
        staged.rename(target)
        return
    if _exchange(staged, target):
        return
    target.rename(work / _ASIDE)
    staged.rename(target)


def _exchange(a: Path, b: Path) -> bool:
    """Swap ``a`` and ``b`` atomically (Linux); False where the system cannot."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):  # a file system that cannot
        return False
    raise OSError(code, os.strerror(code), str(b))


def _renameat2() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # a C library older than glibc 2.28
        return None
    function.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    function.restype = ctypes.c_int
    return function
