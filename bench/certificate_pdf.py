"""How long a certificate PDF takes to make, how big it is, and the QR's version.

Run by hand: `.venv/bin/python bench/certificate_pdf.py [--count 50]`. Prints figures;
asserts nothing. Signs real payloads with a throw-away key folder.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from course.modules.certificates import codes, cose, pdf, verification
from course.modules.certificates.keys import Keyring

NAMES = ["Әсел Қайратқызы Нұрланова", "Иван Петрович Сидоров", "Ғалымжан Өмірзақұлы Үсенбаев"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument("--base-url", default="https://observer-course.kz")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ring = Keyring(Path(tmp) / "keys")
        ring.init(datetime(2026, 1, 1, tzinfo=UTC), args.base_url)
        _entry, key = ring.active()
        times, sizes = [], []
        for i in range(args.count):
            code = codes.new_code()
            name = NAMES[i % len(NAMES)]
            claims = verification.make_claims(
                args.base_url, datetime.now(UTC), code, name, 1, date(2026, 11, 27), 4242, 517
            )
            text = verification.qr_text(args.base_url, cose.sign(claims, key))
            side = pdf.Side("ОҚУДЫ АЯҚТАҒАНЫ ТУРАЛЫ СЕРТИФИКАТ", "Осы сертификат берілді",
                            "Сайлау байқаушыларына арналған оқу курсы",
                            "1-басылым · заңнама 2026\u202fж. 15 наурыз жағдай бойынша",
                            "Аяқталған күні: 2026\u202fж. 27 қараша", "Берген: course",
                            f"Тексеру: {args.base_url}/kk/verify")  # fmt: skip
            start = time.perf_counter()
            data = pdf.render(
                pdf.CertificateSheet(name, codes.display(code), text, side, side, "Код")
            )
            times.append(time.perf_counter() - start)
            sizes.append(len(data))
        qr, _ = pdf.qr_matrix(text)
        print(
            f"QR text: {len(text)} characters; version {qr.version}, "
            f"error correction {qr.error}, mode {qr.mode}"
        )
        print(
            f"PDF: median {statistics.median(times) * 1000:.1f} ms, "
            f"max {max(times) * 1000:.1f} ms over {args.count}"
        )
        print(f"PDF size: median {statistics.median(sizes) / 1024:.1f} KB")


if __name__ == "__main__":
    main()
