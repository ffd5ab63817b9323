"""axe-core (from npm, locked in tests/accessibility/package-lock.json) run in Debian's
Chromium under Playwright against a live server, at a phone's and a desktop's size.

axe is put into each page with `page.evaluate` of its source: code evaluated by the
DevTools protocol is not subject to the page's Content-Security-Policy, so the pages are
scanned under the very policy they are served with (no `bypass_csp`). Anything the policy
blocks on a page is reported on the console and fails the test, as in tests/offline.

Screenshots of every page scanned go to $ACCESSIBILITY_SCREENSHOTS (CI points it at
artifacts/accessibility/, which it keeps), or to a folder under pytest's temporary
directory.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.app import FIXTURE_CONTENT
from tests.support.browser import chromium, watch_policy
from tests.support.live import start

HERE = Path(__file__).parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe.min.js, installed from tests/accessibility/package-lock.json if it is missing."""
    if not AXE.exists():
        npm = shutil.which("npm")
        if not npm:
            if os.environ.get("CI"):
                pytest.fail("npm is needed to install axe-core (tests/accessibility)")
            pytest.skip("Node.js and npm are not installed")
        subprocess.run(  # noqa: S603 - a fixed command line
            [npm, "ci", "--no-audit", "--no-fund", "--prefix", str(HERE)],
            check=True,
            capture_output=True,
            timeout=600,
        )
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def serve(make_app, tmp_path):
    """serve(course, **config): a live server on a copy of a course, the fixture course
    unless told (the course editor's pages may write beside it); stopped at the end."""
    servers = []

    def serve(course: Path = FIXTURE_CONTENT, **config):
        content = tmp_path / f"content-{len(servers)}"
        shutil.copytree(course, content)
        server = start(lambda **extra: make_app(CONTENT_DIR=str(content), **config, **extra))
        servers.append(server)
        return server

    yield serve
    for server in servers:
        server.stop()


@pytest.fixture
def live(serve):
    return serve()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory) -> Path:
    folder = os.environ.get("ACCESSIBILITY_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("accessibility")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def browser():
    """One Chromium for this folder's tests, closed when they are done (tests/offline
    starts its own afterwards)."""
    with chromium() as launched:
        yield launched


@pytest.fixture
def contexts(browser):
    """new(**options): a browser context that fails the test if the Content-Security-Policy
    blocks anything on its pages; all are closed at the end."""
    made = []
    blocked: list[str] = []

    def new(**options):
        context = browser.new_context(viewport=PHONE, service_workers="block", **options)

        watch_policy(context, blocked)
        made.append(context)
        return context

    yield new
    for context in made:
        context.close()
    assert not blocked, "blocked by the Content-Security-Policy:\n" + "\n".join(blocked)
