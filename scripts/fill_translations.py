"""Fill empty or fuzzy entries of the kk and ru catalogs from a Python file of translations.

Usage: python scripts/fill_translations.py TRANSLATIONS.py
TRANSLATIONS.py defines T = {msgid: (kk, ru)}; plural entries take (kk_forms, ru_forms)
tuples. Entries already translated are left alone unless they are fuzzy. Run
`course i18n compile` afterwards.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent


def main(source: str) -> None:
    table = runpy.run_path(source)["T"]
    for index, lang in enumerate(("kk", "ru")):
        path = ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as f:
            catalog = read_po(f)
        filled = 0
        for message in catalog:
            key = message.id[0] if isinstance(message.id, tuple) else message.id
            if not key or key not in table:
                continue
            empty = not message.string or (
                isinstance(message.string, tuple) and not all(message.string)
            )
            if empty or message.fuzzy:
                message.string = table[key][index]
                message.flags.discard("fuzzy")
                filled += 1
        with path.open("wb") as f:
            write_po(f, catalog, width=76, omit_header=False)
        print(f"{lang}: {filled} filled")


if __name__ == "__main__":
    main(sys.argv[1])
