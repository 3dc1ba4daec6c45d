"""A live preview: rebuild the site whenever the questionnaire, a template or a theme changes.

It is MkDocs' live-reload server with four changes. Its reload script is a file, not an inline
script, so the handbook's Content-Security-Policy lets it run. A build that fails keeps the
last good site on show with the error above every page (and in the terminal) until the
questionnaire is fixed. A renamed company, which moves the handbook to another folder, is
followed. The questionnaire's whole folder is watched (an editor may save a file by replacing
it), but a change there that touches none of the build's inputs, such as this command's own
log written beside the questionnaire, rebuilds nothing: the build's fingerprint says so.
It answers only requests addressed to the address it serves on (their ``Host`` header), so a
page of another site cannot read the preview through a name of its own that it points at this
machine (DNS rebinding).
"""

from __future__ import annotations

import errno
import html
import ipaddress
import re
import shutil
import socket
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import click
from mkdocs.livereload import _SCRIPT_TEMPLATE_STR, LiveReloadServer

from . import i18n, resources
from .build import Options, build_handbook, forget_folders
from .errors import CrisisplanError
from .i18n import _, ngettext

#: The reload script, which MkDocs inlines into each page: here a file that reads its two
#: numbers from its own address.
SCRIPT_PATH = "/.crisisplan/livereload.js"
_SCRIPT = _SCRIPT_TEMPLATE_STR.replace(
    "livereload(${epoch}, ${request_id});",
    ";(function (query) { livereload(+query.get('epoch'), +query.get('request')); })"
    "(new URL(document.currentScript.src).searchParams);",
).encode()


def _ip(name: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(name)
    except ValueError:
        return None


def host_allowed(header: str, host: str, port: int) -> bool:
    """Whether a request's ``Host`` header names the address served on ``host``:``port``.

    Loopback is also reachable as ``localhost``; an address of every interface (``0.0.0.0``,
    ``::``) as any address and as the machine's name. Any other name is refused: a page of
    another site that points its own name at this machine would send that name.
    """
    header = header.strip().lower()
    name, given = header, 80
    if not header.endswith("]") and ":" in header.rsplit("]", 1)[-1]:
        name, _, digits = header.rpartition(":")
        if not digits.isdigit():
            return False
        given = int(digits)
    if ":" in name and not (name.startswith("[") and name.endswith("]")):
        return False  # an IPv6 address is written in brackets
    name = name.removeprefix("[").removesuffix("]")
    if given != port or not name:
        return False
    bound, asked = _ip(host), _ip(name)
    if bound is None:  # served on a name, such as localhost
        return name == host.lower() or (
            host.lower() == "localhost" and bool(asked and asked.is_loopback)
        )
    if asked is not None:
        return asked == bound or bound.is_unspecified or (bound.is_loopback and asked.is_loopback)
    if name == "localhost":
        return bound.is_loopback or bound.is_unspecified
    return bound.is_unspecified and name == socket.gethostname().lower()


class Server(LiveReloadServer):
    """MkDocs' live-reload server, with the reload script as a file and the last error shown."""

    error: str | None = None
    #: The address served on (``-a``), which every request's Host header must name.
    address: tuple[str, int] = ("127.0.0.1", 8000)

    def serve_request(self, environ: Any, start_response: Any) -> Iterable[bytes]:
        if not host_allowed(environ.get("HTTP_HOST", ""), *self.address):
            start_response("403 Forbidden", [("Content-Type", "text/plain; charset=utf-8")])
            host, port = self.address
            where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
            return [f"crisisplan serve answers only at http://{where}/\n".encode()]
        return super().serve_request(environ, start_response)

    def _inject_js_into_html(self, content: bytes, epoch: int) -> bytes:
        script = (
            f'<script src="{SCRIPT_PATH}?epoch={epoch}&amp;request={time.monotonic_ns()}"></script>'
        )
        banner = ""
        if self.error:
            banner = (
                '<div role="alert" style="position:sticky;top:0;z-index:10;padding:0.6rem 1rem;'
                'background:#b3261e;color:#fff;font:14px/1.4 monospace;white-space:pre-wrap">'
                f"{html.escape(self.error)}</div>"
            )
        content = re.sub(
            rb"(<body[^>]*>)", lambda m: m.group(1) + banner.encode(), content, count=1
        )
        end = content.rfind(b"</body>")
        end = len(content) if end < 0 else end
        return content[:end] + script.encode() + content[end:]

    def _serve_request(self, environ: Any, start_response: Any) -> Iterable[bytes] | None:
        if environ["PATH_INFO"] == SCRIPT_PATH:
            start_response("200 OK", [("Content-Type", "application/javascript")])
            return [_SCRIPT]
        return super()._serve_request(environ, start_response)


@i18n.in_its_language
def serve(
    path: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    overrides: Sequence[Path] = (),
    edition: str | None = None,
    pdf: bool = False,
    ready: Callable[[str], None] | None = None,
) -> None:
    """Serve the handbook of ``path`` on http://HOST:PORT/ until interrupted; with ``pdf``,
    the PDF is rebuilt too and linked from every page. ``ready`` is called with the address
    once the server listens (``serve --open``)."""
    out = Path(tempfile.mkdtemp(prefix="crisisplan-serve-"))
    options = Options(pdf=pdf, templates=tuple(overrides), edition=edition)
    try:
        _serve(path, out, host, port, options, ready)
    finally:
        shutil.rmtree(out, ignore_errors=True)


def _serve(
    path: Path,
    out: Path,
    host: str,
    port: int,
    options: Options,
    ready: Callable[[str], None] | None = None,
) -> None:
    first = build_handbook(path, out, options)
    server = Server(builder=lambda: None, host=host, port=port, root=str(first.output))
    server.address = (host, port)
    shown = {str(w) for w in first.warnings}

    def rebuild() -> None:
        with i18n.speaking(i18n.language_of(path)):  # the watcher's thread speaks English
            _rebuild()

    def _rebuild() -> None:
        started = time.perf_counter()
        forget_folders()  # a template or theme may have changed since
        try:
            result = build_handbook(path, out, options)
        except CrisisplanError as exc:  # keep the last good site, with the error on it
            server.error = exc.format_message()
            exc.show()
            click.echo(_("Rebuild failed: the last good site stays, with the error on each page."))
            return
        if result.skipped:  # nothing the handbook is built from changed (a log, a swap file)
            if server.error is not None:
                server.error = None
                click.echo(
                    _("The questionnaire is as it was at the last good build: that site stays.")
                )
            return
        server.error = None
        server.root = str(result.output)  # a renamed company moves the handbook
        warnings = [str(w) for w in result.warnings]
        for warning in warnings:  # only the new ones: one line a rebuild, unless they change
            if warning not in shown:
                click.echo(warning, err=True)
        shown.clear()
        shown.update(warnings)
        n = len(warnings)
        seconds = time.perf_counter() - started
        click.echo(
            ngettext(
                "Rebuilt in {seconds:.1f} s, {n} warning",
                "Rebuilt in {seconds:.1f} s, {n} warnings",
                n,
                seconds=seconds,
            )
            if n
            else _("Rebuilt in {seconds:.1f} s", seconds=seconds)
        )

    server.builder = rebuild
    try:
        server.server_bind()
    except OSError as exc:
        server.server_close()
        if exc.errno == errno.EADDRINUSE:
            raise CrisisplanError(
                _(
                    "Error: {host}:{port} is in use by another program: choose another port,"
                    " such as -a {host}:{next}.",
                    host=host,
                    port=port,
                    next=port + 1,
                )
            ) from None
        raise CrisisplanError(
            _(
                "Error: cannot serve on {host}:{port}: {why}.",
                host=host,
                port=port,
                why=exc.strerror,
            )
        ) from None
    server.server_bind = lambda: None  # type: ignore[method-assign]  # bound above
    for watched in (
        path.resolve().parent,
        resources.content_dir(),
        resources.themes_dir(),
        *options.templates,
    ):
        server.watch(str(watched))
    click.echo(_("Serving {path} on {url} (Ctrl+C to stop)", path=path, url=server.url))
    if ready:
        ready(server.url)
    try:
        server.serve()  # type: ignore[no-untyped-call]
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
