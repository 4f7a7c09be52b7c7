import copy
import os
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from artsprize.common import local_s3
from tests.e2e.axe import Axe
from tests.services import require

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-results"

# Playwright's sync API keeps an event loop in this thread; the ORM calls the tests
# make between browser steps are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def chromium():
    require(os.path.exists(CHROMIUM), f"Debian's Chromium is needed at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(params=["desktop", "phone"])
def page(request, chromium):
    """A fresh browser context: a laptop-sized window, and a 390 px phone.

    The browser prefers a light colour scheme, or the scheme a test's own
    ``color_scheme`` fixture names ("light" or "dark").

    A test fails at its end when the page logged an error or when axe-core found
    an accessibility problem on any page it visited (tests/e2e/axe.py), the state
    it ends in included; ``page.check_accessibility()`` checks a state on the way.
    """
    viewport = (
        {"width": 390, "height": 844}
        if request.param == "phone"
        else {"width": 1280, "height": 900}
    )
    scheme = (
        request.getfixturevalue("color_scheme")
        if "color_scheme" in request.fixturenames
        else "light"
    )
    context = chromium.new_context(
        viewport=viewport, locale="en-GB", color_scheme=scheme
    )
    context.set_default_timeout(15000)
    axe = Axe()
    axe.install(context)
    page = context.new_page()
    axe.watch(page)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            errors.append(message.text) if message.type == "error" else None
        ),
    )
    page.viewport_name = request.param
    # A test that expects an error (Chromium reports every 4xx page it loads) takes
    # it off this list; anything else left on it fails the test.
    page.reported_errors = errors
    yield page
    # The state the test leaves the page in counts too (opened menus, messages
    # shown by scripts, errors after a failed save).
    if not page.is_closed():
        axe.check(page)
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(
            path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True
        )
    context.close()
    assert errors == [], f"The page reported errors: {errors}"
    problems = axe.problems()
    assert problems == [], "axe-core found accessibility problems:\n" + "\n".join(
        problems
    )


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser_s3(live_server, s3_server):
    """An S3 endpoint that a page served by the live server may upload to.

    rclone answers a CORS preflight with the one origin it was started with, and the
    live server's port is chosen when it starts. A second rclone over the suite's
    folder, with the same keys and buckets, allows that origin; objects written
    through it are the suite server's objects.
    """
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(live_server.url))
    port = local_s3.free_port()
    with tempfile.TemporaryFile() as log:
        process = local_s3.start(
            directory=s3_server.directory,
            port=port,
            access_key=s3_server.access_key,
            secret_key=s3_server.secret_key,
            allow_origin=origin,
            buckets=[s3_server.private_bucket, s3_server.public_bucket],
            stdout=log,
            stderr=log,
        )
        endpoint = copy.copy(s3_server)
        endpoint.port = port
        endpoint.endpoint_url = f"http://127.0.0.1:{port}"
        try:
            yield endpoint
        finally:
            process.terminate()
            process.wait(timeout=10)


@pytest.fixture
def browser_uploads(settings, browser_s3):
    """Point storage, presigning and the page's Content-Security-Policy at
    ``browser_s3`` for one test; returns that endpoint."""
    settings.STORAGES = browser_s3.storages()
    settings.S3_ENDPOINT_URL = browser_s3.endpoint_url
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    for directive in ("connect-src", "img-src", "media-src"):
        policy["DIRECTIVES"][directive] = [
            *policy["DIRECTIVES"][directive],
            browser_s3.endpoint_url,
        ]
    settings.CONTENT_SECURITY_POLICY = policy
    return browser_s3
