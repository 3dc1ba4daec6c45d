"""The PDF's own process: forked before the pages are rendered, it typesets beside the site.

The process imports WeasyPrint (about 0.4 s) while the main process loads the questionnaire and
renders the pages, then waits for the print HTML, and typesets it on every core while the main
process builds the site.
"""

from __future__ import annotations

import contextlib
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import typeset
from .errors import BuildError, CrisisplanError, Problem
from .weasy import import_weasyprint


class PdfProcess:
    """A forked process that typesets one PDF when it is sent the print HTML."""

    def __init__(self) -> None:
        self._process, self._conn = typeset.forked(_child)
        self._outcome: list[tuple[int, list[Problem], str | None]] = []
        self._sent = False

    def start(
        self,
        html: str,
        target: Path,
        folder: Path,
        overrides: Sequence[Path],
        count: int | None,
    ) -> None:
        with contextlib.suppress(OSError):  # it has ended: wait() says how
            self._conn.send((html, target, folder, tuple(overrides), count))
        self._sent = True

    def wait(self) -> int:
        """Wait for the PDF; return its page count or raise its error."""
        if not self._outcome:
            try:
                self._outcome.append(self._conn.recv())
            except (EOFError, OSError):
                self._outcome.append((0, [], "Error: the PDF process ended unexpectedly."))
            except BaseException:  # Ctrl-C: a second wait (cleaning up) must not read again
                self._outcome.append((0, [], "Error: the PDF build was interrupted."))
                raise
            finally:
                self._conn.close()
                self._process.join()
        pages, problems, message = self._outcome[0]
        if message is not None:
            raise BuildError(message, problems)
        return pages

    def close(self) -> None:
        """End the process: one that has its HTML is waited for (it cleans up its own files);
        one still waiting for it is stopped."""
        if self._sent:
            with contextlib.suppress(CrisisplanError):
                self.wait()
        elif not self._outcome:
            self._outcome.append((0, [], "Error: the PDF was not started."))
            self._conn.close()
            self._process.terminate()
            self._process.join()


def _child(conn: Any) -> None:
    # An import that fails is reported when the HTML comes, as the answer to it.
    outcome: tuple[int, list[Problem], str | None] = (0, [], None)
    try:
        import_weasyprint()  # the slow import, done while the parent renders
    except KeyboardInterrupt:
        return
    except CrisisplanError as exc:
        outcome = (0, exc.problems, exc.message)
    except Exception:
        outcome = (0, [], "Error: the PDF build failed:\n" + traceback.format_exc())
    try:
        html, target, folder, overrides, count = conn.recv()
    except (EOFError, OSError, KeyboardInterrupt):  # the parent gave up before sending it
        return
    try:
        if outcome[2] is None:
            pages = typeset.typeset(html, target, folder=folder, overrides=overrides, count=count)
            outcome = (pages, [], None)
    except CrisisplanError as exc:  # exceptions with extra fields do not pickle whole
        outcome = (0, exc.problems, exc.message)
    except BaseException:
        outcome = (0, [], "Error: the PDF build failed:\n" + traceback.format_exc())
    with contextlib.suppress(OSError):
        conn.send(outcome)
    conn.close()
