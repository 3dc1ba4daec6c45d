"""A live preview: rebuild the site whenever the questionnaire, a template or a theme changes."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import click

from . import resources
from .build import Options, build_handbook
from .errors import CrisisplanError
from .questionnaire import load_questionnaire
from .text import slug_for


def serve(
    path: Path, *, host: str = "127.0.0.1", port: int = 8000, overrides: Sequence[Path] = ()
) -> None:
    """Serve the handbook of ``path`` on http://HOST:PORT/ until interrupted."""
    from mkdocs.livereload import LiveReloadServer

    slug = slug_for(load_questionnaire(path).questionnaire.company.name)
    out = Path(tempfile.mkdtemp(prefix="crisisplan-serve-"))

    def rebuild() -> None:
        try:
            build_handbook(path, out, options)
        except CrisisplanError as exc:  # keep serving the last good build
            exc.show()

    options = Options(pdf=False, templates=tuple(overrides), force=True)
    build_handbook(path, out, options)
    server = LiveReloadServer(builder=rebuild, host=host, port=port, root=str(out / slug))
    for watched in (
        path.resolve().parent,
        resources.content_dir(),
        resources.themes_dir(),
        *overrides,
    ):
        server.watch(str(watched))
    click.echo(f"Serving {path} on {server.url} (Ctrl+C to stop)")
    try:
        server.serve()  # type: ignore[no-untyped-call]
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        shutil.rmtree(out, ignore_errors=True)
