"""The browser tier: one headless Chromium per session, a fresh context per test, at a phone's and a desktop's size."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import sync_playwright

from tests.local_stack import local_api  # noqa: F401 - the tier's fixture

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import Browser, Page

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORTS: dict[str, dict[str, Any]] = {
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
    "desktop": {"viewport": {"width": 1280, "height": 900}},
}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
_SHOT_PREFIX = "mahnwerk_shot_prefix"  # where the page fixture leaves "<test>-<viewport>" for `shot`


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One Chromium for the whole session: launching costs seconds, a new context costs milliseconds."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh context per test, so no cookie or history leaks from one test into the next."""
    viewport = str(request.param)
    context = browser.new_context(**VIEWPORTS[viewport])
    context.set_default_timeout(10_000)
    tab = context.new_page()
    setattr(tab, _SHOT_PREFIX, f"{request.node.originalname}-{viewport}")
    try:
        yield tab
    finally:
        context.close()


def shot(page: Page, name: str) -> Path:
    """Saves test-artifacts/browser/<test>-<viewport>-<name>.png (full page), for a human to look at the result."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    prefix = getattr(page, _SHOT_PREFIX, "page")
    path = ARTIFACTS / f"{prefix}-{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.png"
    page.screenshot(path=path, full_page=True)
    return path
