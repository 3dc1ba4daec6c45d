"""The command line: each command parses its arguments, calls one library function, prints."""

from __future__ import annotations

import gc
import signal
from pathlib import Path
from typing import Any

import click

from . import __version__, resources
from .choices import ENGINES, LANGUAGES, PAPER
from .errors import CrisisplanError, QuestionnaireError

SCHEMA_FILE = "crisisplan.schema.json"


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="crisisplan")
def cli() -> None:
    """Turn a company questionnaire (YAML) into a social-media crisis handbook: a website and a PDF.

    \b
    Example:
        crisisplan init client.yaml       # write a starter questionnaire
        crisisplan validate client.yaml   # check it like a compiler
        crisisplan build client.yaml      # build site/<company>/ with the PDF inside
    """


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def validate(files: tuple[Path, ...], strict: bool) -> None:
    """Check questionnaires and report every problem as FILE:LINE:COL: field: message.

    Exits 1 if any file has an error (or, with --strict, a warning).

    \b
    Example:
        crisisplan validate clients/kopi-nusantara.yaml clients/warung.yaml
    """
    from .questionnaire import load_questionnaire

    failed = 0
    for file in files:
        try:
            loaded = load_questionnaire(file)
        except QuestionnaireError as exc:
            exc.checked().show()
            failed += 1
            continue
        for warning in loaded.warnings:
            click.echo(str(warning), err=True)
        if strict and loaded.warnings:
            n = len(loaded.warnings)
            click.echo(f"Error: {n} warning{'s' if n != 1 else ''} in {file} (--strict).", err=True)
            failed += 1
            continue
        n = len(loaded.warnings)
        click.echo(f"{file}: valid ({n} warning{'s' if n != 1 else ''})")
    if failed:
        raise SystemExit(1)


@cli.command()
def schema() -> None:
    """Print the questionnaire's JSON Schema, for editors and validators.

    \b
    Example:
        crisisplan schema > crisisplan.schema.json
    """
    from .schema import json_schema_text

    click.echo(json_schema_text(), nl=False)


@cli.command()
@click.argument(
    "path",
    required=False,
    default="questionnaire.yaml",
    type=click.Path(dir_okay=False, path_type=Path),
)
@click.option(
    "--language",
    type=click.Choice(LANGUAGES),
    default="en",
    show_default=True,
    help="Language of the starter questionnaire and its handbook.",
)
def init(path: Path, language: str) -> None:
    """Write a commented starter questionnaire (and its JSON Schema beside it).

    The first line points editors at the schema, so fields complete and check as you type.
    Refuses to overwrite an existing file.

    \b
    Example:
        crisisplan init clients/new-client.yaml
    """
    from .schema import json_schema_text

    if path.exists():
        raise CrisisplanError(f"Error: {path} already exists; nothing was written.")
    starter = (resources.content_dir() / language / "starter.yaml").read_text(encoding="utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    schema_path = path.parent / SCHEMA_FILE
    header = f"# yaml-language-server: $schema=./{SCHEMA_FILE}\n"
    with path.open("x", encoding="utf-8") as fh:
        fh.write(header + starter)
    if not schema_path.exists():
        schema_path.write_text(json_schema_text(), encoding="utf-8")
    click.echo(f"Wrote {path}. Fill it in, then run: crisisplan validate {path}")


paper_option = click.option(
    "--paper",
    type=click.Choice(list(PAPER)),
    default="a4",
    show_default=True,
    help="Paper size of the PDF.",
)
EDITION_HELP = (
    "Build this edition, whatever the questionnaire's handbook.edition says: internal (with"
    " personal contact details) in OUTDIR/<slug>/, public (without) in OUTDIR/<slug>-public/."
)
edition_option = click.option(
    "--edition", type=click.Choice(["internal", "public"]), default=None, help=EDITION_HELP
)
templates_option = click.option(
    "-t",
    "--templates",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    multiple=True,
    help=(
        "Agency templates folder whose content/ and themes/ files override the built-in ones;"
        " repeat it to search several, the first named first. Nothing beside a questionnaire"
        " is ever loaded as a template."
    ),
)


@cli.command()
@click.argument("files", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "-o",
    "--output",
    "outdir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("site"),
    show_default=True,
    help="Output folder; each client gets OUTDIR/<slug>/.",
)
@click.option("--no-pdf", is_flag=True, help="Build only the site.")
@click.option("--no-site", is_flag=True, help="Build only the PDF.")
@paper_option
@templates_option
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help=(
        "Processes at once: several clients are built side by side, one client alone builds its"
        " site and its PDF parts side by side. Default: the number of cores; 1: one process."
    ),
)
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default="mkdocs",
    show_default=True,
    help="Site generator. zensical needs: pip install 'crisisplan[zensical]'.",
)
@click.option(
    "--edition",
    type=click.Choice(["internal", "public", "both"]),
    default=None,
    help=EDITION_HELP + " both: the two, side by side, each PDF named after its edition.",
)
@click.option(
    "--force", is_flag=True, help="Rebuild every client, even those whose inputs have not changed."
)
@click.option(
    "--protect",
    is_flag=True,
    help=(
        "Encrypt the site (pages and search) and the PDF with a passphrase from"
        " CRISISPLAN_PASSPHRASE, else typed at a prompt; always rebuilds. Needs: pip install"
        " 'crisisplan[protect]'."
    ),
)
def build(
    files: tuple[Path, ...],
    outdir: Path,
    no_pdf: bool,
    no_site: bool,
    paper: str,
    templates: tuple[Path, ...],
    jobs: int | None,
    engine: str,
    edition: str | None,
    force: bool,
    protect: bool,
) -> None:
    """Build handbooks: the website and the PDF of each client, in OUTDIR/<slug>/.

    FILES are questionnaires or folders of them (*.yaml and */questionnaire.yaml). Without
    FILES, builds the bundled example (Kopi Nusantara). Clients whose inputs have not changed
    since the last build are skipped; one failing client does not stop the others.

    \b
    Example:
        crisisplan build clients/ -o public/ --jobs 2
        crisisplan build clients/acme.yaml --edition both
        CRISISPLAN_PASSPHRASE='…' crisisplan build clients/acme.yaml --protect
    """
    from .build import Options, build_many

    if no_pdf and no_site:
        raise CrisisplanError("Error: --no-pdf and --no-site together leave nothing to build.")
    passphrase = None
    if protect:
        from . import protect as protection

        protection.check(engine)  # before asking for a passphrase
        passphrase = protection.read_passphrase()
    options = Options(
        site=not no_site,
        pdf=not no_pdf,
        paper=paper,
        templates=templates,
        force=force,
        engine=engine,
        passphrase=passphrase,
    )
    click.echo(f"Building into {outdir}/ ...", err=True)
    editions: tuple[str | None, ...] = ("internal", "public") if edition == "both" else (edition,)
    outcomes = build_many(
        files or (resources.example(),),
        outdir,
        options,
        jobs=jobs,
        progress=_progress,
        editions=editions,
    )
    _summary(outcomes)
    if any(o.error for o in outcomes):
        raise SystemExit(1)


def _progress(outcome: Any, done: int, total: int) -> None:
    if outcome.error:
        click.echo(outcome.error, err=True)
        status = "failed"
    else:
        for warning in outcome.result.warnings:
            click.echo(str(warning), err=True)
        status = (
            "up to date" if outcome.result.skipped else f"built in {outcome.result.seconds:.1f} s"
        )
    click.echo(f"[{done}/{total}] {outcome.label}: {status}", err=True)


def _summary(outcomes: list[Any]) -> None:
    rows = [("client", "pages", "PDF", "warnings", "time", "status")]
    for o in outcomes:
        r = o.result
        if r is None:
            rows.append((o.label, "-", "-", "-", "-", "failed"))
            continue
        pdf = f"{r.pdf_pages} p, {r.pdf_size / 1024:.0f} KiB" if r.pdf else "-"
        rows.append(
            (
                str(r.output),
                str(r.pages),
                pdf,
                str(len(r.warnings)),
                f"{r.seconds:.1f} s",
                "up to date" if r.skipped else "built",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for n, row in enumerate(rows):
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            click.echo("  ".join("-" * w for w in widths))
    failed = sum(1 for o in outcomes if o.error)
    click.echo(f"{len(outcomes) - failed} built or up to date, {failed} failed")


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    "project",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write mkdocs.yml and docs/ into.",
)
@paper_option
@templates_option
@edition_option
def export(
    file: Path, project: Path, paper: str, templates: tuple[Path, ...], edition: str | None
) -> None:
    """Write the client's MkDocs project (mkdocs.yml, docs/), to build with plain mkdocs.

    \b
    Example:
        crisisplan export client.yaml -o project/ && mkdocs build -f project/mkdocs.yml
    """
    from .build import export_project

    config_file = export_project(file, project, templates, paper=paper, edition=edition)
    click.echo(f"Wrote {config_file} and {project / 'docs'}/")


@cli.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-a", "--address", default="127.0.0.1:8000", show_default=True, help="IP:PORT to serve on."
)
@templates_option
@edition_option
def serve(
    file: Path | None, address: str, templates: tuple[Path, ...], edition: str | None
) -> None:
    """Preview a handbook, rebuilding when the questionnaire, a template or a theme changes.

    Without FILE, serves the bundled example.

    \b
    Example:
        crisisplan serve clients/kopi-nusantara.yaml -a 127.0.0.1:8001
    """
    from .serve import serve as run

    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise CrisisplanError(
            f"Error: --address {address!r} is not IP:PORT, such as 127.0.0.1:8000."
        )
    run(
        file or resources.example(), host=host, port=int(port), overrides=templates, edition=edition
    )


#: The cyclic garbage collector's generation-0 threshold for the command. Laying out a page
#: allocates hundreds of thousands of short-lived objects, nearly all freed by reference
#: counting; at Python's default of 700 the collector walked the heap thousands of times a
#: build (mypy sets the same). Set once for the process here, never by a library call.
GC_THRESHOLD = (200_000, 30, 30)


def main() -> None:
    """The ``crisisplan`` command: the process-wide settings, then the command line."""
    gc.set_threshold(*GC_THRESHOLD)
    # SIGTERM (what CI runners, systemd and `kill` send) stops a build as Ctrl-C does: every
    # work folder and process is cleaned up on the way out, and the previous output stays.
    signal.signal(signal.SIGTERM, _terminate)
    cli(prog_name="crisisplan")


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
