"""A live server on 127.0.0.1 and Debian's Chromium driven by Playwright.

"Going offline" in these tests means both: the browser context is set offline *and* the
server is shut down, so nothing a service worker or a page asks for can reach it.

The tests watch the verifier the way its user does (the data state, the verdict); where
they need its insides they import its ES modules into the page (`verifier_module`), which
gives the very module instances the page runs.
"""

from __future__ import annotations

import pytest
from flask import url_for

from tests.support.browser import chromium, watch_policy
from tests.support.live import LiveServer, start


@pytest.fixture
def live(make_app):
    server = start(make_app)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture
def phone(browser):
    """A phone-sized browser context that accepts downloads."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, accept_downloads=True, service_workers="allow"
    )
    # The pages run under the app's Content-Security-Policy: anything it blocks (an inline
    # script or style, eval) is reported on the console and fails the test.
    violations: list[str] = []
    watch_policy(context, violations)
    yield context
    context.close()
    assert not violations, "blocked by the Content-Security-Policy:\n" + "\n".join(violations)


def go_offline(live: LiveServer, context) -> None:
    context.set_offline(True)
    live.stop()


def wait_until_installed(page, path: str) -> None:
    """The service worker controls the page and has `path` in its cache."""
    # Generous: installing fetches every file of the verifier, slow on a loaded machine.
    page.wait_for_function(
        "() => navigator.serviceWorker && navigator.serviceWorker.controller", timeout=90_000
    )
    page.wait_for_function(
        """async (path) => {
            for (const name of await caches.keys()) {
                if (await (await caches.open(name)).match(path)) return true;
            }
            return false;
        }""",
        arg=path,
        timeout=90_000,
    )


def wait_for_verifier(page) -> None:
    """The verifier's page has shown the data kept on this device (fresh or stale)."""
    page.wait_for_selector('#data-state:not([data-state="none"])')


def verifier_module(live: LiveServer, name: str) -> str:
    """The URL of one of the verifier's modules (verify.js, proofs.js …)."""
    # By its plain name (v=None, no content hash): the URL the verifier's modules import
    # each other by, so that the test talks to the same module instance as the page.
    with live.app.test_request_context():
        return url_for("offline_worker.static", filename=name, v=None)


# Added with page.add_init_script: the page then behaves as in a browser whose WebCrypto
# has no Ed25519 (as older Safari and Firefox), so the verifier takes its fallback.
WITHOUT_ED25519 = """(() => {
    const importKey = SubtleCrypto.prototype.importKey;
    SubtleCrypto.prototype.importKey = function (format, keyData, algorithm, ...rest) {
        const name = typeof algorithm === "string" ? algorithm : algorithm && algorithm.name;
        if (String(name).toLowerCase() === "ed25519") {
            return Promise.reject(new DOMException("Ed25519", "NotSupportedError"));
        }
        return importKey.call(this, format, keyData, algorithm, ...rest);
    };
})();"""


def engine(page, live: LiveServer) -> str | None:
    """Which Ed25519 the page's verifier used last: "webcrypto" or "noble"."""
    return page.evaluate(
        "async (url) => (await import(url)).engine()", verifier_module(live, "proofs.js")
    )
