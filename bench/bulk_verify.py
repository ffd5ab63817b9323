"""How long an organisation's bulk verification of 10,000 rows takes, in-process.

Run by hand: `.venv/bin/python bench/bulk_verify.py [--rows 10000]`. Prints figures;
asserts nothing. Uses a throw-away instance with a fresh SQLite database.
"""

from __future__ import annotations

import argparse
import tempfile
import time

from flask_migrate import upgrade

from course import create_app
from course.core.content.published import current_course
from course.core.db import db
from course.modules.accounts import services as accounts
from course.modules.certificates import codes
from course.modules.organisations import services


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SECRET_KEY": "b" * 40, "INSTANCE_PATH": tmp})
        with app.app_context():
            upgrade()
            head = accounts.register("head@example.kz", "Head Person", "x" * 12, "kk")
            application = services.Application(
                "Ұйым", "Организация", "900101300017", "K", "o@example.kz", "+7", True, None, None
            )
            organisation = services.apply(head.id, application)
            services.approve(organisation, head.id)
            db.session.commit()
            text = "\n".join(codes.display(codes.new_code()) for _ in range(args.rows))
            start = time.perf_counter()
            items, _unreadable = services.parse_bulk(text)
            results = services.verify_items(organisation, items, current_course(), "bulk", head.id)
            db.session.commit()
            elapsed = time.perf_counter() - start
            print(f"{len(results)} rows checked and logged in {elapsed:.2f} s "
                  f"({len(results) / elapsed:.0f} rows/s)")  # fmt: skip


if __name__ == "__main__":
    main()
