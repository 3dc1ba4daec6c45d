"""Read a questionnaire's YAML safely: plain strings, lists and dicts, each value with its position.

PyYAML is used only to *compose* nodes (it never constructs Python objects), so tags cannot run
code, every scalar stays the text that was written (``NO``, ``0812345678`` and ``1.10`` are
strings) and every value keeps its line and column for error messages. Aliases are refused, so
an alias bomb cannot expand; the file size, nesting depth, node count and text length are capped.
Every text comes out with LF line ends, and a control character written as an escape (``"\\e"``)
is refused as the same character written raw is.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import yaml
from yaml.events import AliasEvent, CollectionStartEvent, ScalarEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import Problem, QuestionnaireError
from .i18n import N_, _

MAX_BYTES = 4 * 1024 * 1024  # room for a register of a few thousand threats
MAX_TEXT = 20_000
MAX_NODES = 50_000
MAX_DEPTH = 20

#: What PyYAML's reader refuses raw (C0 but tab, LF and CR; DEL; C1), looked for again once
#: escapes are read: ``"\\0"``, ``"\\e"``, ``"\\x85"`` and ``"\\x9b"`` give the same characters.
#: (NEL, U+0085, is a line break when written raw; written as an escape it is refused.)
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

Key = str | int
Path_ = tuple[Key, ...]


@dataclass
class Document:
    """A loaded questionnaire: its data and where each value and key was written."""

    file: str
    data: dict[str, Any]
    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    #: Where each scalar value ends (the column just after it), and the file's lines: to tell
    #: what YAML made of a line (a ``#word`` read as a comment, a ``: `` read as a key).
    ends: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    #: Problems that did not stop loading (a duplicate key, an over-long text); the caller
    #: reports them together with the schema's own.
    problems: list[Problem] = field(default_factory=list)

    def where(self, path: Path_, *, key: bool = False) -> tuple[int, int]:
        """Line and column of the value (or key) at ``path``, or of its nearest written parent."""
        table = self.keys if key else self.values
        p = tuple(path)
        while p:
            if p in table:
                return table[p]
            if p in self.values:
                return self.values[p]
            p = p[:-1]
        return (1, 1)

    def problem(
        self, path: Path_, message: str, *, key: bool = False, warning: bool = False
    ) -> Problem:
        line, col = self.where(path, key=key)
        return Problem(self.file, line, col, dotted(path), message, warning)


def dotted(path: Path_) -> str:
    """``("threats", 3, "title")`` -> ``threats[3].title``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


class _Loader(yaml.SafeLoader):
    """A SafeLoader that refuses aliases, explicit tags, deep nesting and too many values."""

    depth = 0
    count = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, AliasEvent):
            raise _Refused(
                event.start_mark,
                _("aliases (*name) are not allowed: write the value out in full"),
            )
        if isinstance(event, ScalarEvent | CollectionStartEvent) and event.tag not in (None, "!"):
            raise _Refused(
                event.start_mark,
                _(
                    "YAML tags such as {tag!r} are not allowed: write plain text, lists and"
                    " mappings",
                    tag=event.tag,
                ),
            )
        # Checked while composing, before the work is done: PyYAML composes recursively (deep
        # nesting would exhaust Python's stack) and slowly (a megabyte of `1,` takes a minute).
        self.count += 1
        if self.count > MAX_NODES:
            raise _Refused(
                event.start_mark, _("the file has more than {most:,} values", most=MAX_NODES)
            )
        if self.depth > MAX_DEPTH:
            raise _Refused(
                event.start_mark, _("nested more than {most} levels deep", most=MAX_DEPTH)
            )
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


class _Refused(Exception):
    def __init__(self, mark: Any, message: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message


def _problem(file: str, line: int, col: int, message: str) -> QuestionnaireError:
    return QuestionnaireError.from_problems([Problem(file, line, col, "", message)])


def load_builtin(path: Path) -> Any:
    """A YAML file of the package itself (trusted): every scalar a string, as
    :func:`load_yaml` gives it, but parsed by libyaml when PyYAML has it, ten times faster,
    and without positions. A broken built-in file is loaded again with :func:`load_yaml` to
    say where it is broken."""
    loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)


def load_yaml(path: Path, *, display: str | None = None, collect: bool = False) -> Document:
    """Load ``path`` into a :class:`Document`, or raise :class:`QuestionnaireError`.

    With ``collect``, problems that do not stop loading are left in ``Document.problems``.
    """
    file = display or str(path)
    try:
        with open_regular(path) as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > MAX_BYTES:  # refused before it is read: it may be gigabytes
                raise _too_big(file, size)
            raw = handle.read(MAX_BYTES + 1)  # a pipe or a growing file has no size to trust
    except OSError as exc:
        raise _problem(
            file, 1, 1, _("cannot read the file: {why}", why=exc.strerror or exc)
        ) from None
    return load_bytes(raw, file, collect=collect)


def open_regular(path: Path) -> BinaryIO:
    """``path`` opened for reading if it is a regular file, else :class:`OSError` saying what
    it is: a named pipe (FIFO) would wait for a writer forever, a device never ends."""
    _refuse_special(os.stat(path).st_mode)
    # Non-blocking, in case a pipe took the file's place since: it then opens at once.
    nonblock = getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, os.O_RDONLY | nonblock | getattr(os, "O_CLOEXEC", 0))
    try:
        _refuse_special(os.fstat(fd).st_mode)
        if nonblock:
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


_SPECIAL = {
    stat.S_IFDIR: N_("a folder"),
    stat.S_IFIFO: N_("a named pipe (FIFO)"),
    stat.S_IFSOCK: N_("a socket"),
    stat.S_IFCHR: N_("a device"),
    stat.S_IFBLK: N_("a device"),
}


def _refuse_special(mode: int) -> None:
    if not stat.S_ISREG(mode):
        kind = _SPECIAL.get(stat.S_IFMT(mode), N_("a special file"))
        raise OSError(errno.EINVAL, _("it is {kind}, not a regular file", kind=_(kind)))


def _too_big(file: str, size: int) -> QuestionnaireError:
    return _problem(
        file,
        1,
        1,
        _("the file is {size:,} bytes; at most {most:,} are allowed", size=size, most=MAX_BYTES),
    )


def load_bytes(raw: bytes, file: str, *, collect: bool = False) -> Document:
    """Load questionnaire bytes; ``file`` names them in messages."""
    if len(raw) > MAX_BYTES:
        raise _too_big(file, len(raw))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        raise _problem(
            file,
            line,
            col,
            _(
                "byte 0x{byte:02x} is not UTF-8: save the file as UTF-8",
                byte=raw[exc.start],
            ),
        ) from None
    for number, line_text in enumerate(text.splitlines(), 1):
        indent = line_text[: len(line_text) - len(line_text.lstrip(" \t"))]
        if "\t" in indent and line_text.strip():
            raise _problem(
                file,
                number,
                indent.index("\t") + 1,
                _("tab used for indentation: indent with spaces"),
            )
        if "\x00" in line_text:
            raise _problem(
                file, number, line_text.index("\x00") + 1, _("NUL character in the file")
            )
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:  # a control character: checked before parsing
        prefix = text[: exc.position]
        line = prefix.count("\n") + 1
        col = exc.position - (prefix.rfind("\n") + 1) + 1
        raise _problem(
            file,
            line,
            col,
            _("character U+{code:04X} is not allowed: remove it", code=exc.character),
        ) from None
    try:
        root = loader.get_single_node()
    except _Refused as exc:
        raise _problem(file, exc.mark.line + 1, exc.mark.column + 1, exc.message) from None
    except yaml.MarkedYAMLError as exc:
        what, at_context = _explain(exc)
        mark = (exc.context_mark if at_context else None) or exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        if mark and (deeper := _indented_too_far(text.splitlines(), mark.line, mark.column)):
            what, col = deeper
        raise _problem(file, line, col, _("invalid YAML: {what}", what=what)) from None
    except yaml.YAMLError as exc:
        raise _problem(file, 1, 1, _("invalid YAML: {what}", what=exc)) from None
    finally:
        loader.dispose()
    if root is None or (isinstance(root, ScalarNode) and root.value.strip() == ""):
        raise _problem(
            file, 1, 1, _("the file is empty: expected a mapping with at least company.name")
        )
    if not isinstance(root, MappingNode):
        kind = _("a list") if isinstance(root, SequenceNode) else _("plain text")
        line, col = root.start_mark.line + 1, root.start_mark.column + 1
        raise _problem(
            file,
            line,
            col,
            _(
                "the top level is {kind}: expected a mapping of sections such as company:",
                kind=kind,
            ),
        )
    doc = Document(file, {}, lines=text.splitlines())
    builder = _Builder(doc)
    doc.data = builder.build(root, ())
    doc.problems = builder.problems
    if doc.problems and not collect:
        raise QuestionnaireError.from_problems(doc.problems)
    return doc


def _explain(exc: yaml.MarkedYAMLError) -> tuple[str, bool]:
    """PyYAML's parser message in a user's words, and whether to point where the thing opened."""
    problem, context = exc.problem or "", exc.context or ""
    if "quoted scalar" in context:
        return _("this quoted text is not closed: add the closing quote"), True
    if "flow sequence" in context or problem.startswith("expected ',' or ']'"):
        return _("this list opened with [ is not closed with ]"), True
    if "flow mapping" in context or problem.startswith("expected ',' or '}'"):
        return _("this mapping opened with { is not closed with }"), True
    if problem.startswith("expected <block end>"):
        return _("the indentation of this line does not match the lines above it"), False
    if "another document" in problem:
        return _("a second document (---) is not allowed: one questionnaire per file"), False
    if "mapping values are not allowed" in problem:
        return _("a ': ' inside a value: put the value in quotes"), False
    if "could not find expected ':'" in problem:
        return _("a line that is not 'key: value' or '- item': check the colon"), False
    return problem or context or _("the file cannot be read as YAML"), False


#: A key at the start of a line: ``website:``, ``- id:`` (the item's first key).
_KEY_LINE = re.compile(r"^( *(?:- +)*)([A-Za-z_][A-Za-z0-9_-]*):(?: |$)")


def _indented_too_far(lines: list[str], row: int, col: int) -> tuple[str, int] | None:
    """When a ``key: value`` line is indented deeper than the ``key: value`` line above it,
    YAML reads it as more of that value and fails at its colon: say so, with the fix, and
    where the line starts. ``row`` and ``col`` (from 0) are where YAML failed."""
    if row >= len(lines) or row == 0:
        return None
    here = _KEY_LINE.match(lines[row])
    if here is None or here.end(2) != col:
        return None
    above = next(
        (
            line
            for line in reversed(lines[:row])
            if line.strip() and not line.lstrip().startswith("#")
        ),
        "",
    )
    before = _KEY_LINE.match(above)
    if before is None or not above[before.end() :].strip() or before.start(2) >= here.start(2):
        return None
    return (
        _(
            "the indentation of this line does not match the lines above it: start {key!r} in"
            " column {column}, under {above!r}",
            key=here.group(2),
            column=before.start(2) + 1,
            above=before.group(2),
        ),
        here.start(2) + 1,
    )


class _Builder:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.problems: list[Problem] = []

    def build(self, node: Node, path: Path_) -> Any:
        mark = node.start_mark
        self.doc.values[path] = (mark.line + 1, mark.column + 1)
        if isinstance(node, ScalarNode):
            self.doc.ends[path] = (node.end_mark.line + 1, node.end_mark.column + 1)
            if node.style is None and node.tag == "tag:yaml.org,2002:null":
                return None
            value = self.text(node, path)
            if len(value) > MAX_TEXT:
                self.problems.append(
                    self.doc.problem(
                        path,
                        _(
                            "text is {length:,} characters long; at most {most:,} allowed",
                            length=len(value),
                            most=MAX_TEXT,
                        ),
                    )
                )
            return value
        if isinstance(node, SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        assert isinstance(node, MappingNode)
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            kmark = key_node.start_mark
            if not isinstance(key_node, ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                self.problems.append(
                    Problem(
                        self.doc.file,
                        kmark.line + 1,
                        kmark.column + 1,
                        "",
                        _("keys must be plain words"),
                    )
                )
                continue
            key = self.text(key_node, (*path, key_node.value))
            kpath = (*path, key)
            if key in out:
                first = self.doc.keys[kpath]
                self.problems.append(
                    Problem(
                        self.doc.file,
                        kmark.line + 1,
                        kmark.column + 1,
                        dotted(kpath),
                        _(
                            "duplicate key (first written on line {line}): write each key once",
                            line=first[0],
                        ),
                    )
                )
                continue
            self.doc.keys[kpath] = (kmark.line + 1, kmark.column + 1)
            out[key] = self.build(value_node, kpath)
        return out

    def text(self, node: ScalarNode, path: Path_) -> str:
        """A scalar's text with LF line ends (``"\\r"`` written as an escape is one), and a problem
        for a control character that an escape put in it; each becomes U+FFFD, so that no later
        check meets it."""
        value: str = node.value.replace("\r\n", "\n").replace("\r", "\n")
        found = CONTROL.search(value)
        if found:
            mark = node.start_mark
            self.problems.append(
                Problem(
                    self.doc.file,
                    mark.line + 1,
                    mark.column + 1,
                    dotted(path),
                    _("character U+{code:04X} is not allowed: remove it", code=ord(found.group())),
                )
            )
            value = CONTROL.sub("\ufffd", value)
        return value
