"""Learning records and packaged content (issue 19): what each measurement costs the server.

A registry of measurements, each a function returning ``Measurement``s: run them all, or some
with ``--only NAME``. Each prints its detail, then the script ends with one line

    RESULT statements_per_s=... enqueue_overhead_ms=... scorm_commit_ms=...

then whether each target is met (exit 1 if one is not).

- ``statements_per_s``, ``enqueue_overhead_ms`` — see ``xapi()`` (a real Ralph LRS on a loopback
  port; targets: at least 500 statements/s, under 2 ms added to the request).
- ``scorm_commit_ms`` — a SCORM commit round trip, server time: the lesson page's POST of one
  commit (a learner of a SCORM 2004 lesson, full CMI object with 4 KB of suspend data and ten
  interactions, as scorm-again sends it) through the whole Flask stack, in process: login
  session, CSRF check, the attempt locked and updated, progress touched, the transaction
  committed. Median of RUNS commits after WARM_UP, on SQLite (a file, WAL) and, when
  LMS_TEST_POSTGRES_URL is set, on PostgreSQL too (the worse median is the figure). Target:
  under 30 ms. The detail gives ``/healthz`` timed in the same run and the load average: on a
  busy machine every figure grows together (the commit stays a small multiple of /healthz).

    .venv/bin/python benchmarks/bench_records.py [--only xapi] [--only scorm_commit_ms]
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import re
import statistics
import sys
import tempfile
import time
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from curriculum.db import db  # noqa: E402
from curriculum.models import Course, Lesson, Module  # noqa: E402
from curriculum.scorm import inspect_package, store_package  # noqa: E402
from lms import create_app  # noqa: E402
from lms.app import database_url  # noqa: E402
from lms.learning.models import Enrolment  # noqa: E402
from lms.learning.operations import enrol  # noqa: E402
from lms.models import import_all_models  # noqa: E402
from lms.records import events, outbox  # noqa: E402
from lms.records.delivery import send_pending  # noqa: E402
from lms.records.models import XapiStatement  # noqa: E402
from lms.users.operations import create_user  # noqa: E402
from tests.records.ralph import PASSWORD as RALPH_PASSWORD  # noqa: E402
from tests.records.ralph import USERNAME as RALPH_USER  # noqa: E402
from tests.records.ralph import Ralph  # noqa: E402

RUNS = 200
WARM_UP = 20
PASSWORD = "benchmark-password"


@dataclass
class Measurement:
    name: str
    value: float
    #: (comparison, bound): "<" means the value must stay under the bound
    target: tuple[str, float]
    detail: str = ""

    @property
    def met(self) -> bool:
        comparison, bound = self.target
        return self.value < bound if comparison == "<" else self.value >= bound


#: name → function returning its measurements (the xAPI ones join here)
REGISTRY: dict[str, Callable[[], list[Measurement]]] = {}


def measurement(name: str):
    def register(function: Callable[[], list[Measurement]]):
        REGISTRY[name] = function
        return function

    return register


# -- xAPI statements ---------------------------------------------------------------------------

STATEMENTS = 10_000


def _xapi_app(url: str, instance: str, endpoint: str):
    app = create_app(
        {"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url, "LMS_DEFAULT_LANGUAGE": "en",
         "LMS_PUBLIC_URL": "http://lms.bench", "LMS_XAPI_ENDPOINT": endpoint,
         "LMS_XAPI_USERNAME": RALPH_USER, "LMS_XAPI_PASSWORD": RALPH_PASSWORD},
        instance_path=instance,
    )  # fmt: skip
    with app.app_context():
        import_all_models()
        db.create_all()
        course = Course(
            slug="bench", version="1", content_hash="x", default_language="en",
            languages=["en"], complete_languages=["en"], titles={"en": "Bench"},
            descriptions={"en": ""}, audience={}, estimated_hours=1, sequential=False,
            self_enrolment=True, serial_prefix="BEN",
            certificate_rule={"required_lessons": "all", "languages": ["en"], "wording": {"en": ""}},
        )  # fmt: skip
        db.session.add(course)
        db.session.flush()
        module = Module(course=course, slug="m", position=1, titles={"en": "M"}, summaries={})
        lesson = Lesson(
            course_id=course.id, module=module, slug="read", position=1, kind="reading",
            minutes=5, titles={"en": "Read"}, bodies={"en": "<p>x</p>"}, settings={},
            content_hash="x",
        )  # fmt: skip
        db.session.add_all([module, lesson])
        user = create_user("xapi@example.org", "Bench Learner", PASSWORD, ["learner"])
        enrolment = enrol(user, course)
        db.session.commit()
        enrolment_id = enrolment.id
    return app, enrolment_id


def _drain_sender(app) -> None:
    """Wait for the background sender's rounds (queued by the measured requests) to end."""
    pool = app.extensions["lms"].extra.get(outbox.EXECUTOR_KEY)
    if pool is not None:
        pool.submit(lambda: None).result(timeout=120)
    outbox.cancel_scheduled_wake(app)


@measurement("xapi")
def xapi() -> list[Measurement]:
    """``statements_per_s``: 10,000 statements queued, then sent to a real Ralph (filesystem
    backend, on a loopback port) by ``send_pending`` in batched POSTs, every one counted in
    Ralph's file afterwards. ``enqueue_overhead_ms``: the lesson page (which records the open and
    queues its ``experienced`` statement) with xAPI on minus the same page with xAPI off,
    medians of interleaved requests in the same run, the wake included: each commit that queues
    hands the sender to the background thread, which sends to Ralph while the next requests run,
    as on a site without Celery."""
    folder = tempfile.mkdtemp(prefix="lms-bench-xapi-")
    ralph = Ralph(Path(folder) / "ralph")
    ralph.start()
    try:
        app, enrolment_id = _xapi_app(
            f"sqlite:///{folder}/bench.sqlite3", os.path.join(folder, "instance"), ralph.endpoint
        )
        endpoint = app.config["LMS_XAPI_ENDPOINT"]
        client = app.test_client()
        login_page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', login_page)[1]
        client.post("/login", data={"email": "xapi@example.org", "password": PASSWORD,
                                    "csrf_token": token})  # fmt: skip
        on, off = [], []
        # a round woken by an "on" request may run during an "off" one: it then sends nothing
        logging.getLogger("lms.records").setLevel(logging.ERROR)
        for run in range(WARM_UP + RUNS):
            for enabled, times in ((True, on), (False, off)):
                app.config["LMS_XAPI_ENDPOINT"] = endpoint if enabled else None
                started = time.perf_counter()
                response = client.get("/courses/bench/m/read")
                elapsed = (time.perf_counter() - started) * 1000
                assert response.status_code == 200, response.status_code
                if run >= WARM_UP:
                    times.append(elapsed)
        app.config["LMS_XAPI_ENDPOINT"] = endpoint
        _drain_sender(app)
        overhead = statistics.median(on) - statistics.median(off)
        with app.app_context():
            db.session.query(XapiStatement).delete()
            enrolment = db.session.get(Enrolment, enrolment_id)
            template = events.registered(enrolment)[0]
            for start in range(0, STATEMENTS, 1000):
                made = [
                    {**template, "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"bench/{n}"))}
                    for n in range(start, start + 1000)
                ]
                outbox.enqueue(made, enrolment.user_id)
            db.session.info.pop(outbox.PENDING_KEY, None)
            db.session.commit()
        started = time.perf_counter()
        outcome = send_pending(app, backoff=0)
        elapsed = time.perf_counter() - started
        stored = len(set(ralph.stored_ids()))
        assert outcome.sent == STATEMENTS and stored >= STATEMENTS, (outcome, stored)
    finally:
        ralph.stop()
    rate = STATEMENTS / elapsed
    return [
        Measurement("statements_per_s", round(rate), (">=", 500.0),
                    f"{STATEMENTS} in {elapsed:.1f} s, batches of "
                    f"{app.config['LMS_XAPI_BATCH_SIZE']}, all in Ralph"),
        Measurement("enqueue_overhead_ms", round(overhead, 2), ("<", 2.0),
                    f"lesson page median {statistics.median(on):.1f} ms with xAPI, "
                    f"{statistics.median(off):.1f} ms without, {RUNS} each"),
    ]  # fmt: skip


# -- SCORM commit ------------------------------------------------------------------------------

MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="bench" version="1" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="org"><organization identifier="org"><title>Bench</title>
    <item identifier="i1" identifierref="r1"><title>Bench</title></item>
  </organization></organizations>
  <resources><resource identifier="r1" type="webcontent" adlcp:scormType="sco" href="index.html">
    <file href="index.html"/></resource></resources>
</manifest>
"""


def _package() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("imsmanifest.xml", MANIFEST)
        archive.writestr("index.html", "<!DOCTYPE html><html><head></head><body>x</body></html>")
    return buffer.getvalue()


def _commit_body(sequence: int) -> str:
    interactions = {
        str(n): {"id": f"q{n}", "type": "choice", "learner_response": "b", "result": "correct",
                 "timestamp": "2026-12-03T08:00:00Z", "latency": "PT4S"}
        for n in range(10)
    }  # fmt: skip
    cmi = {
        "location": str(sequence % 30),
        "suspend_data": f"page-{sequence};" * 512,
        "completion_status": "incomplete",
        "success_status": "unknown",
        "score": {"raw": "40", "min": "0", "max": "100", "scaled": "0.4"},
        "session_time": f"PT{sequence}S",
        "exit": "suspend",
        "interactions": interactions,
        "objectives": {},
    }
    return json.dumps({"session": "bench", "sequence": sequence, "terminate": False, "cmi": cmi})


def _scorm_app(url: str, instance: str):
    app = create_app(
        {"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url, "LMS_DEFAULT_LANGUAGE": "en"},
        instance_path=instance,
    )
    with app.app_context():
        import_all_models()
        db.create_all()
        data = _package()
        package = inspect_package(data)
        store_package(data, package)
        course = Course(
            slug="bench", version="1", content_hash="x", default_language="en",
            languages=["en"], complete_languages=["en"], titles={"en": "Bench"},
            descriptions={"en": ""}, audience={}, estimated_hours=1, sequential=False,
            self_enrolment=True, serial_prefix="BEN",
            certificate_rule={"required_lessons": "all", "languages": ["en"], "wording": {"en": ""}},
        )  # fmt: skip
        db.session.add(course)
        db.session.flush()
        module = Module(course=course, slug="m", position=1, titles={"en": "M"}, summaries={})
        lesson = Lesson(
            course_id=course.id, module=module, slug="scorm", position=1, kind="scorm",
            minutes=5, titles={"en": "Bench"}, bodies={}, settings=package.settings(),
            content_hash="x",
        )  # fmt: skip
        db.session.add_all([module, lesson])
        user = create_user("bench@example.org", "Bench Learner", PASSWORD, ["learner"])
        enrol(user, course)
        db.session.commit()
        lesson_id = lesson.id
    return app, lesson_id


def _time_commits(app, lesson_id: int) -> list[float]:
    client = app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    login_token = re.search(r'name="csrf_token" value="([^"]+)"', login_page)[1]
    response = client.post(
        "/login",
        data={"email": "bench@example.org", "password": PASSWORD, "csrf_token": login_token},
    )
    assert response.status_code == 302, response.status_code
    # the CSRF token the lesson page gives its player, as the browser reads it
    page = client.get("/courses/bench/m/scorm").get_data(as_text=True)
    signed = re.search(r'data-csrf="([^"]+)"', page)[1]
    url = f"/scorm/lessons/{lesson_id}/attempts/1/commit"
    headers = {"X-CSRFToken": signed, "Content-Type": "application/json"}
    times, baseline = [], []
    for sequence in range(1, WARM_UP + RUNS + 1):
        body = _commit_body(sequence)
        started = time.perf_counter()
        response = client.post(url, data=body, headers=headers)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (response.status_code, response.get_data()[:300])
        # the cheapest request of the app, right after: how slow the machine is at this moment
        started = time.perf_counter()
        client.get("/healthz")
        health = (time.perf_counter() - started) * 1000
        if sequence > WARM_UP:
            times.append(elapsed)
            baseline.append(health)
    return times, baseline


@measurement("scorm_commit_ms")
def scorm_commit() -> list[Measurement]:
    backends: list[tuple[str, str]] = []
    folder = tempfile.mkdtemp(prefix="lms-bench-records-")
    backends.append(("sqlite", f"sqlite:///{folder}/bench.sqlite3"))
    postgres = os.environ.get("LMS_TEST_POSTGRES_URL")
    if postgres:
        admin = create_engine(database_url(postgres), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS bench_records CASCADE"))
            connection.execute(text("CREATE SCHEMA bench_records"))
        admin.dispose()
        separator = "&" if "?" in database_url(postgres) else "?"
        url = f"{database_url(postgres)}{separator}options=-csearch_path%3Dbench_records"
        backends.append(("postgres", url))
    medians = {}
    details = []
    for name, url in backends:
        app, lesson_id = _scorm_app(url, os.path.join(folder, f"instance-{name}"))
        times, baseline = _time_commits(app, lesson_id)
        times.sort()
        medians[name] = statistics.median(times)
        p95 = times[int(len(times) * 0.95) - 1]
        details.append(
            f"{name}: median {medians[name]:.1f} ms, p95 {p95:.1f} ms over {RUNS} "
            f"(/healthz in the same run: {statistics.median(baseline):.1f} ms)"
        )
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    worst = max(medians.values())
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    details.append(f"load average {load} on {os.cpu_count()} CPUs (run on an idle machine)")
    return [Measurement("scorm_commit_ms", round(worst, 1), ("<", 30.0), "; ".join(details))]


# -- running -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", choices=sorted(REGISTRY), default=None)
    arguments = parser.parse_args(argv)
    results: list[Measurement] = []
    for name in arguments.only or list(REGISTRY):
        for result in REGISTRY[name]():
            print(f"{result.name}: {result.value} ({result.detail})", flush=True)
            results.append(result)
    print("RESULT " + " ".join(f"{r.name}={r.value}" for r in results))
    for result in results:
        comparison, bound = result.target
        verdict = "met" if result.met else "NOT MET"
        print(f"  {result.name} {comparison} {bound}: {verdict}")
    return 0 if all(result.met for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
