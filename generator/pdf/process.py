"""Stage 5, the PDF's own process: it typesets beside the site, on the cores the site leaves.

A pool of one forked worker, started when a client turns out to need building: it imports
WeasyPrint and loads the language's hyphenation patterns while this process renders the
pages, then typesets the print HTML it is sent (in parts, ``parts.py``) while this process
builds the site.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from ..errors import ended
from ..i18n import _
from . import parts
from .weasy import import_weasyprint, warm


class PdfProcess:
    """A forked process that typesets one PDF when it is sent the print HTML."""

    def __init__(self, language: str) -> None:
        self._pool = ProcessPoolExecutor(
            max_workers=1, mp_context=mp.get_context("fork"), initializer=_watch_parent
        )
        self._imported: Future[None] = self._pool.submit(_import, language)  # forks it now
        self._pdf: Future[int] | None = None

    def start(
        self, html: str, target: Path, folder: Path, overrides: Sequence[Path], count: int | None
    ) -> None:
        """Typeset ``html`` into ``target`` in the process, in ``count`` parts of pages."""
        self._pdf = self._pool.submit(_typeset, html, target, folder, tuple(overrides), count)

    def wait(self) -> int:
        """Wait for the PDF; return its page count or raise its error."""
        assert self._pdf is not None, "start() first"
        try:
            self._imported.result()  # a WeasyPrint that cannot load says so first
            return self._pdf.result()
        except (BrokenProcessPool, MemoryError):
            raise ended(_("the PDF's process")) from None

    def close(self) -> None:
        """End the process: a PDF being typeset is waited for (its parts clean up after
        themselves); one that was never sent is not started."""
        self._pool.shutdown(wait=True, cancel_futures=True)


# Called in the process by name, so that what they call is looked up there, at run time.


def _watch_parent() -> None:
    """End this process when the one that started it has died: a process killed with SIGKILL
    cannot stop its pool, whose worker would otherwise wait for work for ever."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)

    threading.Thread(target=watch, name="crisisplan-watch-parent", daemon=True).start()


def _import(language: str) -> None:
    import_weasyprint()
    warm(language)


def _typeset(
    html: str, target: Path, folder: Path, overrides: tuple[Path, ...], count: int | None
) -> int:
    return parts.typeset(html, target, folder=folder, overrides=overrides, count=count)
