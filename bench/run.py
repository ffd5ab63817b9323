"""The benchmark in one command: seed a realistic database, serve the app as in production
(`course serve`: gunicorn, sync workers) beside a hello-world Flask app under the same
gunicorn settings (the ceiling), drive every scenario with wrk, and print throughput,
latency, errors and the ratio to the ceiling measured in the same run, then the targets.

    .venv/bin/python bench/run.py [--db sqlite|postgresql|both] [--seconds 10]
        [--connections 32] [--workers 2] [--scale full|small] [--out results.json]
    .venv/bin/python bench/run.py --db sqlite --profile lesson_page   # where the time goes

Exit status: 0 when every target passes, 1 when one fails, 2 when wrk is missing.
See bench/README.md for the scenarios, how to read the figures, and the targets.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import math
import os
import pstats
import random
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))  # the bench folder's own modules below

import bulk  # noqa: E402
import load  # noqa: E402
import scenarios as sc  # noqa: E402
import seeding  # noqa: E402

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench"


def say(line: str = "") -> None:
    print(line, flush=True)


# ---------------------------------------------------------------- servers


class Server:
    """A gunicorn master we started; only it is stopped, by its own pid."""

    def __init__(self, command: list[str], env: dict, log: Path, port: int, ready: str):
        log.parent.mkdir(parents=True, exist_ok=True)
        self.log = log
        self._log = log.open("wb")  # this run only: its tracebacks are counted
        self.process = subprocess.Popen(  # noqa: S603 - our own command line, no shell
            command, env={**os.environ, **env}, stdout=self._log, stderr=subprocess.STDOUT
        )
        try:
            load.wait_until_up(port, ready, process=self.process)
        except Exception:
            self.stop()
            raise

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # the master stops its workers gracefully
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()

    def workers(self) -> list[str]:
        pid = self.process.pid
        return Path(f"/proc/{pid}/task/{pid}/children").read_text().split()

    def settle(self, limit: float = 180) -> float:
        """Wait until the workers are idle, and say how long that took: when wrk stops,
        the requests it gave up on are still queued and served, and would slow down the
        next scenario."""
        ticks = os.sysconf("SC_CLK_TCK")

        def cpu_seconds() -> float:
            total = 0
            for worker in self.workers():
                with contextlib.suppress(OSError):
                    fields = Path(f"/proc/{worker}/stat").read_text().rsplit(")", 1)[1].split()
                    total += int(fields[11]) + int(fields[12])  # utime, stime
            return total / ticks

        start = time.monotonic()
        used = cpu_seconds()
        while time.monotonic() - start < limit:
            time.sleep(0.5)
            now = cpu_seconds()
            if now - used < 0.05:  # under 5 % of one core for half a second
                break
            used = now
        return time.monotonic() - start

    def worker_rss_mb(self) -> list[float]:
        """VmRSS of each worker (the master's children), from /proc."""
        sizes = []
        for child in self.workers():
            status = Path(f"/proc/{child}/status").read_text()
            kb = next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:"))
            sizes.append(int(kb) / 1024)
        return sizes


def gunicorn_settings(port: int, workers: int) -> list[str]:
    """What `course serve` sets (course/cli.py), for the hello app: sync workers, a 60 s
    timeout, the access log on standard output."""
    return ["-b", f"127.0.0.1:{port}", "-w", str(workers), "-k", "sync", "--timeout", "60",
            "--access-logfile", "-"]  # fmt: skip


def start_hello(port: int, workers: int, log: Path) -> Server:
    command = [sys.executable, "-m", "gunicorn", "--chdir", str(BENCH),
               *gunicorn_settings(port, workers), "hello:app"]  # fmt: skip
    return Server(command, {}, log, port, "/")


def start_app(t: seeding.Target, port: int, workers: int) -> Server:
    course = Path(sys.executable).with_name("course")
    if not course.exists():
        sys.exit(f"{course} is missing: install the project first (pip install -e '.[test]')")
    command = [str(course), "serve", "--host", "127.0.0.1", "--port", str(port),
               "--workers", str(workers)]  # fmt: skip
    return Server(command, seeding.environment(t), t.instance / "serve.log", port, "/healthz")


def port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


# ---------------------------------------------------------------- one database


def context_for(t: seeding.Target, marker: dict, port: int) -> sc.Context:
    app = seeding.make_app(t)
    with app.app_context():
        from course.core.content.published import current_course
        from course.core.db import db

        lessons = [(lesson.module_id, lesson.id) for lesson in current_course().lessons]
        codes = seeding.sample_codes(10_000)
        db.session.remove()
        db.engine.dispose()
    return sc.Context(port=port, marker=marker, lessons=lessons, codes=codes)


def make_pool(t: seeding.Target, size: int) -> list:
    import pool

    app = seeding.make_app(t)
    with app.app_context():
        from course.core.db import db

        start = time.perf_counter()
        made = pool.quiz_pool(size, log=say)
        say(f"  {len(made):,} open attempts ready to submit ({time.perf_counter() - start:.0f} s)")
        db.session.remove()
        db.engine.dispose()
    return made


def sign_in_all(ctx: sc.Context, client_for, learners: int) -> None:
    """Through the real form: the holder, the genuine learner and `learners - 1` seeded
    ones (each costs the server an argon2 verification, about 0.4 s here)."""
    emails = [ctx.marker["emails"]["learner"]]
    emails += [bulk.SEEDED_EMAIL.format(n) for n in range(learners - 1)]
    ctx.cookies["learners"] = []
    for email in [ctx.marker["emails"]["holder"], *emails]:
        client = client_for()
        load.sign_in(client, email, ctx.marker["password"])
        if email == ctx.marker["emails"]["holder"]:
            ctx.cookies["holder"] = client.cookie
        else:
            ctx.cookies["learners"].append(client.cookie)


def refresh_cookies(ctx: sc.Context, who: str) -> None:
    """Session cookies renewed just now: the app rewrites a session's `seen` time once a
    minute, and would otherwise send a new cookie with every response of the run."""
    cookies = ctx.cookies[who] if who == "learners" else [ctx.cookies[who]]
    renewed = []
    for cookie in cookies:
        client = load.Http(ctx.port, seeding.USER_AGENT)
        client.jar.update(part.split("=", 1) for part in cookie.split("; "))
        client.request("GET", "/kk/account")
        renewed.append(client.cookie)
    ctx.cookies[who] = renewed if who == "learners" else renewed[0]


def sequential_batches(ctx: sc.Context, count: int = 5) -> dict:
    """Batches of 1,000 codes one after the other: the API's, then the staff's web page (CSV)."""
    statuses, api, web = [], [], []
    client = load.Http(ctx.port, seeding.USER_AGENT)
    for request in sc.api_batch(ctx, count):
        r = client.request(request.method, request.path, request.body, request.headers)
        api.append(r.seconds)
        statuses.append(r.status)
    staff = load.Http(ctx.port, seeding.USER_AGENT)
    load.sign_in(staff, ctx.marker["emails"]["staff"], ctx.marker["password"])
    token = load.csrf_token(staff.request("GET", "/kk/organisation/").body)
    for _ in range(3):
        codes = "\n".join(sc.display(c) for c in ctx.rng.sample(ctx.codes, 1000))
        body = urlencode({"csrf_token": token, "codes": codes, "format": "csv"})
        r = staff.request("POST", "/kk/organisation/verify", body, {"Content-Type": sc.FORM})
        web.append(r.seconds)
        statuses.append(r.status)
    return {
        "api_seconds": [round(s, 3) for s in api],
        "api_median_s": statistics.median(api),
        "web_csv_seconds": [round(s, 3) for s in web],
        "web_csv_median_s": statistics.median(web),
        "server_errors": sum(1 for s in statuses if s >= 500),
        "wrong": sum(1 for s in statuses if s != 200),
    }


def run_scenario(args, ctx: sc.Context, t: seeding.Target, key: str, ceiling: float) -> dict:
    scenario = sc.SCENARIOS[key]
    if key == "quiz_submit":
        # One attempt per request: as many as half the ceiling's rate would need (the
        # run says so if they run out: the repeated submissions are refused).
        ctx.pool = make_pool(t, math.ceil(ceiling * args.seconds / 2) + 101)
    if scenario.signed_in:
        refresh_cookies(ctx, scenario.signed_in)
    requests = scenario.build(ctx)
    # One request alone first: is the scenario right, and how long does a request take?
    first = requests.pop(0) if scenario.mode == "once" else requests[0]
    alone = load.Http(args.port, seeding.USER_AGENT).request(
        first.method, first.path, first.body, first.headers
    )
    connections, seconds, timeout = args.connections, args.seconds, 10
    extra = {}
    if key == "api_batch":
        # A batch takes long enough that 32 at once would only queue behind the workers:
        # one connection per worker shows the time per batch under load.
        connections, seconds, timeout = args.workers, max(3, args.seconds // 2), 60
        extra["sequential"] = sequential_batches(ctx)
    r = load.run_wrk(args.port, requests, set(scenario.expect), mode=scenario.mode,
                     seconds=seconds, connections=connections, threads=args.threads,
                     timeout=timeout, user_agent=seeding.USER_AGENT)  # fmt: skip
    r.update(key=key, title=scenario.title, kind=scenario.kind, connections=connections,
             seconds=seconds, first_status=alone.status, first_ms=alone.seconds * 1000,
             **extra)  # fmt: skip
    if alone.status not in scenario.expect:
        r["wrong"] += 1
        r["server_errors"] += alone.status >= 500
        say(f"  ! {key}: the request sent alone answered {alone.status}")
    if extra.get("sequential", {}).get("wrong"):
        r["wrong"] += extra["sequential"]["wrong"]
        say(f"  ! {key}: {extra['sequential']['wrong']} batches sent alone were refused")
    if r["reused"]:
        say(f"  ! {key}: the pool ran out; {r['reused']:,} requests were sent again")
    return r


def run_database(args, t: seeding.Target, hello: Server) -> dict:
    say(f"\n== {t.name}: {t.url} (load average {os.getloadavg()[0]:.1f}; the machine is shared)")
    marker = seeding.prepare(t, args.scale, args.reseed, log=say)
    if not port_free(args.port):
        sys.exit(f"port {args.port} is in use: choose another with --port")
    app = start_app(t, args.port, args.workers)
    results, ceilings = [], []
    try:
        ctx = context_for(t, marker, args.port)
        sign_in_all(ctx, lambda: load.Http(args.port, seeding.USER_AGENT), args.connections)
        for key in sc.ORDER:
            if key == "hello":
                r = load.run_wrk(args.port + 1, [load.Request("GET", "/")], {200},
                                 seconds=args.seconds, connections=args.connections,
                                 threads=args.threads)  # fmt: skip
                r.update(key="hello", title="hello world (ceiling)", kind="ceiling")
                ceilings.append(r["rps"])
            elif args.only and key not in args.only:
                continue
            else:
                r = run_scenario(args, ctx, t, key, max(ceilings))
            results.append(r)
            say(f"  {r['title']:30} {r['rps']:8,.0f} req/s  p50 {r['p50_ms']:7.1f} ms  "
                f"p99 {r['p99_ms']:7.1f} ms  errors {r['errors']}  wrong {r['wrong']}")  # fmt: skip
            r["settle_s"] = (hello if key == "hello" else app).settle()
            if r["settle_s"] > 2:
                say(f"  (the workers were busy {r['settle_s']:.0f} s more with requests wrk had "
                    "given up on)")  # fmt: skip
        rss = app.worker_rss_mb()
    finally:
        app.stop()
    ceiling = statistics.median(ceilings)
    for r in results:
        r["ratio"] = r["rps"] / ceiling
    seed = {k: marker.get(k) for k in ("scale", "seeded_at", "counts", "rows", "seconds")}
    return {
        "database": t.name,
        "url": t.url,
        "seed": seed,
        "ceiling_rps": ceiling,
        "hello_runs_rps": ceilings,
        "scenarios": results,
        "worker_rss_mb": rss,
        "tracebacks_in_server_log": app.log.read_text(errors="replace").count("Traceback"),
    }


# ---------------------------------------------------------------- report


def targets(db: dict) -> list[tuple[str, str, bool]]:
    """(target, what was measured, passed) for this database's run."""
    by = {r["key"]: r for r in db["scenarios"]}
    checks = []
    for key, wanted in sc.TARGET_RATIOS.items():
        if key in by:
            r = by[key]
            got, ok = f"{r['ratio']:.2f}", r["ratio"] >= wanted
            if key == "quiz_submit":
                got += f", {r['errors']} errors, {r['wrong']} wrong"
                ok = ok and r["errors"] == 0 and r["wrong"] == 0
            checks.append((f"{sc.SCENARIOS[key].title} ≥ {wanted:.2f} of the ceiling", got, ok))
    sequential = by.get("api_batch", {}).get("sequential")
    if sequential:
        median = sequential["api_median_s"]
        checks.append((f"one batch of 1,000 codes < {sc.BATCH_TARGET_S} s (API, alone)",
                       f"{median:.3f} s (web page, CSV: {sequential['web_csv_median_s']:.3f} s)",
                       median < sc.BATCH_TARGET_S))  # fmt: skip
    slow = [f"{r['key']} {r['p99_ms']:.0f}" for r in db["scenarios"]
            if r["kind"] == "page" and r["p99_ms"] >= sc.P99_TARGET_MS]  # fmt: skip
    got = "over: " + ", ".join(slow) + " ms" if slow else "all under"
    checks.append((f"p99 < {sc.P99_TARGET_MS} ms on every page", got, not slow))
    rss = db["worker_rss_mb"]
    got = ", ".join(f"{x:.0f}" for x in rss) + " MB"
    checks.append((f"worker RSS ≤ {sc.RSS_TARGET_MB} MB", got, max(rss) <= sc.RSS_TARGET_MB))
    fives = sum(r["server_errors"] for r in db["scenarios"])
    fives += (sequential or {}).get("server_errors", 0)
    tracebacks = db["tracebacks_in_server_log"]
    checks.append(("no 5xx anywhere", f"{fives} 5xx; {tracebacks} tracebacks in the server log",
                   fives == 0 and tracebacks == 0))  # fmt: skip
    return checks


def report(db: dict) -> None:
    seed, counts, rows = db["seed"], db["seed"]["counts"], db["seed"]["rows"]
    hello = ", ".join(f"{x:,.0f}" for x in db["hello_runs_rps"])
    say(f"\n### {db['database']}: ceiling {db['ceiling_rps']:,.0f} req/s (median of {hello})")
    say(f"seeded at {seed['scale']} scale on {seed['seeded_at']} "
        f"in {seed['seconds']['total']:.0f} s: {rows['users']:,} learners "
        f"({counts['asked_learners']:,} asked), {rows['progress']:,} lesson-progress rows, "
        f"{rows['attempts']:,} attempts with {rows['answers']:,} answers, "
        f"{rows['certificates'] + rows['replaced'] + 1:,} certificates with the genuine "
        f"holder's ({rows['replaced']:,} replaced, {counts['revoked']:,} revoked; "
        f"{counts['asked_certificates']:,} asked; see bench/README.md)")  # fmt: skip
    head = (f"{'scenario':30} {'req/s':>8} {'ratio':>6} {'p50 ms':>8} {'p99 ms':>8} "
            f"{'errors':>6} {'wrong':>6} {'5xx':>5} {'conns':>5}")  # fmt: skip
    say(head)
    say("-" * len(head))
    for r in db["scenarios"]:
        say(f"{r['title']:30} {r['rps']:8,.0f} {r['ratio']:6.2f} {r['p50_ms']:8.1f} "
            f"{r['p99_ms']:8.1f} {r['errors']:6d} {r['wrong']:6d} {r['server_errors']:5d} "
            f"{r.get('connections', '')!s:>5}")  # fmt: skip
        if r.get("sequential"):
            s = r["sequential"]
            say(f"{'  one batch at a time':30} API {', '.join(map(str, s['api_seconds']))} s; "
                f"web page (CSV) {', '.join(map(str, s['web_csv_seconds']))} s")  # fmt: skip
    say(f"worker RSS after the run: {', '.join(f'{x:.0f}' for x in db['worker_rss_mb'])} MB")
    say("targets:")
    for name, got, ok in targets(db):
        say(f"  {'PASS' if ok else 'FAIL'}  {name:55} {got}")


# ---------------------------------------------------------------- profile


class InProcess(load.Http):
    """The same requests through Flask's test client: no HTTP, no gunicorn, no wrk. Kept
    outside any app context of ours, which would share `g` (and the signed-in user)."""

    def __init__(self, app, port: int):
        super().__init__(port, seeding.USER_AGENT)
        self.client = app.test_client(use_cookies=False)

    def request(self, method, path, body=None, headers=None):
        sent = {"User-Agent": self.user_agent, **(headers or {})}
        if self.jar and "Cookie" not in sent:
            sent["Cookie"] = self.cookie
        start = time.perf_counter()
        raw = self.client.open(path, method=method, data=body, headers=sent,
                               base_url=f"http://127.0.0.1:{self.port}",
                               environ_base={"REMOTE_ADDR": "127.0.0.1"})  # fmt: skip
        response = load.Response(raw.status_code, list(raw.headers.items()), raw.get_data(),
                                 time.perf_counter() - start)  # fmt: skip
        self.jar.update(response.cookies())
        return response


def profile(args, t: seeding.Target) -> None:
    """Send the scenario's requests in-process: time them, then again under cProfile."""
    scenario = sc.SCENARIOS[args.profile]
    marker = seeding.prepare(t, args.scale, args.reseed, log=say)
    ctx = context_for(t, marker, args.port)
    app = seeding.make_app(t)
    count = args.profile_requests or (5 if args.profile == "api_batch" else 200)
    sign_in_all(ctx, lambda: InProcess(app, args.port), 1)
    if args.profile == "quiz_submit":
        import pool

        with app.app_context():
            ctx.pool = pool.quiz_pool(2 * count + 3, log=say)
    requests = scenario.build(ctx)
    client = InProcess(app, args.port)
    statuses = []

    def send(i: int) -> None:
        r = random.choice(requests) if scenario.mode == "random" else requests[i % len(requests)]
        statuses.append(client.request(r.method, r.path, r.body, r.headers).status)

    for i in range(3):  # warm-up: the first requests fill caches
        send(i)
    start = time.perf_counter()
    for i in range(3, 3 + count):
        send(i)
    each = (time.perf_counter() - start) / count
    profiler = cProfile.Profile()
    profiler.enable()
    for i in range(3 + count, 3 + 2 * count):
        send(i)
    profiler.disable()
    wrong = sum(1 for s in statuses if s not in scenario.expect)
    say(f"\n{scenario.title} on {t.name}, in-process: {each * 1000:.2f} ms a request "
        f"(mean of {count}; {wrong} of {len(statuses)} with an unexpected status)")  # fmt: skip
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.profile_top)
    say(out.getvalue())


# ---------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--seconds", type=int, default=10, help="per scenario (wrk -d)")
    parser.add_argument("--connections", type=int, default=32, help="wrk -c")
    parser.add_argument("--threads", type=int, default=2, help="wrk -t")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers, both servers")
    parser.add_argument("--scale", choices=["full", "small"], default="full")
    parser.add_argument("--out", type=Path, help="write the results as JSON too")
    parser.add_argument("--port", type=int, default=8765, help="the app's; hello gets port+1")
    parser.add_argument("--data-dir", type=Path, default=BENCH / ".data",
                        help="instance folders and the SQLite file, kept between runs")  # fmt: skip
    parser.add_argument("--pg-url", default=PG_URL, help="its database is dropped to seed")
    parser.add_argument("--reseed", action="store_true", help="seed even if a seed is reusable")
    parser.add_argument("--content", type=Path, help="a content folder (default: the checkout's)")
    parser.add_argument("--only", nargs="+", choices=list(sc.SCENARIOS), help="these scenarios")
    parser.add_argument("--profile", choices=list(sc.SCENARIOS),
                        help="profile this scenario in-process (no benchmark)")  # fmt: skip
    parser.add_argument("--profile-requests", type=int, default=0, help="default 200 (batch: 5)")
    parser.add_argument("--profile-top", type=int, default=30, help="functions to list")
    args = parser.parse_args()

    if args.content:  # for the in-process app and, inherited, for `course serve`
        os.environ["COURSE_CONTENT"] = str(args.content.resolve())
    names = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    base_url = f"http://127.0.0.1:{args.port}"
    databases = [seeding.target(n, args.scale, args.data_dir, args.pg_url, base_url) for n in names]
    if args.profile:
        for t in databases:
            profile(args, t)
        return
    if load.wrk_path() is None:
        print(
            f"wrk is not installed; install it with:\n\n    {load.WRK_INSTALL}\n", file=sys.stderr
        )
        sys.exit(2)
    if not port_free(args.port + 1):
        sys.exit(f"port {args.port + 1} is in use: choose other ports with --port")
    say(f"bench: {', '.join(names)} at {args.scale} scale; wrk -t{args.threads} "
        f"-c{args.connections} -d{args.seconds}s; {args.workers} gunicorn workers; "
        f"{os.cpu_count()} cores")  # fmt: skip
    hello = start_hello(args.port + 1, args.workers, args.data_dir / "hello.log")
    results = []
    try:
        for t in databases:
            results.append(run_database(args, t, hello))
    finally:
        hello.stop()
    for db in results:
        report(db)
    if args.out:
        for db in results:
            db["targets"] = [{"target": n, "got": g, "pass": ok} for n, g, ok in targets(db)]
        arguments = {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}
        document = {"when": datetime.now(UTC).isoformat(timespec="seconds"), "args": arguments,
                    "cores": os.cpu_count(), "databases": results}  # fmt: skip
        args.out.write_text(json.dumps(document, indent=2, ensure_ascii=False))
        say(f"\nwritten: {args.out}")
    sys.exit(1 if any(not ok for db in results for _n, _g, ok in targets(db)) else 0)


if __name__ == "__main__":
    main()
