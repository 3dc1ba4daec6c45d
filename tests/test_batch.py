"""Agencies: many clients per run, the cache, safe output folders and template overrides."""

from __future__ import annotations

import os
import re
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import write_tree

from crisisplan.build import Options, build_handbook, build_many, export_project
from crisisplan.cli import cli
from crisisplan.errors import BuildError, TemplateError
from crisisplan.text import slug_for

SITE = Options(pdf=False)


def client(folder: Path, name: str, company: str, extra: str = "") -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(f"company:\n  name: {company}\n" + textwrap.dedent(extra), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Kopi Nusantara", "kopi-nusantara"),
        ("../../etc", "etc"),
        ("CON", "client-con"),
        ("☕🔥", "coffee-fire"),
        ("Кофе Москва", "kofe-moskva"),
        ("株式会社コーヒー", "zhushihuishekohi"),
        ("\u202e", "client"),
        ("Café Déjà Vu", "cafe-deja-vu"),
        ("..", "client"),
        ("a/b\\c", "a-b-c"),
    ],
)
def test_slugs_are_safe_and_never_empty(name, slug):
    assert slug_for(name) == slug


def test_many_clients_one_failing(tmp_path):
    clients = tmp_path / "clients"
    clients.mkdir()
    client(clients, "a", "Toko Satu")
    client(clients, "b", "Toko Dua", "brand:\n  colour: red\n")
    (clients / "c").mkdir()
    client(clients / "c", "questionnaire", "Toko Tiga")
    result = CliRunner().invoke(
        cli, ["build", str(clients), "-o", str(tmp_path / "out"), "--no-pdf", "-j", "2"]
    )
    assert result.exit_code == 1
    assert "b.yaml:4:3: brand.colour: unknown key 'colour'" in result.output
    assert (tmp_path / "out" / "toko-satu" / "index.html").is_file()
    assert (tmp_path / "out" / "toko-tiga" / "index.html").is_file()
    assert not (tmp_path / "out" / "toko-dua").exists()
    assert "2 built or up to date, 1 failed" in result.output
    counters = re.findall(r"^\[(\d+)/3\]", result.output, re.M)
    assert sorted(counters) == ["1", "2", "3"]  # each client counted once


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("broken", ["build_handbook", "load_questionnaire"])
def test_a_client_that_crashes_fails_alone_in_one_line(tmp_path, monkeypatch, jobs, broken):
    """A bug met by one client (here an exception crisisplan does not expect) is that client's
    failure, in one line: the others are built and the summary is printed, in one process or
    in a pool of them."""
    import crisisplan.build

    real = getattr(crisisplan.build, broken)

    def crashing(path, *args, **kwargs):  # also runs in the pool's forked processes
        if Path(path).name == "b.yaml":
            raise RuntimeError("boom\nTraceback (most recent call last):")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(crisisplan.build, broken, crashing)
    for name, company in (("a", "Toko Satu"), ("b", "Toko Dua"), ("c", "Toko Tiga")):
        client(tmp_path, name, company)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["build", str(tmp_path), "-o", str(out), "--no-pdf", "-j", jobs]
    )
    assert result.exit_code == 1
    assert not isinstance(result.exception, RuntimeError)
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert errors == [
        f"Error: {tmp_path / 'b.yaml'}: crisisplan failed unexpectedly (RuntimeError: boom);"
        " nothing was written for it. Please report this as a bug."
    ]
    assert "Traceback" not in result.output
    assert (out / "toko-satu" / "index.html").is_file()
    assert (out / "toko-tiga" / "index.html").is_file()
    assert re.search(
        rf"^{re.escape(str(tmp_path / 'b.yaml'))}\s+-\s+-\s+-\s+-\s+failed$", result.stdout, re.M
    )
    assert result.stdout.rstrip().endswith("2 built or up to date, 1 failed")


@pytest.mark.parametrize(
    ("clients", "jobs", "every_core"),
    [(1, None, True), (1, 2, True), (1, 1, False), (3, 1, False), (3, 2, False)],
)
def test_jobs_decides_whether_a_client_uses_every_core(
    tmp_path, monkeypatch, clients, jobs, every_core
):
    record = tmp_path / "seen.txt"

    def fake_build(path, outdir, options):  # also runs in the pool's forked processes
        with record.open("a", encoding="utf-8") as f:
            f.write(f"{options.side_by_side}\n")
        raise BuildError("Error: not built in this test")

    monkeypatch.setattr("crisisplan.build.build_handbook", fake_build)
    monkeypatch.setattr("crisisplan.build.cores", lambda: 2)
    paths = [client(tmp_path, f"c{i}", f"Toko {i}") for i in range(clients)]
    outcomes = build_many(paths, tmp_path / "out", SITE, jobs=jobs)
    assert [o.error for o in outcomes] == ["Error: not built in this test"] * clients
    assert record.read_text(encoding="utf-8").split() == [str(every_core)] * clients


def test_two_companies_with_the_same_slug_are_refused(tmp_path):
    a = client(tmp_path, "a", "Toko Maju")
    b = client(tmp_path, "b", "TOKO  maju!")
    outcomes = build_many([a, b], tmp_path / "out", SITE, jobs=1)
    assert all(o.error and "would be built into toko-maju/" in o.error for o in outcomes)
    assert not (tmp_path / "out" / "toko-maju").exists()


def test_two_questionnaires_of_one_company_built_at_once_are_both_refused(tmp_path):
    """A handbook is the company's, wherever its questionnaire lies: two copies of it given
    at once would replace each other, so neither is built."""
    a = client(tmp_path, "a", "Toko Maju")
    b = client(tmp_path, "b", "Toko Maju")
    outcomes = build_many([a, b], tmp_path / "out", SITE, jobs=1)
    assert all(o.error and "would be built into toko-maju/" in o.error for o in outcomes)
    assert not (tmp_path / "out" / "toko-maju").exists()


def test_unchanged_clients_are_not_rebuilt(tmp_path):
    a = client(tmp_path, "a", "Toko Satu")
    b = client(tmp_path, "b", "Toko Dua")
    first = build_many([a, b], tmp_path / "out", SITE, jobs=2)
    assert [o.result.skipped for o in first] == [False, False]
    index_b = tmp_path / "out" / "toko-dua" / "index.html"
    stamp = index_b.stat().st_mtime_ns
    second = build_many([a, b], tmp_path / "out", SITE, jobs=1)
    assert [o.result.skipped for o in second] == [True, True]
    a.write_text(a.read_text(encoding="utf-8") + "  industry: Hardware\n", encoding="utf-8")
    third = build_many([a, b], tmp_path / "out", SITE, jobs=1)
    assert [o.result.skipped for o in third] == [False, True]
    assert index_b.stat().st_mtime_ns == stamp
    assert "Hardware" in (tmp_path / "out" / "toko-satu" / "about.html").read_text(encoding="utf-8")
    forced = build_many([a, b], tmp_path / "out", Options(pdf=False, force=True), jobs=1)
    assert [o.result.skipped for o in forced] == [False, False]


def test_a_changed_logo_invalidates_the_cache(tmp_path):
    (tmp_path / "logo.svg").write_text(
        "<svg xmlns='http://www.w3.org/2000/svg'/>", encoding="utf-8"
    )
    a = client(tmp_path, "a", "Toko Satu", "brand:\n  logo: logo.svg\n")
    assert not build_handbook(a, tmp_path / "out", SITE).skipped
    assert build_handbook(a, tmp_path / "out", SITE).skipped
    (tmp_path / "logo.svg").write_text(
        "<svg xmlns='http://www.w3.org/2000/svg'><g/></svg>", encoding="utf-8"
    )
    assert not build_handbook(a, tmp_path / "out", SITE).skipped


def test_foreign_output_folders_are_refused_and_left_alone(tmp_path):
    a = client(tmp_path, "a", "Toko Satu")
    out = tmp_path / "out"
    out.mkdir()
    (out / "precious.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(BuildError, match="did not make"):
        build_handbook(a, out, SITE)
    assert sorted(os.listdir(out)) == ["precious.txt"]
    # A client folder that exists but was not made by crisisplan is refused too.
    out2 = tmp_path / "out2"
    (out2 / "toko-satu").mkdir(parents=True)
    (out2 / ".crisisplan").touch()
    (out2 / "toko-satu" / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(BuildError, match="did not make"):
        build_handbook(a, out2, SITE)
    assert (out2 / "toko-satu" / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_agency_override_extends_the_builtin_template(tmp_path):
    agency = tmp_path / "agency"
    write_tree(
        agency,
        {
            "content/en/about.md": '{% include "default:about.md" %}\n\nPrepared with care by the Ombak crisis desk.\n'
        },
    )
    a = client(tmp_path, "a", "Toko Satu")
    result = build_handbook(a, tmp_path / "out", Options(pdf=False, templates=(agency,)))
    about = (result.output / "about.html").read_text(encoding="utf-8")
    assert "Ombak crisis desk" in about
    assert "Next review" in about


def test_the_first_template_folder_named_wins(tmp_path):
    first, second = tmp_path / "client-overrides", tmp_path / "agency"
    write_tree(first, {"content/en/about.md": "# About\n\nClient version\n"})
    write_tree(
        second,
        {
            "content/en/about.md": "# About\n\nAgency version\n",
            "content/en/preparation/drill.md": "# Tabletop drill\n\nAgency drill\n",
        },
    )
    a = client(tmp_path, "questionnaire", "Toko Satu")
    result = build_handbook(a, tmp_path / "out", Options(pdf=False, templates=(first, second)))
    about = (result.output / "about.html").read_text(encoding="utf-8")
    assert "Client version" in about and "Agency version" not in about
    assert "Agency drill" in (result.output / "preparation" / "drill.html").read_text("utf-8")


@pytest.mark.parametrize(
    "payload",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ hb.__class__.__init__.__globals__ }}",
        "{{ s.__class__.__base__ }}",
    ],
)
def test_overrides_cannot_reach_python_internals(tmp_path, payload):
    agency = tmp_path / "agency"
    write_tree(agency, {"content/en/about.md": f"# About\n\n{payload}\n"})
    a = client(tmp_path, "a", "Toko Satu")
    with pytest.raises(TemplateError) as info:
        build_handbook(a, tmp_path / "out", Options(pdf=False, templates=(agency,)))
    assert "about.md:3:1" in info.value.format_message()
    assert not (tmp_path / "out" / "toko-satu").exists()


def test_print_theme_override_is_used(tmp_path):
    agency = tmp_path / "agency"
    write_tree(
        agency, {"themes/print/print.css": "@import url('default.css');\nh1 { color: red }\n"}
    )
    a = client(tmp_path, "a", "Toko Satu")
    export_project(a, tmp_path / "project", [agency])
    html = (tmp_path / "project" / "print.html").read_text(encoding="utf-8")
    assert (agency / "themes" / "print" / "print.css").resolve().as_uri() in html


def test_overrides_can_add_stylesheets_to_site_and_print(tmp_path):
    agency = tmp_path / "agency"
    write_tree(
        agency,
        {
            "themes/material/assets/stylesheets/extra.css": ".md-header { border-bottom: 4px solid gold; }\n"
        },
    )
    write_tree(agency, {"themes/print/extra.css": "h1 { color: #123456 }\n"})
    a = client(tmp_path, "a", "Toko Satu")
    result = build_handbook(a, tmp_path / "out", Options(pdf=False, templates=(agency,)))
    page = (result.output / "response" / "index.html").read_text(encoding="utf-8")
    assert 'href="../assets/stylesheets/extra.css"' in page
    assert "gold" in (result.output / "assets" / "stylesheets" / "extra.css").read_text(
        encoding="utf-8"
    )
    export_project(a, tmp_path / "project", [agency])
    html = (tmp_path / "project" / "print.html").read_text(encoding="utf-8")
    assert (agency / "themes" / "print" / "extra.css").resolve().as_uri() in html
    assert html.index("print/print.css") < html.index("print/extra.css")


def test_a_site_theme_override_extends_the_builtin_main_html(tmp_path):
    agency = tmp_path / "agency"
    write_tree(
        agency,
        {
            "themes/material/main.html": '{% extends "default/main.html" %}\n{% block announce %}{{ super() }} Agency hotline{% endblock %}\n'
        },
    )
    a = client(tmp_path, "a", "Toko Satu")
    result = build_handbook(a, tmp_path / "out", Options(pdf=False, templates=(agency,)))
    page = (result.output / "index.html").read_text(encoding="utf-8")
    assert "Agency hotline" in page
    assert "cp-confidential" in page  # the built-in block is still there through super()


def test_deleted_output_is_rebuilt(tmp_path):
    a = client(tmp_path, "a", "Toko Satu")
    first = build_handbook(a, tmp_path / "out", SITE)
    (first.output / "index.html").unlink()
    again = build_handbook(a, tmp_path / "out", SITE)
    assert not again.skipped
    assert (again.output / "index.html").is_file()


def test_an_empty_folder_is_an_error(tmp_path):
    (tmp_path / "clients").mkdir()
    result = CliRunner().invoke(
        cli, ["build", str(tmp_path / "clients"), "-o", str(tmp_path / "out")]
    )
    assert result.exit_code == 1
    assert "no questionnaires found" in result.output
    assert not (tmp_path / "out").exists()
