"""The scenarios: what each one requests, what it expects back, and the targets.

A scenario builds its list of requests from a Context (who is signed in, which codes
exist); wrk replays them (bench/load.py), and `run.py --profile` sends the same ones
through Flask's test client. A response with any other status than the expected one
counts as "wrong" (a signed-in page answering 302 to the sign-in form, say).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from load import Request

OK = frozenset({200})
FORM = "application/x-www-form-urlencoded"


@dataclass
class Context:
    port: int
    marker: dict  # the seed marker: genuine accounts, the API token, the quiz module
    lessons: list[tuple[str, str]]  # (module id, lesson id) of every lesson
    codes: list[str]  # seeded certificate codes (canonical), drawn at random
    # Cookie headers: "holder" the certificate holder's; "learners" one per signed-in
    # learner (the genuine one first), so that concurrent requests are different learners'.
    cookies: dict = field(default_factory=dict)
    pool: list = field(default_factory=list)  # pool.Submission, for quiz_submit
    rng: random.Random = field(default_factory=lambda: random.Random(7))


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    kind: str  # "page" (HTML: the p99 target applies), "api", "data" or "pdf"
    build: Callable[[Context], list[Request]]
    expect: frozenset[int] = OK
    # How wrk walks the list: "cycle", "random", or "once" (each request sent once).
    mode: str = "cycle"
    signed_in: str | None = None  # whose sessions: "learners" or "holder"


SCENARIOS: dict[str, Scenario] = {}


def scenario(key: str, title: str, kind: str, **options):
    def register(build):
        SCENARIOS[key] = Scenario(key, title, kind, build, **options)
        return build

    return register


def get(paths: list[str], cookie: str | None = None) -> list[Request]:
    return [Request("GET", p, {"Cookie": cookie} if cookie else {}) for p in paths]


def as_learners(c: Context, paths: list[str]) -> list[Request]:
    """Each path for each signed-in learner, the learner changing fastest: the requests in
    flight at once are as many different learners' as there are learners."""
    return [
        Request("GET", p, {"Cookie": cookie}) for p in paths for cookie in c.cookies["learners"]
    ]


def both(path: str) -> list[str]:
    return [f"/kk{path}", f"/ru{path}"]


def display(code: str) -> str:
    return f"{code[0:4]}-{code[4:8]}-{code[8:12]}-{code[12]}"


@scenario("landing", "landing page", "page")
def landing(c: Context) -> list[Request]:
    return get(both("/"))


@scenario("course_home", "course home (signed in)", "page", signed_in="learners")
def course_home(c: Context) -> list[Request]:
    return as_learners(c, both("/course"))


@scenario("lesson_page", "lesson page (signed in)", "page", signed_in="learners")
def lesson_page(c: Context) -> list[Request]:
    return as_learners(c, [f"/{lang}/learn/{m}/{x}" for m, x in c.lessons for lang in ("kk", "ru")])


@scenario("quiz_page", "quiz page (signed in)", "page", signed_in="learners")
def quiz_page(c: Context) -> list[Request]:
    return as_learners(c, both(f"/quiz/{c.marker['quiz_module']}/"))


@scenario("quiz_submit", "quiz submit (POST answers)", "page", expect=frozenset({303}), mode="once")
def quiz_submit(c: Context) -> list[Request]:
    headers = {"Content-Type": FORM}
    return [Request("POST", s.path, {**headers, "Cookie": s.cookie}, s.body) for s in c.pool]


@scenario("verify_page", "verification page", "page", mode="random")
def verify_page(c: Context) -> list[Request]:
    return get([f"/{c.rng.choice(('kk', 'ru'))}/verify/{display(x)}" for x in c.codes])


@scenario("api_single", "API single lookup", "api", mode="random")
def api_single(c: Context) -> list[Request]:
    return get([f"/api/v1/certificates/{display(x)}" for x in c.codes])


@scenario("api_batch", "API batch of 1,000 codes", "api")
def api_batch(c: Context, count: int = 50) -> list[Request]:
    headers = {
        "Authorization": f"Bearer {c.marker['api_token']}",
        "Content-Type": "application/json",
    }
    return [
        Request("POST", "/api/v1/certificates/verify", dict(headers), batch_body(c))
        for _ in range(count)
    ]


def batch_body(c: Context, size: int = 1000) -> str:
    return json.dumps({"items": [{"code": display(x)} for x in c.rng.sample(c.codes, size)]})


@scenario("certificate_pdf", "certificate PDF download", "pdf", signed_in="holder")
def certificate_pdf(c: Context) -> list[Request]:
    return get(
        ["/kk/certificate/certificate.pdf", "/ru/certificate/certificate.pdf"], c.cookies["holder"]
    )


@scenario("check_page", "offline check page", "page")
def check_page(c: Context) -> list[Request]:
    return get(both("/check"))


@scenario("key_list", "key list (course-keys.json)", "data")
def key_list(c: Context) -> list[Request]:
    return get(["/.well-known/course-keys.json"])


@scenario("status_list", "status list (/status/1)", "data")
def status_list(c: Context) -> list[Request]:
    return get(["/status/1"])


# The order of a run: the ceiling before, between and after the app's scenarios.
ORDER = ["hello", "landing", "course_home", "lesson_page", "quiz_page", "quiz_submit", "hello",
         "verify_page", "api_single", "api_batch", "certificate_pdf", "check_page", "key_list",
         "status_list", "hello"]  # fmt: skip

# Targets (issue 15): throughput as a share of the ceiling measured in the same run, ...
TARGET_RATIOS = {"lesson_page": 0.40, "landing": 0.45, "verify_page": 0.45, "api_single": 0.40,
                 "quiz_submit": 0.15}  # fmt: skip
BATCH_TARGET_S = 0.5  # ... one batch of 1,000 codes, sent alone,
P99_TARGET_MS = 100  # ... the 99th percentile of every page (kind "page"),
RSS_TARGET_MB = 150  # ... and each worker's resident memory after the run.
