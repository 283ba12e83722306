"""End-to-end fixtures: the app served on 127.0.0.1 in a thread, Debian's Chromium driven by
Playwright (never a downloaded browser), screenshots kept in test-artifacts/ when a test fails.

Browser tests run on the SQLite backend only (PostgreSQL behaviour is covered by the other
tests); they are skipped when /usr/bin/chromium is missing (``make test`` installs it as root).
"""

from __future__ import annotations

import re
import shutil
import threading
import time
import zipfile
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from curriculum.db import db
from curriculum.importer import import_pack

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
MINIMAL_PACK = Path(__file__).resolve().parents[1] / "curriculum" / "packs" / "minimal"


@pytest.fixture
def app_config(app_config):
    config = dict(app_config, WTF_CSRF_ENABLED=True)
    config.pop("SERVER_NAME", None)
    return config


@pytest.fixture
def live_server(app, backend):
    if backend != "sqlite":
        pytest.skip("browser journeys run on the SQLite backend")
    if not shutil.which(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (make test installs it as root)")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["LMS_PUBLIC_URL"] = url
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield url
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not shutil.which(CHROMIUM):
        pytest.skip("Debian's chromium is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture
def new_page(browser, request):
    """``new_page(width=390, height=844)`` → a page in a fresh context; screenshots on failure."""
    pages = []

    def factory(width: int = 390, height: int = 844, **options):
        context = browser.new_context(
            viewport={"width": width, "height": height}, accept_downloads=True, **options
        )
        page = context.new_page()
        page.set_default_timeout(15000)
        pages.append(page)
        return page

    yield factory
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        for index, page in enumerate(pages):
            try:
                page.screenshot(path=str(ARTIFACTS / f"{name}-{index}.png"), full_page=True)
            except Exception:  # noqa: BLE001, S112 - a closed page has nothing to show
                continue
    for page in pages:
        page.context.close()


@pytest.fixture
def minimal_course(app):
    import_pack(MINIMAL_PACK)
    db.session.commit()
    from curriculum.models import Course

    return db.session.scalar(db.select(Course).filter_by(slug="minimal-course"))


def follow(target) -> None:
    """Click a link or a form's button and wait until the page it leads to has loaded.

    A bare ``click()`` returns as soon as the click is dispatched: checking the page right after
    it may still see the old page, or a new one not parsed yet.
    """
    with target.page.expect_navigation():
        target.click()


def wait_until(page, expression: str, seconds: float = 10) -> None:
    """Wait until ``expression`` is true in the page. Playwright's ``wait_for_function`` polls
    with ``eval``, which the LMS's CSP (no 'unsafe-eval') refuses whenever the first look is
    not already true; ``evaluate`` goes through the DevTools protocol, which the CSP allows."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still not true after {seconds} s: {expression}"
        page.wait_for_timeout(100)


def submit(page, button_text: str) -> None:
    follow(page.get_by_role("button", name=button_text))


def zip_of(folder: Path, target: Path) -> Path:
    """A pack folder zipped the way an author does it: one top folder, the pack inside."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, f"{folder.name}/{path.relative_to(folder)}")
    return target
