"""Make the certificate fonts: DejaVu Sans cut down to the characters certificates use.

Run once when the character set changes: `python scripts/subset_fonts.py [DEJAVU_DIR]`.
Loading a full TrueType font dominates the time to make a PDF; a subset of Latin,
Cyrillic (with every Kazakh letter) and General Punctuation (Babel's Kazakh dates use
U+202F) keeps it small and fast (../shared/design/certificates.md).
"""

import sys
from pathlib import Path

from fontTools import subset

SOURCE = Path(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/truetype/dejavu")
TARGET = Path(__file__).resolve().parent.parent / "course" / "static" / "fonts"
UNICODES = "U+0020-007E,U+00A0-00FF,U+0400-04FF,U+2000-206F,U+20B8,U+2116,U+2192"

for name in ("DejaVuSans", "DejaVuSans-Bold"):
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    font = subset.load_font(SOURCE / f"{name}.ttf", options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=subset.parse_unicodes(UNICODES))
    subsetter.subset(font)
    subset.save_font(font, TARGET / f"{name}-subset.ttf", options)
    print(TARGET / f"{name}-subset.ttf", (TARGET / f"{name}-subset.ttf").stat().st_size)
