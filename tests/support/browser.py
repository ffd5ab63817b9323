"""Debian's Chromium under Playwright, for the offline and accessibility tests: found or
the test skipped (failed in CI, which installs it), and a watch on each page for anything
the app's Content-Security-Policy blocks."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


@contextlib.contextmanager
def chromium() -> Iterator:
    """A launched headless Chromium, closed at the end."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}: .ci/run installs Debian's package")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            yield browser
        finally:
            browser.close()


def watch_policy(context, blocked: list[str]) -> None:
    """Every page of the context adds to `blocked` what the Content-Security-Policy
    blocked on it (an inline script or style, eval), as Chromium reports on the console."""

    def watch(page) -> None:
        page.on(
            "console",
            lambda message: (
                blocked.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )

    context.on("page", watch)
