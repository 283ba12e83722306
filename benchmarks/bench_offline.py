"""Offline and slow-network figures of the learner's pages (issue 16), in Debian's Chromium.

The app is served on 127.0.0.1 (werkzeug, threaded) with the bundled packs and one enrolled
learner. Chromium is driven by Playwright; the network is emulated through the Chrome DevTools
Protocol (``Network.emulateNetworkConditions``) as 2G: 250 kbit/s down, 50 kbit/s up, 800 ms
round trip. Measured, as the largest contentful paint (LCP) of a reading lesson:

- cold: a fresh browser profile (no HTTP cache, no service worker), logged in;
- warm: the same profile after "Download for offline" of the lesson's module (the service worker
  serves the page from the learner's cache and checks it behind);
- offline: the network cut (``context.set_offline(True)``), the page from the offline cache;
- sync100_s: the reconnect path a phone takes. Offline, 100 actions join the queue (IndexedDB,
  through ``LMSQueue`` as the pages and the service worker do); then the network comes back on
  the 2G profile, the page gets its ``online`` event and sends the queue by itself. Timed until
  the queue on the phone is empty *and* the server has the 100 actions applied (checked in its
  database); anything else fails the run. (The network comes back through the same DevTools
  call as the 2G profile: Playwright's ``set_offline(False)`` sends that call too, with no
  throttling, which would time the sending at full speed.)

Lighthouse 12.2.3 (tests/node/node_modules, run with Debian's Chromium, mobile, the learner's
session cookie) scores the lesson, course and "My learning" pages: lighthouse_min is the lowest
of their performance scores (target >= 95), lighthouse_a11y_min the lowest of their
accessibility scores (target 100). The manifest is checked on the lesson page with
``Page.getAppManifest`` and ``Page.getInstallabilityErrors`` (tests/e2e/installability.py,
shared with the e2e test).

Targets: lcp_2g_cold_ms < 3000, lcp_2g_warm_ms < 1000, offline_ms < 500, sync100_s < 10,
lighthouse_min >= 95, lighthouse_a11y_min = 100, no installability error. The run exits with 1
when one is missed (the RESULT line is printed first), with 2 when the sync did not complete.

    .venv/bin/python benchmarks/bench_offline.py

Ends with ``RESULT lcp_2g_cold_ms=... lcp_2g_warm_ms=... offline_ms=... sync100_s=...
lighthouse_min=... lighthouse_a11y_min=...``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import func, select
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from curriculum.db import db  # noqa: E402
from curriculum.importer import import_bundled_packs  # noqa: E402
from curriculum.models import Course  # noqa: E402
from lms import create_app  # noqa: E402
from lms.learning import operations  # noqa: E402
from lms.offline.models import OfflineAction  # noqa: E402
from lms.users.operations import create_user  # noqa: E402
from tests.e2e.installability import CONTROLLED, check  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
LIGHTHOUSE = ROOT / "tests" / "node" / "node_modules" / "lighthouse" / "cli" / "index.js"
if not LIGHTHOUSE.exists():
    LIGHTHOUSE = Path("/work/main/tests/node/node_modules/lighthouse/cli/index.js")
PASSWORD = "benchmark-password"
EMAIL = "salma@example.org"
COURSE = "/courses/solving-public-problems"
LESSON = COURSE + "/mindset/public-problem"
TWO_G = {"offline": False, "latency": 800, "downloadThroughput": 250_000 / 8,
         "uploadThroughput": 50_000 / 8}  # fmt: skip
NO_LIMIT = {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
LCP = """() => new Promise(resolve => new PerformanceObserver(list => {
    const entries = list.getEntries(); resolve(entries[entries.length - 1].startTime);
  }).observe({type: 'largest-contentful-paint', buffered: true}))"""


def serve(folder: str):
    app = create_app(
        {"SECRET_KEY": "bench-secret", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/b.sqlite3"},
        instance_path=os.path.join(folder, "instance"),
    )
    with app.app_context():
        db.create_all()
        for _line in import_bundled_packs():
            pass
        learner = create_user(EMAIL, "Salma Bennani", PASSWORD, ["learner"], "fr")
        operations.enrol(learner, db.session.scalar(db.select(Course).filter_by(
            slug="solving-public-problems")))  # fmt: skip
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return app, f"http://127.0.0.1:{server.server_port}"


def log_in(context, base: str) -> None:
    """Through the API, so that no page (hence no service worker, no cache) is loaded."""
    login = context.request.get(f"{base}/login").text()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1)
    context.request.post(f"{base}/login", form={"email": EMAIL, "password": PASSWORD,
                                                "csrf_token": token})  # fmt: skip


def lcp(page, url: str) -> float:
    page.goto(url, wait_until="load", timeout=60000)
    return page.evaluate(LCP)


def until(page, predicate: str, seconds: float = 30) -> None:
    """Poll ``predicate`` in the page (the pages' CSP forbids the eval of wait_for_function)."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(predicate):
        if time.monotonic() > deadline:
            raise TimeoutError(predicate)
        time.sleep(0.1)


QUEUE_100 = """() => { const box = document.getElementById('lms-offline');
  const lessons = ['public-problem', 'public-entrepreneur', 'start-from-what-exists'];
  const adds = [];
  for (let n = 0; n < 100; n++) adds.push(LMSQueue.add({key: 'bench-' + n,
    user: box.dataset.user, kind: 'done',
    lesson: 'solving-public-problems/mindset/' + lessons[n % 3],
    occurred_at: new Date(Date.now() - 1000 * (100 - n)).toISOString(), data: {}}));
  return Promise.all(adds); }"""
WAITING = "LMSQueue.items(document.getElementById('lms-offline').dataset.user).then(i => i.length)"


def applied_on_server(app) -> int:
    with app.app_context():
        try:
            return db.session.scalar(
                select(func.count())
                .select_from(OfflineAction)
                .where(OfflineAction.key.like("bench-%"), OfflineAction.status == "applied")
            )
        finally:
            db.session.remove()


def waiting_on_phone(page) -> int | None:
    """How many actions wait in the queue (None while the page reloads after sending)."""
    try:
        return page.evaluate(f"() => typeof LMSQueue === 'undefined' ? null : {WAITING}")
    except Exception:  # noqa: BLE001 - the page is navigating: look again
        return None


def sync100(app, page, cdp) -> float:
    """Seconds from the network's return (2G) until the phone's queue is empty and the server
    has the 100 actions applied. Raises ``SystemExit(2)`` if that does not happen in 60 s."""
    until(page, "() => typeof LMSQueue !== 'undefined'")
    page.evaluate(QUEUE_100)
    assert page.evaluate(WAITING) == 100
    cdp.send("Network.emulateNetworkConditions", {**TWO_G, "offline": True})
    started = time.perf_counter()
    cdp.send("Network.emulateNetworkConditions", TWO_G)  # back online: the page's "online"
    deadline = started + 60
    while True:
        elapsed = time.perf_counter() - started
        applied, waiting = applied_on_server(app), waiting_on_phone(page)
        if applied == 100 and waiting == 0:
            return elapsed
        if time.perf_counter() > deadline:
            print(f"sync did not complete: {applied} applied on the server, {waiting} waiting")
            raise SystemExit(2)
        time.sleep(0.05)


def installability(playwright, base: str, folder: str) -> list:
    """The manifest's parse errors and the installability errors of a lesson page, in a real
    (persistent, not incognito) profile (tests/e2e/installability.py)."""
    context = playwright.chromium.launch_persistent_context(
        os.path.join(folder, "profile"), executable_path=CHROMIUM, args=["--no-sandbox"]
    )
    log_in(context, base)
    page = context.new_page()
    page.goto(base + LESSON)
    page.evaluate(CONTROLLED)
    page.reload()
    result = check(page)
    print("manifest:", result.manifest_url, "parse errors:", result.manifest_errors)
    print("installability errors:", result.errors)
    context.close()
    return result.problems


def lighthouse(url: str, cookie: str, folder: str) -> dict[str, int]:
    out = Path(folder) / "lh.json"
    subprocess.run(
        [
            "node",
            str(LIGHTHOUSE),
            url,
            f"--chrome-path={CHROMIUM}",
            "--quiet",
            "--only-categories=performance,accessibility",
            "--output=json",
            f"--output-path={out}",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
            f"--extra-headers={json.dumps({'Cookie': cookie})}",
        ],  # fmt: skip
        check=True,
        timeout=300,
    )
    report = json.loads(out.read_text())
    return {name: round(100 * c["score"]) for name, c in report["categories"].items()}


def main() -> None:
    from playwright.sync_api import sync_playwright

    folder = tempfile.mkdtemp(prefix="lms-bench-offline-")
    app, base = serve(folder)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 390, "height": 844})
        log_in(context, base)
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")

        cdp.send("Network.emulateNetworkConditions", TWO_G)
        cold = lcp(page, base + LESSON)

        cdp.send("Network.emulateNetworkConditions", NO_LIMIT)
        page.goto(base + COURSE)
        page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
        page.reload()
        panel = page.locator(".offline-download").first
        panel.locator("[data-get]").click()
        panel.locator("[data-confirm]").click()
        panel.locator("[data-remove]").wait_for(state="visible", timeout=60000)
        # "Téléchargé pour le hors ligne : 141 KB sur ce téléphone (…)": every file is stored
        until(page, "() => /KB.*\\(/.test(document.querySelector('.offline-download [data-state]')"
                    ".textContent)")  # fmt: skip

        cdp.send("Network.emulateNetworkConditions", TWO_G)
        lcp(page, base + LESSON)  # its check behind brings the copy up to date
        time.sleep(3)
        warm = min(lcp(page, base + LESSON) for _ in range(3))

        context.set_offline(True)
        offline = min(lcp(page, base + LESSON) for _ in range(3))

        title = page.locator("h1").inner_text()
        print(f"cold {cold:.0f} ms, warm {warm:.0f} ms, offline {offline:.0f} ms: {title}")
        if page.locator("#lms-offline").count() == 0:  # the offline page: not the lesson
            print("the downloaded lesson did not open offline")
            raise SystemExit(2)
        sync100_s = sync100(app, page, cdp)
        print(f"sync of 100 actions on reconnect: {sync100_s:.2f} s")
        context.set_offline(False)
        cookie = "; ".join(f"{c['name']}={c['value']}" for c in context.cookies())
        browser.close()
        errors = installability(playwright, base, folder)

    scores = {}
    for name, path in (("lesson", LESSON), ("course", COURSE), ("my", "/my")):
        scores[name] = lighthouse(base + path, cookie, folder)
        print(f"lighthouse {name}: {scores[name]}")
    performance = min(page_scores["performance"] for page_scores in scores.values())
    accessibility = min(page_scores["accessibility"] for page_scores in scores.values())
    print(
        f"RESULT lcp_2g_cold_ms={cold:.0f} lcp_2g_warm_ms={warm:.0f} offline_ms={offline:.0f} "
        f"sync100_s={sync100_s:.2f} lighthouse_min={performance} "
        f"lighthouse_a11y_min={accessibility}"
    )
    missed = [
        name
        for name, met in (
            ("lcp_2g_cold_ms < 3000", cold < 3000),
            ("lcp_2g_warm_ms < 1000", warm < 1000),
            ("offline_ms < 500", offline < 500),
            ("sync100_s < 10", sync100_s < 10),
            ("lighthouse_min >= 95", performance >= 95),
            ("lighthouse_a11y_min = 100", accessibility == 100),
            ("no installability error", not errors),
        )
        if not met
    ]
    if missed:
        print("targets missed:", ", ".join(missed))
        sys.exit(1)


if __name__ == "__main__":
    main()
