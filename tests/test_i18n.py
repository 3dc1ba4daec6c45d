"""The Bahasa Indonesia edition mirrors the English one: same files, keys, ids and anchors, no English."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from crisisplan import resources, schema, text
from crisisplan.defaults import defaults
from crisisplan.model import build_model
from crisisplan.questionnaire import load_questionnaire
from crisisplan.render import environment, render_pages
from crisisplan.site import config
from crisisplan.types import Duration

EN = resources.content_dir() / "en"
ID = resources.content_dir() / "id"
TEMPLATES = sorted(str(p.relative_to(EN)) for p in EN.rglob("*.md"))
# Every translation is checked against English: a new content/<code>/ folder is picked up here.
LANGUAGES = sorted(p.parent.name for p in resources.content_dir().glob("*/strings.yaml"))
OTHERS = [code for code in LANGUAGES if code != "en"]


def test_every_content_language_is_offered() -> None:
    assert set(LANGUAGES) >= {"en", "id"}
    assert list(schema.LANGUAGES) == LANGUAGES


def files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


# -- the same files, the same template logic ------------------------------------------------


@pytest.mark.parametrize("lang", OTHERS)
def test_every_file_exists_in_both_languages(lang: str) -> None:
    assert files(EN.parent / lang) == files(EN)


_STRING = re.compile(r'"[^"]*"')
_JINJA = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.S)


def skeleton(source: str) -> dict[str, list[str]]:
    """What must not change in a translation: anchors, links, statements and variables."""
    jinja = [_STRING.sub('""', j) for j in _JINJA.findall(source)]
    return {
        "anchors": re.findall(r"\{ #[\w-]+ \}", source),
        "links": re.findall(r"\]\(([^)\s]*)\)", source),
        "statements": [j for j in jinja if j.startswith("{%")],
        "variables": sorted({v for j in jinja for v in re.findall(r"\b[a-z_]\w*(?:\.\w+)+", j)}),
    }


@pytest.mark.parametrize("lang", OTHERS)
@pytest.mark.parametrize("name", TEMPLATES)
def test_templates_keep_anchors_links_and_logic(name: str, lang: str) -> None:
    en = skeleton((EN / name).read_text(encoding="utf-8"))
    ind = skeleton((EN.parent / lang / name).read_text(encoding="utf-8"))
    for part in en:
        assert ind[part] == en[part], f"{name}: {part} differ"


# -- strings.yaml and defaults.yaml -----------------------------------------------------------


def shape(value: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """Every key path with the type of its value: ``("units.hours", "list")``."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield f"{prefix}{key}", type(item).__name__
            yield from shape(item, f"{prefix}{key}.")


@pytest.mark.parametrize("lang", OTHERS)
def test_strings_have_the_same_keys(lang: str) -> None:
    other = sorted(shape(load(EN.parent / lang / "strings.yaml")))
    assert other == sorted(shape(load(EN / "strings.yaml")))


def test_indonesian_units_and_placeholders() -> None:
    s = load(ID / "strings.yaml")
    assert all(len(pair) == 2 and pair[0] == pair[1] for pair in s["units"].values())
    assert "{duration}" in s["within"]


@pytest.mark.parametrize("lang", OTHERS)
@pytest.mark.parametrize("section", ["audiences", "team", "severity_levels", "threats"])
def test_defaults_have_the_same_ids(section: str, lang: str) -> None:
    en, ind = load(EN / "defaults.yaml"), load(EN.parent / lang / "defaults.yaml")
    assert [item["id"] for item in ind[section]] == [item["id"] for item in en[section]]


# Fields whose values are prose; everything else (ids, references, scores, durations) must match.
PROSE = {
    "title", "tone", "do", "avoid", "name", "concerns", "role", "duties", "description",
    "triggers", "alert_when", "category", "warning_signs", "prevention", "facts_to_confirm",
    "actions", "back_to_normal_when",
}  # fmt: skip


def compare(en: Any, ind: Any, where: str = "") -> Iterator[str]:
    """The differences between two defaults outside their prose."""
    if isinstance(en, dict) and isinstance(ind, dict):
        if en.keys() != ind.keys():
            yield f"{where}: keys {sorted(en)} != {sorted(ind)}"
        for key in en.keys() & ind.keys():
            if key not in PROSE:
                yield from compare(en[key], ind[key], f"{where}.{key}")
    elif isinstance(en, list) and isinstance(ind, list) and len(en) == len(ind):
        for i, (a, b) in enumerate(zip(en, ind, strict=True)):
            yield from compare(a, b, f"{where}[{i}]")
    elif en != ind:
        yield f"{where}: {en!r} != {ind!r}"


@pytest.mark.parametrize("lang", OTHERS)
def test_defaults_differ_only_in_their_prose(lang: str) -> None:
    en = defaults("en").model_dump(mode="json", exclude={"company"})
    ind = defaults(lang).model_dump(mode="json", exclude={"company"})
    assert list(compare(en, ind)) == []


def test_indonesian_starter_validates() -> None:
    loaded = load_questionnaire(ID / "starter.yaml")
    assert loaded.questionnaire.handbook.language == "id"
    # only what is left to fill in: the examples, the starter's comments say so
    # (in the questionnaire's language)
    assert {w.message.split(":")[0] for w in loaded.warnings} == {"masih contoh dari templat awal"}


def test_indonesian_starter_threat_example_validates(tmp_path: Path) -> None:
    head, example = (ID / "starter.yaml").read_text(encoding="utf-8").split("# threats:")
    uncommented = "threats:" + re.sub(r"(?m)^# ?", "", example)
    (tmp_path / "q.yaml").write_text(head + uncommented, encoding="utf-8")
    assert [t.id for t in load_questionnaire(tmp_path / "q.yaml").questionnaire.threats or []] == [
        "keluhan-viral"
    ]


# -- durations, dates and the next update -----------------------------------------------------


def test_durations_in_indonesian() -> None:
    assert text.duration(Duration(2, "hours"), "id") == "2 jam"
    assert text.duration(Duration(1, "days"), "id") == "1 hari"
    assert text.duration(Duration(30, "minutes"), "id") == "30 menit"


def test_dates_in_indonesian() -> None:
    assert text.date(dt.date(2027, 1, 15), "id") == "15 Januari 2027"


@pytest.mark.parametrize("before", ["paling lambat", "sebelum", "pada", "pukul", "dalam"])
def test_next_update_after_an_indonesian_preposition(before: str) -> None:
    plain = text.fill_placeholders(
        f"Kabar berikutnya {before} {{next_update}}.", Duration(2, "hours"), "id"
    )
    assert plain == "Kabar berikutnya dalam 2 jam."


# -- no English left in a rendered Indonesian handbook ----------------------------------------

MINIMAL = """\
handbook: {language: id}
company: {name: Toko Maju}
"""

FULL = """\
handbook:
  language: id
  version: "2027.1"
  effective: 2027-01-15
  edition: internal
  prepared_by: Agensi Ombak Digital
company:
  name: Warung Sehat
  legal_name: PT Warung Sehat Sentosa
  industry: Restoran cepat saji
  headquarters: Bandung, Indonesia
  website: https://warungsehat.example
  summary: Jaringan 40 warung makan sehat di Jawa Barat.
  values: [Jujur soal bahan, Melayani dengan ramah]
audiences:
  - id: pelanggan
    name: Pelanggan setia
    priority: 1
    concerns: Keamanan makanan
    channels: [instagram, x, wa]
  - id: karyawan
    name: Karyawan dapur dan kasir
    priority: 1
    channels: [grup-staf]
channels:
  - id: instagram
    name: Instagram
    handle: "@warungsehat"
    followers: 125000
    owner: humas
    max_length: 2200
  - id: x
    name: X
    handle: https://x.example/warungsehat
    owner: humas
    max_length: 280
  - id: wa
    name: WhatsApp Layanan
    handle: "+62 811 2222 3333"
    owner: medsos
    max_length: 80
  - id: grup-staf
    name: Grup obrolan staf
    owner: humas
    internal: true
team:
  - id: humas
    role: Kepala humas
    name: Rina Marlina
    title: Manajer Komunikasi
    phone: "+62 812 1111 2222"
    email: rina@warungsehat.example
    backup: medsos
    duties: [Memimpin tim krisis]
  - id: medsos
    role: Admin media sosial
    name: Budi Santoso
    backup: humas
approvals:
  holding_statement: [humas]
  full_statement: [humas, medsos]
monitoring:
  tools: [Brand24]
  keywords: ["#warungsehat"]
threats:
  - id: keracunan
    title: Pelanggan keracunan makanan
    origin: internal
    category: keamanan pangan
    description: Beberapa pelanggan sakit perut setelah makan di satu cabang.
    likelihood: 2
    impact: 5
    severity: critical
    warning_signs: [Dua laporan sakit dari cabang yang sama]
    prevention: [Audit kebersihan dapur setiap bulan]
    facts_to_confirm: [Cabang dan menu mana]
    holding_statement: >
      Kami sudah menerima laporan dari cabang {cabang}. Menu {menu} kami tarik sementara.
      Kabar berikutnya paling lambat {next_update}.
    messages:
      x: Menu {menu} di cabang {cabang} kami tarik sementara. Kabar berikutnya pukul {next_update}.
    actions: [Tarik menu yang dicurigai]
  - id: hoaks
    title: Hoaks soal bahan makanan beredar
    category: misinformasi
    likelihood: 3
    impact: 3
  - id: ulasan
    title: Ulasan buruk ramai dibagikan
    category: keluhan pelanggan
    likelihood: 4
    impact: 2
recovery:
  share_lessons_with: [karyawan]
"""

QUESTIONNAIRES = {
    "minimal": MINIMAL,
    "full": FULL,
    "public": FULL.replace("edition: internal", "edition: public"),
}

# Words and phrases of the English templates and strings; none is also an Indonesian word.
ENGLISH = """
Preparation|Response|Reassurance|Recovery|Appendix|About|Glossary|Contents|Threat|Threats|
Severity|Critical|High|Moderate|Low|External|Public|Origin|Category|Holding statement|
Full statement|Standard statement|Own version below|Too long|Owner|Score|Band|Likelihood|Impact|
Channel|Channels|Handle|Reach|Audience|Priority|Concerns|Update|Updates|Approved|Approval|
Approvals|Phone|E-mail|Backup|Role|Name|Duties|Signature|Version|Effective|Edition|Prepared|
Review|Revisions|Sign-off|Company|Industry|Headquarters|Website|Scenario|Injects|Drill|Debrief|
Checklist|Monitoring|Tools|Keywords|Incident log|Contact sheet|Dark site|Time|Date|Question|
Answer|Lesson|Done|Tone|Always|Never|Then|Sign|Prevent|Actions|Message|Characters|Fill in|
Dark|Light|of|the|and|to|by|with|within|every|when|what|who|before|after|until|from|this|that|
your|our|you|we|is|are|not|minute|minutes|hour|hours|day|days|week|weeks|month|months|year|years
"""
TERMS = [t.strip() for t in ENGLISH.split("|") if t.strip()]
# English terms the glossary gives on purpose, in italics, beside the Indonesian ones.
GLOSSES = ("*holding statement*", "*dark site*", "*tabletop exercise*")


# Questionnaire keys whose values are codes, not text the handbook shows as written.
CODES = {"language", "edition", "origin"}


def values(data: Any, key: str = "") -> Iterator[str]:
    """Every text the questionnaire itself supplies (ids included, codes left out)."""
    if isinstance(data, dict):
        for name, item in data.items():
            yield from values(item, name)
    elif isinstance(data, list):
        for item in data:
            yield from values(item, key)
    elif data is not None and key not in CODES:
        yield str(data)


def template_text(markdown: str, own: list[str]) -> str:
    """The words the templates and strings put on a page: the questionnaire's values removed."""
    for value in sorted(own, key=len, reverse=True):
        for form in {str(text.escape(value)), value}:
            markdown = re.sub(rf"(?<![\w-]){re.escape(form)}(?![\w-])", " ", markdown)
    titles = " ".join(re.findall(r'title="([^"]*)"', markdown))
    markdown = re.sub(r"<[^>]+>", " ", markdown)  # HTML tags (class names, data attributes)
    markdown = re.sub(r"\]\([^)]*\)", "]", markdown)  # link targets
    markdown = re.sub(r"\{ #[\w-]+ \}", " ", markdown)  # heading anchors
    markdown = re.sub(r"(?m)^!!! \w+", "!!!", markdown)  # admonition types
    plain = html.unescape(f"{markdown} {titles}")
    for gloss in GLOSSES:
        plain = plain.replace(gloss, " ")
    return plain


def english_in(plain: str) -> list[str]:
    return [
        term
        for term in TERMS
        if re.search(rf"(?<![\w-]){re.escape(term)}(?![\w-])", plain, re.IGNORECASE)
    ]


Rendered = tuple[dict[str, str], list[str]]


@pytest.fixture
def render(tmp_path: Path) -> Callable[[str], Rendered]:
    """Render a questionnaire's pages; return them with the questionnaire's own values."""

    def render(source: str) -> Rendered:
        path = tmp_path / "questionnaire.yaml"
        path.write_text(source, encoding="utf-8")
        hb = build_model(load_questionnaire(path), build_date=dt.date(2027, 1, 15))
        return render_pages(hb, environment(hb.language)), list(values(load(path)))

    return render


@pytest.mark.parametrize("name", sorted(QUESTIONNAIRES))
def test_no_english_in_the_indonesian_handbook(
    render: Callable[[str], Rendered], name: str
) -> None:
    pages, own = render(QUESTIONNAIRES[name])
    found = {path: english_in(template_text(md, own)) for path, md in pages.items()}
    assert {path: words for path, words in found.items() if words} == {}


def test_the_check_finds_english(render: Callable[[str], Rendered]) -> None:
    """The English handbook of the same questionnaire fails the check: it is not vacuous."""
    pages, own = render(FULL.replace("language: id", "language: en"))
    found = {path: english_in(template_text(md, own)) for path, md in pages.items()}
    assert all(found.values())
    assert {"Severity", "Holding statement", "Owner", "Phone", "Backup"} <= set(
        found["index.md"] + found["preparation/index.md"] + found["response/keracunan.md"]
    )


def test_indonesian_pages_cover_every_branch(render: Callable[[str], Rendered]) -> None:
    """The full questionnaire reaches the per-channel, derived-version, closing-line and
    built-in-statement parts."""
    pages, _ = render(FULL)
    threat = pages["response/keracunan.md"]
    assert "## 3. Per kanal" in threat and "Versi khusus di bawah" in threat
    assert "Versi singkat di bawah" in threat and "Kabar berikutnya dalam 2 jam" in threat
    assert "Kalimat penutup ditambahkan" in threat
    assert "Pernyataan standa" in pages["response/hoaks.md"]
    assert "15 Januari 2027" in pages["about.md"]
    assert "125&#46;000" in pages["preparation/index.md"]


def test_site_config_has_no_english(tmp_path: Path) -> None:
    path = tmp_path / "questionnaire.yaml"
    path.write_text(MINIMAL, encoding="utf-8")
    hb = build_model(load_questionnaire(path))
    palette = config(hb, render_pages(hb, environment("id")), pdf_name=None)["theme"]["palette"]
    assert english_in(" ".join(p["toggle"]["name"] for p in palette)) == []


def test_a_threat_without_category_has_no_english(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(
        MINIMAL + "threats:\n  - {id: isu, title: Isu baru, likelihood: 2, impact: 2}\n",
        encoding="utf-8",
    )
    hb = build_model(load_questionnaire(path))
    assert "other" not in render_pages(hb, environment("id"))["preparation/index.md"]


def _shape(value: Any, path: str = "") -> set[str]:
    """The dict keys of a playbook, as paths: lists may differ in length between languages."""
    if isinstance(value, dict):
        return {f"{path}.{key}" for key in value} | {
            p for key, item in value.items() for p in _shape(item, f"{path}.{key}")
        }
    if isinstance(value, list):
        return {p for item in value for p in _shape(item, f"{path}[]")}
    return set()


@pytest.mark.parametrize("code", OTHERS)
def test_playbook_has_the_same_shape_in_every_language(code: str) -> None:
    from crisisplan.kinds import CHANNEL_KINDS, KINDS
    from crisisplan.playbook import playbook

    english, other = playbook("en"), playbook(code)  # both validate against the schema
    # customer_words is keyed by the language's own words for customers
    assert len(other.customer_words) == len(english.customer_words)
    shapes = [_shape(book.model_dump(exclude={"customer_words"})) for book in (english, other)]
    assert shapes[1] == shapes[0]
    for book in (english, other):
        assert set(book.kinds) == set(KINDS)
        assert set(book.channels) == set(CHANNEL_KINDS)
