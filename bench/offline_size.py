"""What the offline verifier costs to install, and how big its revocation data gets.

Run by hand: `.venv/bin/python bench/offline_size.py`. Prints figures; asserts nothing.
Builds the app on a throw-away instance with the real content and fetches, through the
test client, every file the service worker keeps for one language, plus the signed key
list and status list; then encodes a status list of 1,000,000 certificates with 1,000
revoked, and times a pocket-reference booklet.
"""

from __future__ import annotations

import gzip
import os
import random
import statistics
import tempfile
import time

from course import create_app
from course.config import PROJECT_ROOT


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("COURSE_INSTANCE", tmp)
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite",
                "CONTENT_DIR": str(PROJECT_ROOT / "content"),
                "SECRET_KEY": "bench-" + "x" * 40,
            }
        )
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
        from course.core.content.published import current_course
        from course.modules.offline import services

        client = app.test_client()
        for lang in ("kk", "ru"):
            with app.test_request_context(f"/{lang}/"):
                urls = services.precache_urls((lang,), current_course())
            urls += ["/.well-known/course-keys.json", "/status/1"]
            raw = packed = 0
            print(f"-- installed verifier, {lang}")
            for url in urls:
                with client.get(url) as response:
                    body = response.data
                raw += len(body)
                packed += len(gzip.compress(body))
                print(f"{url:45} {len(body):8,d} B  gzip {len(gzip.compress(body)):7,d} B")
            print(f"{'total':45} {raw:8,d} B  gzip {packed:7,d} B  (limit 300 KB = 307,200 B)")

        from course.modules.certificates import statuslist

        revoked = set(random.Random(1).sample(range(1_000_000), 1000))
        encoded = statuslist.encode(revoked, size=1_000_000)
        print("-- status list: 1,000,000 certificates, 1,000 revoked at random")
        again = len(gzip.compress(encoded.encode()))
        print(f"encodedList {len(encoded):,d} characters (gzip inside); gzip again {again:,d} B")

        times = []
        for _ in range(10):
            services._BOOKLETS.clear()
            with app.test_request_context("/kk/"):
                start = time.perf_counter()
                data = services.pocket_pdf(current_course(), "kk")
                times.append((time.perf_counter() - start) * 1000)
        print(f"-- pocket booklet (kk): {len(data):,d} B, median {statistics.median(times):.0f} ms")


if __name__ == "__main__":
    main()
