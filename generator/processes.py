"""Processes: how many cores this process may use, and a forked helper process with a pipe."""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import weakref
from collections.abc import Callable
from typing import Any


def cores() -> int:
    """The cores this process may run on (its CPU affinity), not all the machine has."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


#: This process's ends of the pipes to the processes it forked and still talks to.
_ours: weakref.WeakSet[Any] = weakref.WeakSet()


def forked(target: Callable[..., None], *args: Any) -> tuple[Any, Any]:
    """Start ``target(conn, *args)`` in a forked process; return the process and this end of
    the pipe to ``conn``.

    The child first closes the copies it inherited of this process's pipe ends, its own
    included, so it reads end-of-file when this process closes its end or dies, instead of
    waiting for ever. It ends without the interpreter's cleanup (``multiprocessing`` ends a
    forked process with ``os._exit``).
    """
    context = mp.get_context("fork")
    mine, theirs = context.Pipe()
    process = context.Process(target=_forked, args=(target, theirs, *args))
    _ours.add(mine)
    try:
        process.start()
    except BaseException:
        mine.close()
        raise
    finally:
        theirs.close()
    return process, mine


def _forked(target: Callable[..., None], conn: Any, *args: Any) -> None:
    for end in list(_ours):
        end.close()
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C reaches all: the parent reports it
        target(conn, *args)


def can_fork() -> bool:
    """Whether a forked process can work beside this one: fork exists and a core is spare."""
    return "fork" in mp.get_all_start_methods() and cores() > 1
