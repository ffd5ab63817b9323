"""App servers as separate processes (`course serve`), for tests of a deployment with
several of them: each its own instance folder and content copy, all on the same database,
the same Redis and the same secrets."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.support.live import free_port

# What a deployer sets on the environment that decides which database and secrets a
# server uses: never inherited from the test run's own environment.
_OURS = (
    "DATABASE_URL",
    "SECRET_KEY",
    "IIN_HMAC_KEY",
    "COURSE_KEYS_DIR",
    "COURSE_INSTANCE",
    "COURSE_CONTENT",
    "COURSE_BASE_URL",
    "COURSE_SERVER_NAME",
    "RATELIMIT_STORAGE_URI",
    "RATELIMIT_KEY_PREFIX",
    "TRUSTED_HOSTS",
)


class AppServer:
    """`course serve --workers N` (1 unless given) on a free port of 127.0.0.1; its output
    in `log`."""

    def __init__(self, name: str, folder: Path, env: dict[str, str], workers: int = 1):
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = folder / f"{name}.log"
        environment = {k: v for k, v in os.environ.items() if k not in _OURS}
        environment.update(env)
        course = Path(sys.executable).with_name("course")
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(  # noqa: S603 - our own console script
                [str(course), "serve", "--port", str(self.port), "--workers", str(workers)],
                env=environment,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its gunicorn workers go with it on stop()
            )

    def wait_until_up(self, timeout: float = 90) -> dict:
        """The /healthz answer, once the server answers (it migrates first)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"{self.name} stopped:\n{self.output()}")
            with contextlib.suppress(requests.RequestException, ValueError):
                return requests.get(f"{self.url}/healthz", timeout=2).json()
            time.sleep(0.1)
        raise AssertionError(f"{self.name} did not answer within {timeout} s:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)


def signed_in(server: AppServer, email: str, lang: str = "kk") -> requests.Session:
    """A browser signed in on `server` through the sign-in form (the test password)."""
    from tests.support.clients import csrf_token_from
    from tests.support.factories import PASSWORD

    session = requests.Session()
    page = session.get(f"{server.url}/{lang}/sign-in", timeout=60)
    response = session.post(
        f"{server.url}/{lang}/sign-in",
        data={"email": email, "password": PASSWORD, "csrf_token": csrf_token_from(page.text)},
        allow_redirects=False,
        timeout=60,
    )
    assert response.status_code == 302, response.text[:300]
    return session
