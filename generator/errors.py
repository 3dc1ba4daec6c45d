"""One error family: every problem crisisplan reports carries its file, line and column."""

from __future__ import annotations

import contextlib
import errno
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import click

from . import i18n
from .i18n import N_, _, ngettext


def visible(text: str) -> str:
    """``text`` with every character that is not printable shown as Python writes it in a
    string (``\\x1b``, ``\\n``, ``\\u202e``), so that no message can move the cursor, erase a
    line or hide a word in a terminal, or take two lines. The zero-width joiner and non-joiner
    stay, as in the model: emoji sequences and several scripts need them."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c in _JOINERS else repr(c)[1:-1] for c in text)


_JOINERS = {"\u200c", "\u200d"}


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or worth a look) in an input file, located like a compiler message."""

    file: str
    line: int
    col: int
    path: str
    message: str
    warning: bool = False
    #: The language the message was made in, which its ``warning:`` is said in too.
    language: str = field(default_factory=i18n.current, compare=False)

    def __str__(self) -> str:
        with i18n.speaking(self.language):
            kind = _("warning: ") if self.warning else ""
        where = f"{self.path}: " if self.path else ""
        return visible(f"{self.file}:{self.line}:{self.col}: {kind}{where}{self.message}")


class CrisisplanError(click.ClickException):
    """Base of every error the tool reports to a user: the CLI prints it and exits 1."""

    def __init__(self, message: str, problems: Iterable[Problem] = ()) -> None:
        super().__init__(message)
        self.problems = sorted(problems)

    def format_message(self) -> str:
        lines = [str(p) for p in self.problems]
        if self.message:  # its own lines kept, what a value put in them shown
            lines += [visible(line) for line in self.message.split("\n")]
        return "\n".join(lines)

    def show(self, file: object = None) -> None:
        click.echo(self.format_message(), err=True)


class QuestionnaireError(CrisisplanError):
    """The questionnaire cannot be read or does not validate."""

    @classmethod
    def from_problems(cls, problems: list[Problem]) -> QuestionnaireError:
        return cls(_("{count}; nothing was written.", count=_count(problems)), problems)

    def checked(self) -> QuestionnaireError:
        """The same problems as ``validate`` reports them: it writes nothing, so says nothing of it."""
        return QuestionnaireError(_("{count}.", count=_count(self.problems)), self.problems)


def _count(problems: Iterable[Problem]) -> str:
    """``Error: 2 errors in q.yaml``."""
    problems = list(problems)
    errors = sum(1 for p in problems if not p.warning)
    files = sorted({p.file for p in problems})
    return ngettext(
        "Error: {n} error in {files}",
        "Error: {n} errors in {files}",
        errors,
        files=", ".join(files),
    )


class TemplateError(CrisisplanError):
    """A content or theme template failed to render."""


class BuildError(CrisisplanError):
    """The site or the PDF could not be built."""


#: What to do about the operating system errors a build meets most.
_ADVICE = {
    errno.ENOSPC: N_("free some space on that disk"),
    errno.EDQUOT: N_("free some space within your disk quota"),
    errno.EROFS: N_("the disk is read-only: choose another output folder with -o"),
    errno.EACCES: N_("you may not write there: choose another output folder with -o"),
    errno.EPERM: N_("you may not write there: choose another output folder with -o"),
    errno.ENAMETOOLONG: N_("choose a shorter output folder"),
}


def os_error(exc: OSError, *, unchanged: bool = True) -> BuildError:
    """An operating system error as one line: the path, what went wrong, what to do, and
    (``unchanged``: a build's atomic output) that the previous output is unchanged."""
    where = exc.filename2 or exc.filename or _("a file")  # a copy's or a rename's is its target
    what = (exc.strerror or str(exc)).rstrip(".")
    advice = _(_ADVICE.get(exc.errno or 0, N_("check the path and try again")))
    message = (
        _("Error: {where}: {what}; {advice}. The previous output is unchanged.")
        if unchanged
        else _("Error: {where}: {what}; {advice}.")
    )
    return BuildError(message.format(where=where, what=what.lower(), advice=advice))


@contextlib.contextmanager
def writing(path: Path | str) -> Iterator[None]:
    """An operating system error in the block that names no file names ``path``: a write to a
    file already open (a full disk is found out there) names none, nor does a copy by
    ``sendfile``."""
    try:
        yield
    except OSError as exc:
        if not (exc.filename or exc.filename2):
            exc.filename = str(path)
        raise


def ended(stage: str) -> BuildError:
    """A process of the build that died (killed, or out of memory) as one line."""
    return BuildError(
        _(
            "Error: {stage} ended unexpectedly (killed, or out of memory); try again, or build"
            " with --jobs 1, which needs less memory. The previous output is unchanged.",
            stage=stage,
        )
    )
