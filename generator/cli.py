"""The command line: each command parses its arguments, calls one library function, prints."""

from __future__ import annotations

import gc
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__, i18n, resources
from .choices import ENGINES, LANGUAGES, PAPER
from .errors import CrisisplanError, Problem, QuestionnaireError, os_error, visible
from .i18n import _, ngettext

SCHEMA_FILE = "crisisplan.schema.json"

#: How much a command says on stderr: 0 with --quiet (errors only), 1 by default, 2 with
#: --verbose (also what each build wrote, or what each questionnaire took from defaults).
_verbosity = 1


def _set_verbosity(level: int) -> Any:
    def callback(ctx: click.Context, param: click.Parameter, value: bool) -> None:
        global _verbosity
        if not value:
            return
        chosen = ctx.meta.setdefault("crisisplan.talk", set())
        chosen.add(level)
        if len(chosen) > 1:
            raise click.UsageError("-q/--quiet and -v/--verbose cannot be used together.")
        _verbosity = level

    return callback


#: The options every command takes, and the verbosity each sets.
TALK = (
    ("-q", "--quiet", 0, "Print errors only."),
    ("-v", "--verbose", 2, "Print more (what was written, what came from built-in defaults)."),
)


def talk_options(command: Any) -> Any:
    """``-q/--quiet`` and ``-v/--verbose``, which every command takes."""
    for short, long, level, text in reversed(TALK):
        command = click.option(
            short,
            long,
            is_flag=True,
            expose_value=False,
            is_eager=True,
            callback=_set_verbosity(level),
            help=text,
        )(command)
    return command


def say(message: str, *, level: int = 1, err: bool = True) -> None:
    """Print ``message`` if the verbosity reaches ``level``."""
    if _verbosity >= level:
        click.echo(visible(message), err=err)  # a file's name may hold a terminal's escape


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="crisisplan")
def cli() -> None:
    """Turn a company questionnaire (YAML) into a social-media crisis handbook: a website and a PDF.

    \b
    Example:
        crisisplan init client.yaml       # write a starter questionnaire
        crisisplan validate client.yaml   # check it like a compiler
        crisisplan build client.yaml      # site/<company>/: website and PDF
    """
    global _verbosity
    _verbosity = 1  # each command starts at the default; its -q or -v sets it


_F = TypeVar("_F", bound=Callable[..., Any])


def format_option(text: str) -> Callable[[_F], _F]:
    """``--format text|json``, which validate and build take."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["text", "json"]),
        default="text",
        show_default=True,
        help=text,
    )


@cli.command(short_help="Check questionnaires; every problem as FILE:LINE:COL.")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@format_option("json: one JSON document on stdout, for CI and editors.")
@talk_options
def validate(files: tuple[Path, ...], strict: bool, fmt: str) -> None:
    """Check questionnaires and report every problem as FILE:LINE:COL: field: message.

    FILES are questionnaires or folders of them, as for build. Exits 1 if any file has an
    error (or, with --strict, a warning).

    \b
    Example:
        crisisplan validate clients/
        crisisplan validate clients/acme.yaml --format json
    """
    import json

    from .build import questionnaires

    found = questionnaires(files)
    if not found:
        raise CrisisplanError(
            "Error: no questionnaires found (*.yaml, *.yml or */questionnaire.yaml)."
        )
    report = [_validate_one(file, strict, fmt) for file in found]
    failed = sum(not entry["valid"] for entry in report)
    if fmt == "json":
        click.echo(json.dumps({"valid": not failed, "files": report}, indent=1))
    if failed:
        raise SystemExit(1)


@i18n.in_its_language
def _validate_one(file: Path, strict: bool, fmt: str) -> dict[str, Any]:
    """Check one questionnaire, print what ``validate`` says of it (in its language), and
    return its entry of ``--format json``."""
    from .questionnaire import load_questionnaire

    if not file.exists():  # said as build says it; the other files are still checked
        if fmt == "text":
            click.echo(f"Error: {file}: {_NO_SUCH}", err=True)
        return _validated(file, False, [Problem(str(file), 1, 1, "", _NO_SUCH)])
    try:
        loaded = load_questionnaire(file)
    except QuestionnaireError as exc:
        if fmt == "text":  # with --quiet, the errors only
            shown = [p for p in exc.problems if not p.warning or _verbosity >= 1]
            QuestionnaireError(exc.checked().message, shown).show()
        return _validated(file, False, exc.problems)
    warnings = sorted(loaded.warnings)
    valid = not (strict and warnings)
    entry = _validated(file, valid, warnings, sorted(loaded.defaulted))
    if fmt == "json":
        return entry
    for warning in warnings:  # under --strict they are errors: shown even with --quiet
        say(str(warning), level=1 if valid else 0)
    n = len(warnings)
    if not valid:
        click.echo(
            ngettext(
                "Error: {n} warning in {file} (--strict).",
                "Error: {n} warnings in {file} (--strict).",
                n,
                file=file,
            ),
            err=True,
        )
        return entry
    say(
        ngettext("{file}: valid ({n} warning)", "{file}: valid ({n} warnings)", n, file=file),
        err=False,
    )
    if loaded.defaulted:
        say(
            _("  from built-in defaults: {sections}", sections=", ".join(sorted(loaded.defaulted))),
            level=2,
        )
    return entry


_NO_SUCH = "no such file or folder"  # said of a file that is not there: its language is unknown


def _named_exist(files: tuple[Path, ...]) -> None:
    """Each file or folder named on the command line exists: one line for each that does not."""
    missing = [file for file in files if not file.exists()]
    if missing:
        raise CrisisplanError("\n".join(f"Error: {file}: {_NO_SUCH}" for file in missing))


def _validated(
    file: Path, valid: bool, problems: list[Any], defaulted: list[str] | None = None
) -> dict[str, Any]:
    """One questionnaire's result as ``validate --format json`` prints it."""

    return {
        "file": str(file),
        "valid": valid,
        "errors": [_problem(p) for p in problems if not p.warning],
        "warnings": [_problem(p) for p in problems if p.warning],
        "defaulted": defaulted or [],
    }


def _problem(p: Any) -> dict[str, Any]:
    """One problem as the commands' JSON gives it."""
    return {"line": p.line, "column": p.col, "field": p.path, "message": p.message}


@cli.command(short_help="Print the questionnaire's JSON Schema.")
@talk_options
def schema() -> None:
    """Print the questionnaire's JSON Schema, for editors and validators.

    \b
    Example:
        crisisplan schema > crisisplan.schema.json
    """
    from .schema import json_schema_text

    click.echo(json_schema_text(), nl=False)


@cli.command(short_help="Print the questionnaire reference: every field, explained.")
@talk_options
def fields() -> None:
    """Print the questionnaire reference (Markdown): every section and field, its type, its
    default and what it is for.

    \b
    Example:
        crisisplan fields > questionnaire-reference.md
    """
    from .reference import markdown

    click.echo(markdown(), nl=False)


@cli.command(short_help="Write a starter questionnaire and its JSON Schema.")
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
@talk_options
def init(path: Path, language: str) -> None:
    """Write a commented starter questionnaire (and its JSON Schema beside it).

    The first line points editors at the schema, so fields complete and check as you type.
    Refuses to overwrite an existing file.

    \b
    Example:
        crisisplan init clients/new-client.yaml
    """
    with i18n.speaking(language):
        try:
            _init(path, language)
        except OSError as exc:  # a folder it may not write, a full disk: one line
            raise os_error(exc, unchanged=False) from None


def _init(path: Path, language: str) -> None:
    from .schema import json_schema_text

    if path.exists():
        raise CrisisplanError(_("Error: {path} already exists; nothing was written.", path=path))
    starter = (resources.content_dir() / language / "starter.yaml").read_text(encoding="utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    schema_path = path.parent / SCHEMA_FILE
    header = f"# yaml-language-server: $schema=./{SCHEMA_FILE}\n"
    with path.open("x", encoding="utf-8") as fh:
        fh.write(header + starter)
    schema_text = json_schema_text()
    kept = schema_path.exists() and not _ours(schema_path)
    if not kept:  # a schema crisisplan wrote is brought up to date
        schema_path.write_text(schema_text, encoding="utf-8")
    wrote = (
        _(
            "Wrote {path}; kept the JSON Schema {schema} (editors use it to complete and check"
            " fields).",
            path=path,
            schema=schema_path,
        )
        if kept
        else _(
            "Wrote {path} and its JSON Schema {schema} (editors use it to complete and check"
            " fields).",
            path=path,
            schema=schema_path,
        )
    )
    click.echo(
        wrote
        + "\n"
        + _("Fill it in, then run: crisisplan validate {path}", path=path)
        + "\n"
        + _("'crisisplan fields' explains every field, 'crisisplan COMMAND --help' a command.")
    )


def _ours(schema_path: Path) -> bool:
    """Whether an existing schema file was written by crisisplan (then it is replaced)."""
    try:
        return '"title": "crisisplan questionnaire"' in schema_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False


paper_option = click.option(
    "--paper",
    type=click.Choice(list(PAPER)),
    default="a4",
    show_default=True,
    help="Paper size of the PDF.",
)
EDITION_HELP = (
    "This edition, whatever the questionnaire's handbook.edition says: internal (with personal"
    " contact details) or public (without)."
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


def _shard(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    if value is None:
        return None
    k, slash, n = value.partition("/")
    if not (slash and k.isdigit() and n.isdigit() and 1 <= int(k) <= int(n)):
        raise click.BadParameter(f"{value!r} is not K/N with 1 <= K <= N, such as 2/4.")
    return int(k), int(n)


@cli.command(short_help="Build each client's website and PDF into OUTDIR/<slug>/.")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    "outdir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("site"),
    show_default=True,
    help="Output folder; each client gets OUTDIR/<slug>/.",
)
@click.option(
    "--no-pdf",
    is_flag=True,
    help="Build only the site; a PDF already there is kept (and linked while it is current).",
)
@click.option("--no-site", is_flag=True, help="Build only the PDF; a site already there is kept.")
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
    help=(
        "Site generator. zensical needs crisisplan's zensical extra (from a checkout: pip install"
        " '.[zensical]')."
    ),
)
@click.option(
    "--edition",
    type=click.Choice(["internal", "public", "both"]),
    default=None,
    help=EDITION_HELP
    + " internal goes to OUTDIR/<slug>/, public to OUTDIR/<slug>-public/; both: the two, each"
    " PDF named after its edition.",
)
@click.option(
    "--force", is_flag=True, help="Rebuild every client, even those whose inputs have not changed."
)
@click.option(
    "--protect",
    is_flag=True,
    help=(
        "Encrypt the site (pages and search) and the PDF with a passphrase from"
        " CRISISPLAN_PASSPHRASE, else typed at a prompt; always rebuilds."
    ),
)
@click.option(
    "--strict", is_flag=True, help="Do not build a client whose questionnaire has warnings."
)
@click.option(
    "--shard",
    metavar="K/N",
    callback=_shard,
    help=(
        "Build only the K-th of N stable shares of the clients (by folder name), so that N CI"
        " jobs build every client once between them (docs/ci.md)."
    ),
)
@click.option("--open", "open_", is_flag=True, help="Open the first handbook built in a browser.")
@format_option(
    "json: one JSON document on stdout instead of the table, with every path written, for"
    " scripts (docs/output.md)."
)
@talk_options
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
    strict: bool,
    shard: tuple[int, int] | None,
    open_: bool,
    fmt: str,
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
    import json

    from .build import Options, build_many

    _named_exist(files)
    inputs = files or (resources.example(),)
    language = _batch_language(inputs)  # each client's own lines are in its language
    if no_pdf and no_site:
        with i18n.speaking(language):
            raise CrisisplanError(
                _("Error: --no-pdf and --no-site together leave nothing to build.")
            )
    passphrase = None
    if protect:
        from . import protect as protection

        with i18n.speaking(language):
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
        strict=strict,
    )
    with i18n.speaking(language):
        say(
            _(
                "Building into {outdir}/ (share {k} of {n}) ...",
                outdir=outdir,
                k=shard[0],
                n=shard[1],
            )
            if shard
            else _("Building into {outdir}/ ...", outdir=outdir)
        )
        editions: tuple[str | None, ...] = (
            ("internal", "public") if edition == "both" else (edition,)
        )
        outcomes = build_many(
            inputs, outdir, options, jobs=jobs, progress=_progress, editions=editions, shard=shard
        )
        if fmt == "json":
            click.echo(json.dumps(_built(outcomes), indent=1))
        if not outcomes:
            say(
                _("Nothing to build in share {k} of {n}.", k=shard[0], n=shard[1])
                if shard
                else _("Nothing to build.")
            )
            return
        if _verbosity >= 1 and fmt == "text":
            _summary(outcomes)
    built = [o.result for o in outcomes if o.result]
    if open_ and built:
        _open((built[0].output / "index.html") if options.site else built[0].pdf)
    if any(o.error for o in outcomes):
        raise SystemExit(1)


def _built(outcomes: list[Any]) -> dict[str, Any]:
    """What ``build --format json`` prints: each client's paths, counts and status."""

    def path(p: Path | None) -> str | None:
        return None if p is None else str(p)

    clients = []
    for o in outcomes:
        r = o.result
        status = "failed" if r is None else "up to date" if r.skipped else "built"
        clients.append(
            {
                "questionnaire": str(o.path),
                "edition": r.edition if r else o.edition,
                "status": status,
                "error": o.error,
                "output": path(r.output) if r else None,
                "site": path(r.output / "index.html") if r and r.pages else None,
                "pdf": path(r.pdf) if r else None,
                "calendar": path(r.calendar) if r else None,
                "pages": r.pages if r else None,
                "pdf_pages": r.pdf_pages if r and r.pdf else None,
                "warnings": [_problem(w) for w in r.warnings] if r else [],
                "stale": list(r.stale) if r else [],
                "notices": list(r.notices) if r else [],
            }
        )
    return {"ok": not any(o.error for o in outcomes), "clients": clients}


def _open(target: Path | str | None) -> None:
    """Open a built handbook (a file) or the preview (an address) in the default browser."""
    if target is not None:
        click.launch(str(target))


def _batch_language(inputs: tuple[Path, ...]) -> str:
    """The language of the lines about a whole batch: its clients', when they share one."""
    from .build import questionnaires

    try:
        found = {i18n.language_of(path) for path in questionnaires(inputs)}
    except CrisisplanError:  # said when the batch is built
        return i18n.DEFAULT
    return found.pop() if len(found) == 1 else i18n.DEFAULT


def _progress(outcome: Any, done: int, total: int) -> None:
    with i18n.speaking(outcome.language):
        _progress_lines(outcome, done, total)


def _progress_lines(outcome: Any, done: int, total: int) -> None:
    if outcome.error:
        click.echo(outcome.error, err=True)
        status = _("failed")
    else:
        for warning in outcome.result.warnings:
            say(str(warning))
        for notice in outcome.result.notices:
            say(f"{outcome.label}: {notice}")
        r = outcome.result
        status = _("up to date") if r.skipped else _("built in {seconds:.1f} s", seconds=r.seconds)
        say(
            ngettext("  {path}/: {n} page", "  {path}/: {n} pages", r.pages, path=r.output), level=2
        )
        if r.pdf:
            say(
                ngettext(
                    "  {path}: {n} page, {kib:.0f} KiB",
                    "  {path}: {n} pages, {kib:.0f} KiB",
                    r.pdf_pages,
                    path=r.pdf,
                    kib=r.pdf_size / 1024,
                ),
                level=2,
            )
        if r.calendar:
            say(_("  {path}: the exercise calendar", path=r.calendar), level=2)
    say(f"[{done}/{total}] {outcome.label}: {status}")


def _summary(outcomes: list[Any]) -> None:
    rows = [(_("client"), _("pages"), "PDF", _("warnings"), _("time"), _("status"))]
    for o in outcomes:
        r = o.result
        if r is None:
            rows.append((o.label, "-", "-", "-", "-", _("failed")))
            continue
        old = {half: _(" (out of date)") if half in r.stale else "" for half in ("site", "pdf")}
        pdf = f"{r.pdf_pages} p, {r.pdf_size / 1024:.0f} KiB{old['pdf']}" if r.pdf else "-"
        rows.append(
            (
                str(r.output),
                f"{r.pages}{old['site']}" if r.pages else "-",
                pdf,
                str(len(r.warnings)),
                _("{seconds:.1f} s", seconds=r.seconds),
                _("up to date") if r.skipped else _("built"),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for n, row in enumerate(rows):
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            click.echo("  ".join("-" * w for w in widths))
    for o in outcomes:
        for notice in o.result.notices if o.result else ():
            click.echo(f"{o.result.output}: {notice}")
    failed = sum(1 for o in outcomes if o.error)
    click.echo(
        _("{done} built or up to date, {failed} failed", done=len(outcomes) - failed, failed=failed)
    )


@cli.command(short_help="Write a client's MkDocs project, for plain mkdocs.")
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
@talk_options
def export(
    file: Path, project: Path, paper: str, templates: tuple[Path, ...], edition: str | None
) -> None:
    """Write the client's MkDocs project (mkdocs.yml, docs/), to build with plain mkdocs.

    \b
    Example:
        crisisplan export client.yaml -o project/
        mkdocs build -f project/mkdocs.yml
    """
    from .build import export_project

    try:
        exported = export_project(file, project, templates, paper=paper, edition=edition)
    except OSError as exc:  # a full disk, a folder it may not write: one line, as build says
        with i18n.speaking(i18n.language_of(file)):
            raise os_error(exc, unchanged=False) from None
    for warning in exported.warnings:  # as build shows them
        say(str(warning))
    with i18n.speaking(i18n.language_of(file)):
        say(
            _("Wrote {config} and {docs}/", config=exported.config_file, docs=project / "docs"),
            err=False,
        )


@cli.command(short_help="Preview a handbook, rebuilt when what it is made from changes.")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-a", "--address", default="127.0.0.1:8000", show_default=True, help="IP:PORT to serve on."
)
@templates_option
@edition_option
@click.option("--pdf", is_flag=True, help="Rebuild the PDF too, linked from every page.")
@click.option("--open", "open_", is_flag=True, help="Open the preview in a browser.")
@talk_options
def serve(
    file: Path | None,
    address: str,
    templates: tuple[Path, ...],
    edition: str | None,
    pdf: bool,
    open_: bool,
) -> None:
    """Preview a handbook, rebuilding when the questionnaire, a file it names (a logo), a
    template or a theme changes; other files beside the questionnaire (a log) rebuild nothing.

    Without FILE, serves the bundled example.

    \b
    Example:
        crisisplan serve clients/kopi-nusantara.yaml -a 127.0.0.1:8001
    """
    from .serve import serve as run

    host, _, port = address.rpartition(":")
    if not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise CrisisplanError(
            f"Error: --address {address!r} is not IP:PORT, such as 127.0.0.1:8000."
        )
    run(
        file or resources.example(),
        host=host,
        port=int(port),
        overrides=templates,
        edition=edition,
        pdf=pdf,
        ready=_open if open_ else None,
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
    try:
        cli(prog_name="crisisplan")
    finally:
        # The command is done and has cleaned up after itself (work folders, processes,
        # temporary files: each by its own context manager). The interpreter's last garbage
        # collection at exit would walk every object MkDocs, Material and the model made, only
        # to free memory the process is about to give back: a tenth of a second per build.
        gc.freeze()


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
