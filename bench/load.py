"""Driving load: a tiny HTTP client (sign-in through the real form, sequential timings) and
wrk with one Lua script for every scenario.

Each scenario is a list of raw HTTP requests, written to a file that the Lua script reads;
the script returns them in turn ("cycle"), at random ("random"), or each exactly once
across all connections ("once": the quiz submissions, which are accepted once each). It
counts every response whose status is not one the scenario expects (a 302 to the sign-in
page where a signed-in page was wanted is such a "wrong" answer) and every 5xx, and
writes the figures as JSON when wrk is done.
"""

from __future__ import annotations

import http.client
import json
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

WRK_INSTALL = "apt-get update && apt-get install -y wrk"

# ---------------------------------------------------------------- HTTP, one request at a time


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    seconds: float

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def cookies(self) -> dict[str, str]:
        found = {}
        for k, v in self.headers:
            if k.lower() == "set-cookie":
                pair = v.split(";", 1)[0]
                name, _sep, value = pair.partition("=")
                found[name.strip()] = value.strip()
        return found


class Http:
    """Requests to one server on 127.0.0.1, keeping the cookies it sets (a browser's jar,
    for one site, without paths or expiry)."""

    def __init__(self, port: int, user_agent: str):
        self.port = port
        self.user_agent = user_agent
        self.jar: dict[str, str] = {}

    @property
    def cookie(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.jar.items() if v)

    def request(
        self, method: str, path: str, body: bytes | str | None = None, headers: dict | None = None
    ) -> Response:
        if isinstance(body, str):
            body = body.encode()
        sent = {"Host": f"127.0.0.1:{self.port}", "User-Agent": self.user_agent}
        if self.jar:
            sent["Cookie"] = self.cookie
        sent.update(headers or {})
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        start = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=sent)
            raw = connection.getresponse()
            data = raw.read()
        finally:
            connection.close()
        response = Response(raw.status, raw.getheaders(), data, time.perf_counter() - start)
        for name, value in response.cookies().items():
            self.jar[name] = value
        return response


CSRF_FIELD = re.compile(
    r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"'
)


def csrf_token(html: bytes) -> str:
    match = CSRF_FIELD.search(html.decode("utf-8", "replace"))
    if not match:
        raise RuntimeError("no csrf_token field on the page")
    return match.group(1) or match.group(2)


def sign_in(client: Http, email: str, password: str, lang: str = "kk") -> None:
    """Sign in through the real form (its CSRF token included); raises if refused."""
    from urllib.parse import urlencode

    page = client.request("GET", f"/{lang}/sign-in")
    if page.status != 200:
        raise RuntimeError(f"GET /{lang}/sign-in answered {page.status}")
    form = urlencode({"csrf_token": csrf_token(page.body), "email": email, "password": password})
    answer = client.request(
        "POST",
        f"/{lang}/sign-in",
        form,
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    if answer.status not in (302, 303):
        raise RuntimeError(f"sign-in of {email} answered {answer.status}, not a redirect")


def wait_until_up(port: int, path: str, seconds: float = 90, process=None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server on port {port} exited with {process.returncode}")
        try:
            if Http(port, "course-bench/1").request("GET", path).status < 500:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"nothing answered on 127.0.0.1:{port}{path} within {seconds:.0f} s")


# ---------------------------------------------------------------- wrk


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None

    def raw(self, port: int, user_agent: str) -> bytes:
        body = (self.body or "").encode()
        lines = [
            f"{self.method} {self.path} HTTP/1.1",
            f"Host: 127.0.0.1:{port}",
            f"User-Agent: {user_agent}",
        ]
        lines += [f"{k}: {v}" for k, v in self.headers.items()]
        if self.body is not None:
            lines.append(f"Content-Length: {len(body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


LUA = r"""
-- Written by bench/load.py for one scenario; see that file.
local DATA, MODE, OUT, NTHREADS = %(data)s, %(mode)s, %(out)s, %(threads)d
local EXPECT = {%(expect)s}
local threads, next_tid = {}, 0

function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
  table.insert(threads, thread)
end

function init(args)
  requests = {}
  local f = assert(io.open(DATA, "rb"))
  local s = f:read("*a")
  f:close()
  local pos = 1
  while pos <= #s do
    local nl = s:find("\n", pos, true)
    local n = tonumber(s:sub(pos, nl - 1))
    requests[#requests + 1] = s:sub(nl + 1, nl + n)
    pos = nl + n + 1
  end
  index = tid
  wrong, server_errors, reused, first_wrong = 0, 0, 0, 0
  math.randomseed(os.time() * 7 + tid)
end

function request()
  if MODE == "random" then
    return requests[math.random(#requests)]
  end
  if MODE == "once" and index >= #requests then
    reused = reused + 1
  end
  local r = requests[index %% #requests + 1]
  index = index + NTHREADS
  return r
end

function response(status, headers, body)
  if not EXPECT[status] then
    wrong = wrong + 1
    if first_wrong == 0 then first_wrong = status end
  end
  if status >= 500 then server_errors = server_errors + 1 end
end

function done(summary, latency, requests)
  local w, s5, r, fw = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    w = w + t:get("wrong")
    s5 = s5 + t:get("server_errors")
    r = r + t:get("reused")
    if fw == 0 then fw = t:get("first_wrong") end
  end
  local e = summary.errors
  local f = assert(io.open(OUT, "w"))
  f:write(string.format(
    '{"requests": %%d, "duration_us": %%d, "bytes": %%d, ' ..
    '"socket_errors": {"connect": %%d, "read": %%d, "write": %%d, "timeout": %%d}, ' ..
    '"status_errors": %%d, "wrong": %%d, "first_wrong": %%d, "server_errors": %%d, ' ..
    '"reused": %%d, "latency_us": {"p50": %%d, "p90": %%d, "p99": %%d, "max": %%d, ' ..
    '"mean": %%.1f}}',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write,
    e.timeout, e.status, w, fw, s5, r, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean))
  f:close()
end
"""


def lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid Lua string literal for plain paths


def wrk_path() -> str | None:
    return shutil.which("wrk")


def run_wrk(
    port: int,
    requests: list[Request],
    expect: set[int],
    *,
    mode: str = "cycle",
    seconds: int = 10,
    connections: int = 32,
    threads: int = 2,
    timeout: int = 10,
    user_agent: str = "course-bench/1",
) -> dict:
    """wrk -t2 -c32 -d10s --latency with the scenario's requests; its figures as a dict."""
    threads = max(1, min(threads, connections))
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as tmp:
        data = Path(tmp) / "requests.bin"
        with data.open("wb") as f:
            for r in requests:
                raw = r.raw(port, user_agent)
                f.write(f"{len(raw)}\n".encode() + raw)
        out = Path(tmp) / "result.json"
        script = Path(tmp) / "scenario.lua"
        script.write_text(
            LUA
            % {
                "data": lua_string(str(data)),
                "mode": lua_string(mode),
                "out": lua_string(str(out)),
                "threads": threads,
                "expect": ", ".join(f"[{s}] = true" for s in sorted(expect)),
            }
        )
        command = [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            f"--timeout={timeout}s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}/",
        ]
        # Our own argument list, no shell.
        finished = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
        if finished.returncode != 0 or not out.exists():
            raise RuntimeError(f"wrk failed ({finished.returncode}): {finished.stderr.strip()}")
        result = json.loads(out.read_text())
    duration = result["duration_us"] / 1e6
    sockets = sum(result["socket_errors"].values())
    return {
        "requests": result["requests"],
        "rps": result["requests"] / duration if duration else 0.0,
        "p50_ms": result["latency_us"]["p50"] / 1000,
        "p90_ms": result["latency_us"]["p90"] / 1000,
        "p99_ms": result["latency_us"]["p99"] / 1000,
        "max_ms": result["latency_us"]["max"] / 1000,
        # Non-2xx/3xx responses and socket errors, as wrk counts them.
        "errors": result["status_errors"] + sockets,
        "socket_errors": result["socket_errors"],
        # Any status the scenario does not expect (includes the 4xx/5xx above).
        "wrong": result["wrong"],
        "first_wrong_status": result["first_wrong"] or None,
        "server_errors": result["server_errors"],
        "reused": result["reused"],
        "mb_per_s": result["bytes"] / duration / 1e6 if duration else 0.0,
    }
