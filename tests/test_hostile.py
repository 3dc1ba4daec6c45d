"""Hostile input: every injection string from a questionnaire stays literal and inert.

One questionnaire carries an attack corpus in every free-text field (the fields come from the
model: tests/questionnaires.py); it is built once (site and PDF) and each case is checked in the
pages' content, the site's HTML and the PDF's text. test_attack.py opens the pages in Chromium.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pypdf
import pytest
import tinyhtml5
import yaml
from questionnaires import Payloads, questionnaire

from crisisplan.build import Options, build_handbook, export_project
from crisisplan.csp import script_hashes
from crisisplan.errors import BuildError, QuestionnaireError
from crisisplan.questionnaire import load_questionnaire

CORPUS = [
    "<script>alert('s1')</script>",
    '<img src=x onerror="alert(2)">',
    "<svg onload=alert(3)>",
    '<iframe src="https://evil.example/"></iframe>',
    "</style><style>body{display:none}</style>",
    "[click me](javascript:alert(4))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCg1KTwvc2NyaXB0Pg==)",
    "[file](file:///etc/passwd)",
    "![secret](/etc/passwd)",
    "# Not a heading",
    "--- not a rule",
    "| not | a | table |",
    '!!! danger "not an admonition"',
    '--8<-- "/etc/passwd"',
    "{{ 7*7 }} and {% for x in range(3) %}loop{% endfor %}",
    "{: onclick=alert(6) }",
    "<https://autolink.example/>",
    "&lt;already escaped&gt; &amp; &#60;b&#62;",
    "*emphasis* __strong__ `code` ~~del~~",
    "javascript:alert(7)",
]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("hostile")
    # every free-text field of the model, each threat's title a different string of the corpus
    data = questionnaire(Payloads(CORPUS), sizes={"threats": len(CORPUS)})
    path = folder / "questionnaire.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = build_handbook(path, folder / "out")
    return result.output, data


def visible_text(page: Path) -> str:
    """The article's text as a reader sees it (tags gone, references decoded)."""
    document = tinyhtml5.parse(page.read_text(encoding="utf-8"))
    article = next(
        el for el in document.iter() if el.get("class", "").startswith("md-content__inner")
    )
    return " ".join("".join(article.itertext()).split())


def test_every_string_appears_literally_in_the_site(hostile):
    site, _ = hostile
    text = " ".join(visible_text(p) for p in site.rglob("*.html") if p.name != "404.html")
    for needle in CORPUS:
        assert " ".join(needle.split()) in text, needle


def test_nothing_in_the_content_is_live(hostile):
    site, _ = hostile
    for page in site.rglob("*.html"):
        document = tinyhtml5.parse(page.read_text(encoding="utf-8"))
        article = [
            el for el in document.iter() if el.get("class", "").startswith("md-content__inner")
        ]
        for root in article:
            for el in root.iter():
                tag = el.tag.rsplit("}", 1)[-1]
                assert tag not in ("script", "iframe", "img", "style", "object", "embed", "form"), (
                    page
                )
                for name, value in el.attrib.items():
                    assert not name.lower().startswith("on"), (page, name)
                    if name in ("href", "src"):
                        assert not re.match(r"\s*(javascript|data|file|vbscript):", value, re.I), (
                            page,
                            value,
                        )


def test_templates_never_evaluate_values(hostile):
    site, _ = hostile
    all_text = " ".join(visible_text(p) for p in site.rglob("*.html"))
    assert "{{ 7*7 }} and {% for x in range(3) %}loop{% endfor %}" in all_text
    assert "looplooploop" not in all_text


def test_every_string_appears_literally_in_the_pdf(hostile):
    site, _ = hostile
    pdf = next(site.glob("*.pdf"))
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in pypdf.PdfReader(pdf).pages)
    squashed = text.replace(" ", "")
    for needle in CORPUS:
        # Lines wrap anywhere in a PDF: compare without spaces.
        assert needle.replace(" ", "") in squashed, needle


def test_pages_carry_a_strict_content_security_policy_first(hostile):
    site, _ = hostile
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        head = text[: text.index("</head>")]
        policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', head)
        assert policy, page
        # first in <head>: nothing but the character set before it, the <title> after it
        before = head[: policy.start()]
        assert re.sub(r"\s+", "", before).endswith('<head><metacharset="utf-8"><meta'), page
        directives = dict(d.strip().split(" ", 1) for d in policy.group(1).split(";"))
        assert directives["default-src"] == "'self'"
        assert directives["object-src"] == directives["base-uri"] == "'none'"
        assert directives["form-action"] == "'none'"
        assert "unsafe" not in directives["script-src"] and "http" not in policy.group(1)
        allowed = set(re.findall(r"'sha256-[^']+'", directives["script-src"]))
        assert allowed == set(script_hashes(text)), page  # every inline script, and no other
    headers = (site / "_headers").read_text(encoding="utf-8")
    assert headers.startswith("/*\n  Content-Security-Policy: default-src 'self';")
    assert "frame-ancestors 'none'" in headers and "X-Content-Type-Options: nosniff" in headers


@pytest.mark.parametrize(
    "logo",
    [
        "/etc/passwd",
        "../outside.svg",
        "link.svg",
        "file:///etc/hosts",
        "https://evil.example/logo.svg",
        "C:\\logo.svg",
    ],
)
def test_files_outside_the_folder_are_refused(tmp_path, logo):
    folder = tmp_path / "client"
    folder.mkdir()
    (tmp_path / "outside.svg").write_text(
        "<svg xmlns='http://www.w3.org/2000/svg'/>", encoding="utf-8"
    )
    (folder / "link.svg").symlink_to(tmp_path / "outside.svg")
    path = folder / "q.yaml"
    path.write_text(
        yaml.safe_dump({"company": {"name": "X"}, "brand": {"logo": logo}}), encoding="utf-8"
    )
    with pytest.raises(QuestionnaireError) as info:
        load_questionnaire(path)
    line = info.value.format_message().splitlines()[0]
    assert re.match(re.escape(str(path)) + r":\d+:\d+: brand\.logo: ", line), line


@pytest.mark.parametrize(
    "payload",
    [
        '<link rel="attachment" href="file:///etc/passwd">',
        '<img src="file:///etc/passwd">',
        '<img src="http://127.0.0.1:9/pixel.png">',
        "<style>@import url('http://127.0.0.1:9/x.css');</style>",
        "<style>body { background: url('file:///etc/hostname') }</style>",
        '<img src="https://httpbin.example/redirect-to?url=file:///etc/passwd">',
    ],
)
def test_a_print_override_cannot_fetch_anything_outside(tmp_path, payload):
    agency = tmp_path / "agency"
    (agency / "themes" / "print").mkdir(parents=True)
    (agency / "themes" / "print" / "print.html").write_text(
        "<html><body><h1>x</h1>" + payload + "</body></html>",
        encoding="utf-8",
    )
    path = tmp_path / "q.yaml"
    path.write_text("company:\n  name: Toko\n", encoding="utf-8")
    with pytest.raises(BuildError) as info:
        build_handbook(path, tmp_path / "out", Options(site=False, templates=(agency,)))
    message = info.value.format_message()
    url = re.search(r"(file|https?)://[^'\")]+", payload).group(0)
    assert f"may not load '{url}" in message, message
    assert not (tmp_path / "out" / "toko").exists()


def test_export_mkdocs_yml_holds_questionnaire_text_as_data(tmp_path):
    path = tmp_path / "q.yaml"
    evil = "!!python/object/apply:os.system ['touch pwned'] !ENV HOME <b>x</b>"
    path.write_text(yaml.safe_dump({"company": {"name": evil}}), encoding="utf-8")
    config = export_project(path, tmp_path / "project").config_file
    text = config.read_text(encoding="utf-8")
    loaded = yaml.safe_load(text)
    assert html.unescape(loaded["site_name"]).startswith(evil)
    assert "<b>" not in text
    assert not (tmp_path / "pwned").exists()
