"""How fast the app serves its most common pages, in-process (no HTTP), on the real content.

Run by hand: `.venv/bin/python bench/lesson_pages.py [--requests 2000]`. It prints figures;
it asserts nothing. For HTTP throughput run `course serve` and a load generator such as wrk
against 127.0.0.1 (see ../shared/design/performance.md for reference figures).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade

from course import create_app
from course.core.db import db
from course.modules.accounts import services


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SECRET_KEY": "b" * 40, "INSTANCE_PATH": tmp, "WTF_CSRF_ENABLED": False})
        with app.app_context():
            upgrade()
            services.register("bench@example.kz", "Bench Learner", "x" * 12, "kk")
            db.session.commit()
        client = app.test_client()
        client.post("/kk/sign-in", data={"email": "bench@example.kz", "password": "x" * 12})
        course = app.extensions["course.editions"].current()
        lesson = course.lessons[0]
        pages = {
            "landing (public)": "/kk/",
            "course home": "/ru/course",
            "lesson page": f"/kk/learn/{lesson.module_id}/{lesson.id}",
        }
        for name, path in pages.items():
            timings = []
            size = len(client.get(path).data)
            for _ in range(args.requests):
                start = time.perf_counter()
                response = client.get(path)
                timings.append(time.perf_counter() - start)
                assert response.status_code == 200
            timings.sort()
            print(
                f"{name:18} {Path(path).as_posix():40} {size / 1024:5.1f} KB  "
                f"median {statistics.median(timings) * 1000:6.2f} ms  "
                f"p99 {timings[int(len(timings) * 0.99)] * 1000:6.2f} ms  "
                f"{len(timings) / sum(timings):7.0f} req/s"
            )


if __name__ == "__main__":
    main()
