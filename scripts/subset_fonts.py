"""Make the website's fonts: Source Sans 3 cut down to the characters a handbook uses.

Adobe's release files are about 100 KiB a face and cover Greek, Cyrillic and more; a handbook
in English or Bahasa Indonesia needs Latin. This keeps Latin (with Latin Extended and
Vietnamese), punctuation, currency, arrows and the symbols crisisplan prints, with every
OpenType feature (kerning, ligatures, figures), and writes WOFF2. A subset is a Modified Version
under the SIL Open Font License, which may not use the Reserved Font Name "Source", so the
faces are renamed "Crisisplan Sans" (see themes/fonts/README.md).

Run it again only to change the coverage or update the fonts:

    cd /tmp && npm pack source-sans@3.52.0 && tar xzf source-sans-3.52.0.tgz
    .venv/bin/python scripts/subset_fonts.py /tmp/package/WOFF2/TTF

Characters outside the subset still show, in the reader's system font.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

FAMILY = "Crisisplan Sans"
FACES = {"Regular": "Regular", "It": "Italic", "Bold": "Bold", "BoldIt": "Bold Italic"}
UNICODES = (
    "U+0000-024F,"  # Basic Latin, Latin-1, Latin Extended-A and -B
    "U+0259,U+02BB-02BC,U+02C6,U+02DA,U+02DC,"  # schwa, okina, modifier letters and accents
    "U+0300-0304,U+0308,U+0323,"  # combining accents
    "U+1E00-1EFF,"  # Latin Extended Additional (Vietnamese)
    "U+2000-206F,"  # General Punctuation: dashes, quotes, ellipsis, bullets, spaces
    "U+20A0-20CF,"  # currency: €, ₹, Rp is Latin
    "U+2100-214F,"  # letterlike: №, ™, ℃
    "U+2190-21FF,U+2212,U+2215,"  # arrows, minus, division slash
    "U+25A0-25FF,U+2610-2612,U+2713-2714,"  # shapes, ballot boxes, check marks
    "U+FEFF,U+FFFD"
)
OUT = Path(__file__).resolve().parent.parent / "themes" / "fonts"


def make(source: Path, face: str) -> Path:
    """Subset and rename one face; return the file written."""
    options = subset.Options()
    options.layout_features = ["*"]
    options.flavor = "woff2"
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    font = subset.load_font(str(source), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=subset.parse_unicodes(UNICODES))
    subsetter.subset(font)
    rename(font, FACES[face])
    target = OUT / f"CrisisplanSans-{face}.woff2"
    subset.save_font(font, str(target), options)
    return target


def rename(font: TTFont, style: str) -> None:
    """Give the face the family name ``FAMILY``: no record keeps "Source"."""
    bold, italic = "Bold" in style, "Italic" in style
    legacy = "Italic" if italic and not bold else ("Bold Italic" if bold and italic else None)
    names = {
        1: FAMILY,
        2: legacy or ("Bold" if bold else "Regular"),
        3: f"{FAMILY.replace(' ', '')}-{style.replace(' ', '')}; crisisplan subset",
        4: f"{FAMILY} {style}",
        6: f"{FAMILY.replace(' ', '')}-{style.replace(' ', '')}",
        16: FAMILY,
        17: style,
    }
    table = font["name"]
    for record in list(table.names):
        if record.nameID in (1, 2, 3, 4, 6, 16, 17, 21, 22, 25):
            table.removeNames(nameID=record.nameID)
    for name_id, value in names.items():
        table.setName(value, name_id, 3, 1, 0x409)
        table.setName(value, name_id, 1, 0, 0)
    leftover = [r.nameID for r in table.names if "Source" in r.toUnicode() and r.nameID in names]
    assert not leftover, f"name records still say Source: {leftover}"


def main(folder: str) -> None:
    for face in FACES:
        target = make(Path(folder) / f"SourceSans3-{face}.ttf.woff2", face)
        print(f"{target.name}: {target.stat().st_size:,} bytes")


if __name__ == "__main__":
    main(sys.argv[1])
