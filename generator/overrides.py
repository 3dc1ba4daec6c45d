"""Template overrides: only the folders the person running the command names, checked once.

Overrides are the agency's, never a client's: nothing beside a questionnaire is ever loaded.
An override folder may hold only plain files and folders; a symbolic link, a device or a pipe
anywhere inside it is refused, and every template read through :class:`Loader` must still
resolve inside the folder it was found in when it is read.
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Callable, Sequence
from pathlib import Path

import jinja2
from jinja2.loaders import split_template_path

from . import resources
from .errors import BuildError
from .i18n import _


def check(folders: Sequence[Path | str]) -> tuple[Path, ...]:
    """The folders, resolved, or a :class:`BuildError` with one line per problem."""
    problems: list[str] = []
    resolved: list[Path] = []
    for folder in folders:
        path = Path(folder)
        if not path.is_dir():
            problems.append(
                _("{path}: not a folder: --templates names a folder of overrides", path=path)
            )
            continue
        resolved.append(path.resolve())
        for parent, dirs, files in os.walk(path):
            for name in sorted(dirs + files):
                problem = _problem(Path(parent, name))
                if problem:
                    problems.append(problem)
    if problems:
        raise BuildError(
            "\n".join(problems)
            + "\n"
            + _("Error: template folders may hold only files and folders; nothing was written.")
        )
    return tuple(dict.fromkeys(resolved))


def _problem(path: Path) -> str | None:
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode):
        return _(
            "{path}: a symbolic link: copy the file into the template folder instead", path=path
        )
    if not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)):
        return _("{path}: not a file or a folder", path=path)
    return None


class Loader(jinja2.FileSystemLoader):
    """A file system loader that reads only plain files inside its folders, never through a link."""

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)  # refuses ".." and absolute names
        for root in self.searchpath:
            filename = os.path.join(root, *pieces)
            if not os.path.lexists(filename):
                continue
            real = os.path.realpath(filename)
            if os.path.islink(filename) or not real.startswith(os.path.realpath(root) + os.sep):
                raise jinja2.TemplateNotFound(
                    template,
                    _(
                        "{file} is a link or leads outside {root}: it is not read",
                        file=filename,
                        root=root,
                    ),
                )
            fd = os.open(filename, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            with os.fdopen(fd, encoding=self.encoding) as file:
                if not stat.S_ISREG(os.fstat(fd).st_mode):
                    raise jinja2.TemplateNotFound(
                        template, _("{file} is not a file", file=filename)
                    )
                source = file.read()
            return source, os.path.normpath(filename), _unchanged(filename)
        raise jinja2.TemplateNotFound(template)


def _unchanged(filename: str) -> Callable[[], bool]:
    mtime = os.path.getmtime(filename)
    return lambda: os.path.exists(filename) and os.path.getmtime(filename) == mtime


def loader(relative: str, overrides: Sequence[Path] = ()) -> jinja2.BaseLoader:
    """``relative`` (under the package root) searched in each override folder, then built in.

    ``default:NAME`` always names the built-in template, so an override can extend it.
    """
    builtin = Loader(resources.root() / relative)
    search = [Loader(Path(p) / relative) for p in overrides]
    return jinja2.ChoiceLoader(
        [*search, builtin, jinja2.PrefixLoader({"default": builtin}, delimiter=":")]
    )


def copy_files(source: Path, target: Path, ignore: Callable[[str], bool] = lambda _: False) -> None:
    """Copy the plain files under ``source`` into ``target`` (``ignore(name)`` skips some)."""
    for parent, dirs, files in os.walk(source):
        dirs.sort()
        relative = Path(parent).relative_to(source)
        for name in sorted(files):
            if ignore(name):
                continue
            path = Path(parent, name)
            if _problem(path):
                raise BuildError(
                    _("Error: {problem}; nothing was written.", problem=_problem(path))
                )
            (target / relative).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target / relative / name, follow_symlinks=False)


def not_docs(name: str) -> bool:
    """Readme files describe a theme folder; they are not part of the site."""
    return name.endswith(".md")
