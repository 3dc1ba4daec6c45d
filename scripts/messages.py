"""Bring the message catalogs up to date with the code: what ``pybabel extract`` and ``pybabel
update`` do, with this project's settings.

    .venv/bin/python scripts/messages.py          # rewrite crisisplan.pot, merge it into each .po
    .venv/bin/python scripts/messages.py --check  # exit 1 if a catalog is behind the code

A new message shows in each ``content/locale/<language>/LC_MESSAGES/crisisplan.po`` with an
empty translation, for a translator to fill in; tests/test_messages_language.py fails until every
message has one.
"""

from __future__ import annotations

import io
import sys

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from crisisplan import i18n


def template() -> Catalog:
    """The catalog template: every message of the code, without translations."""
    catalog = Catalog(
        project="crisisplan",
        domain=i18n.DOMAIN,
        charset="utf-8",
        # Babel's default names this year: the template would change with the calendar
        header_comment="# The messages of crisisplan: the template each language's catalog starts from.",
    )
    for message, where in i18n.extract():
        catalog.add(message, auto_comments=[where.split(":")[0]])
    return catalog


def _written(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, omit_header=False, no_location=True, width=0, sort_output=False)
    return out.getvalue()


def _stable(po: bytes) -> bytes:
    """A catalog's text without the lines that change on every run (dates, tool version)."""
    skip = (b'"POT-Creation-Date:', b'"PO-Revision-Date:', b'"Generated-By:')
    return b"\n".join(line for line in po.splitlines() if not line.startswith(skip))


def main(argv: list[str]) -> int:
    check = "--check" in argv
    behind: list[str] = []
    pot = template()
    pot_path = i18n.locale_dir() / f"{i18n.DOMAIN}.pot"
    wanted = {pot_path: _written(pot)}
    for language in i18n.languages():
        if language == i18n.DEFAULT:
            continue
        path = i18n.catalog_path(language)
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=language, domain=i18n.DOMAIN)
        catalog.update(pot, no_fuzzy_matching=True)
        catalog.obsolete.clear()  # a message the code no longer has is not kept
        wanted[path] = _written(catalog)
    for path, text in wanted.items():
        current = path.read_bytes() if path.exists() else b""
        if _stable(current) == _stable(text):
            continue
        behind.append(str(path))
        if not check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text)
    if behind:
        print(("behind the code: " if check else "updated: ") + ", ".join(behind))
    return 1 if check and behind else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
