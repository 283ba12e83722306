"""Benchmark of the consultations (issue 14): the results page of a consultation with 10,000
answers against one with 100, and the public answer POST with 50 people answering at once
against ``/healthz`` in the same run.

Set-up: a cohort, a circle and its project; two consultations of five questions (two single
choices, a multiple choice, a scale, a short text), one with 100 answers and one with 10,000
(bulk inserts, spread over the six channels and 20 communes, ~2.3 values per answer), then
``VACUUM ANALYZE``; a third consultation, open, for the answers sent during the run.

1. Results: the page as a logged-in facilitator sees it, requested in process with the test
   client (server time, no network); the two consultations take turns request by request so
   that other work on the machine weighs on both alike; the figure is the median of RUNS.
2. Answers: gunicorn (4 workers) on the same database, the rate limiter's counters in Redis when
   LMS_TEST_REDIS_URL is set (as in production with several workers). 50 submitters, each a
   thread that opens the public page (its form and CSRF token), then sends an answer as a new
   device from an address of its own (``X-Forwarded-For`` with LMS_PROXY_FIX=1; a new one for each
   answer, so that the limit per address is never what answers), waits 0.2–0.5 s (short, so that
   the submitters overlap; a person takes far longer to fill in a form), and again, for SECONDS.
   Every answer must be accepted (303); the rate achieved is printed as ``answers_per_s``.
   Before, a few unmeasured answers and probes per worker warm the server up (a server that has
   been up has compiled its templates and opened its connections).
   Then the same 50 threads ask ``/healthz`` on the same pacing, as the baseline.

The database is ``lms_bench_circles`` on the server of LMS_TEST_POSTGRES_URL (else
postgresql://postgres@127.0.0.1:5432/test), created if missing; ITS CONTENTS ARE DROPPED AT START.
Only 127.0.0.1 is contacted. Needs the postgres extra. Ends with:

    RESULT results10000_ms=... results100_ms=... answer_p95_ms=... healthz_p95_ms=... answers_per_s=...
    TARGETS results10000_ms<150: met|MISSED  ratio<=2: met|MISSED  answer_p95_ms<50: met|MISSED

and exits non-zero when a target is missed.

    .venv/bin/python benchmarks/bench_circles.py [--runs 30] [--seconds 20] [--users 50]
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from load import free_port, reset_database, tail, wait_until_up  # noqa: E402

BIN = Path(sys.executable).parent
PASSWORD = "benchmark password"
DATABASE = "lms_bench_circles"
TEST_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/test"
CHANNELS = ("online", "in_person", "paper", "phone", "whatsapp", "radio")
COMMUNES = [f"Commune {n}" for n in range(20)]
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
TARGET_RESULTS_MS = 150
#: seconds a submitter waits between two answers: short, so that the 50 submitters overlap (at
#: 2–4 s they sent about 15 requests a second, one at a time); a person takes longer
THINK = (0.2, 0.5)
TARGET_RATIO = 2.0
TARGET_ANSWER_P95_MS = 50


def bench_database_url() -> str:
    from sqlalchemy.engine import make_url

    test_url = make_url(os.environ.get("LMS_TEST_POSTGRES_URL") or TEST_DATABASE_URL)
    url = test_url.set(database=DATABASE, drivername="postgresql")
    return url.render_as_string(hide_password=False)


# -- set-up ---------------------------------------------------------------------------------------


def fill_answers(consultation, answers: int) -> None:
    """``answers`` answers to the consultation's five questions, in bulk."""
    from sqlalchemy import insert

    from curriculum.db import db, utcnow
    from lms.circles.consultations.models import ConsultationAnswer, ConsultationValue

    if not answers:
        return
    random.seed(answers)
    single, multiple, scale, second, text = consultation.questions
    now = utcnow()
    rows = []
    for n in range(answers):
        channel = CHANNELS[n % len(CHANNELS)]
        rows.append({"consultation_id": consultation.id, "channel": channel,
                     "commune": COMMUNES[n % len(COMMUNES)],
                     "answered_on": date(2026, 11, 1) + timedelta(days=n % 28),
                     "device_hash": f"{n:064x}" if channel == "online" else None,
                     "created_at": now})  # fmt: skip
    ids = db.session.scalars(
        insert(ConsultationAnswer).returning(ConsultationAnswer.id, sort_by_parameter_order=True),
        rows,
    ).all()
    values = []
    for answer_id, row in zip(ids, rows, strict=True):
        common = {"answer_id": answer_id, "consultation_id": consultation.id,
                  "channel": row["channel"], "commune": row["commune"], "hidden_reason": ""}  # fmt: skip
        values.append(
            {**common, "question_id": single.id, "choice": random.choice(("c1", "c2", "c3"))}
        )
        for key in random.sample(("c1", "c2", "c3", "c4"), random.randint(1, 2)):
            values.append({**common, "question_id": multiple.id, "choice": key})
        values.append({**common, "question_id": scale.id, "choice": str(random.randint(1, 5))})
        if random.random() < 0.5:
            values.append(
                {**common, "question_id": second.id, "choice": random.choice(("c1", "c2"))}
            )
        if random.random() < 0.3:
            values.append(
                {**common, "question_id": text.id, "text": f"Une idée numéro {answer_id}"}
            )
    for start in range(0, len(values), 20000):
        db.session.execute(insert(ConsultationValue), values[start : start + 20000])


def prepare(database_url: str, instance: str, secret: str) -> dict:
    from lms import create_app

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": secret, "WTF_CSRF_ENABLED": False},
        instance_path=instance,
    )
    with app.app_context():
        from curriculum.db import db
        from curriculum.models import Course
        from lms.circles.consultations import operations
        from lms.circles.models import Circle, CircleMember, Project
        from lms.cohorts.models import Cohort
        from lms.migrate import upgrade_database
        from lms.users.operations import create_user

        upgrade_database()
        course = Course(slug="bench", version="1", content_hash="x", default_language="fr",
                        languages=["fr", "ar"], complete_languages=["fr"], titles={"fr": "Cercles"},
                        descriptions={}, audience={}, serial_prefix="BEN", certificate_rule={})  # fmt: skip
        trainer = create_user("trainer@example.org", "Youssef", PASSWORD, ["trainer"], "fr")
        member = create_user("member@example.org", "Salma", None, ["learner"], "fr")
        db.session.add(course)
        db.session.flush()
        cohort = Cohort(
            course_id=course.id, name="Cercles", join_code="BENCH001", trainers=[trainer]
        )
        db.session.add(cohort)
        db.session.flush()
        circle = Circle(cohort_id=cohort.id, name="Cercle", code="BENCH001")
        circle.memberships = [CircleMember(cohort_id=cohort.id, user_id=member.id)]
        circle.project = Project(title="Un café de l'emploi")
        db.session.add(circle)
        db.session.flush()
        choices = [{"fr": f"Choix {n}", "ar": f"اختيار {n}"} for n in range(1, 5)]
        questions = [
            operations.QuestionDetails("single", {"fr": "Emploi ?", "ar": "عمل؟"}, choices[:3], True),
            operations.QuestionDetails("multiple", {"fr": "Manques ?", "ar": "نقص؟"}, choices),
            operations.QuestionDetails("scale", {"fr": "Utile ?", "ar": "مفيد؟"}),
            operations.QuestionDetails("single", {"fr": "Bus ?", "ar": "حافلة؟"}, choices[:2]),
            operations.QuestionDetails("text", {"fr": "Une idée ?", "ar": "فكرة؟"}),
        ]  # fmt: skip
        ids = {}
        for name, answers in (("small", 100), ("large", 10000), ("live", 0)):
            consultation = operations.create_consultation(
                member, circle.project,
                operations.ConsultationDetails({"fr": f"Avis {name}", "ar": "رأي"}, communes=COMMUNES),
            )  # fmt: skip
            for question in questions:
                operations.add_question(member, consultation, question)
            operations.open_consultation(member, consultation)
            db.session.flush()
            fill_answers(consultation, answers)
            ids[name] = (consultation.id, consultation.code, [q.id for q in consultation.questions])
        db.session.commit()
        db.session.remove()
        engine = db.engine
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            from sqlalchemy import text

            connection.execute(text("VACUUM ANALYZE"))
        engine.dispose()
    return {"app": app, **ids}


# -- 1. the results page --------------------------------------------------------------------------


def results_ms(app, small: int, large: int, runs: int) -> tuple[float, float]:
    client = app.test_client()
    response = client.post("/login", data={"email": "trainer@example.org", "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    urls = {"small": f"/consultations/{small}/results", "large": f"/consultations/{large}/results"}
    for url in urls.values():
        for _ in range(3):
            page = client.get(url)
            assert page.status_code == 200, (url, page.status_code)
    assert b">10000 " in client.get(urls["large"]).data  # the page counts every answer
    timings: dict[str, list[float]] = {"small": [], "large": []}
    for _ in range(runs):
        for name, url in urls.items():
            started = time.perf_counter()
            response = client.get(url)
            timings[name].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
    return statistics.median(timings["large"]), statistics.median(timings["small"])


# -- 2. answers under load ------------------------------------------------------------------------


class Submitter(threading.Thread):
    def __init__(self, number: int, port: int, code: str, question_ids: list[int], until: float,
                 health: bool):  # fmt: skip
        super().__init__(daemon=True)
        self.number, self.port, self.code, self.questions = number, port, code, question_ids
        self.until, self.health = until, health
        self.latencies: list[float] = []
        self.errors: list[str] = []

    def request(self, method: str, path: str, body: str | None = None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        started = time.perf_counter()
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        cookies = response.headers.get_all("Set-Cookie") or []
        connection.close()
        return response.status, data, cookies, elapsed

    def run(self) -> None:
        time.sleep(random.uniform(0, THINK[1]))
        sent = 0
        while time.time() < self.until:
            sent += 1
            address = f"10.{self.number % 250}.{sent // 250 % 250}.{sent % 250}"
            try:
                self.one(address)
            except OSError as error:
                self.errors.append(str(error))
            time.sleep(random.uniform(THINK[0], THINK[1]))

    def one(self, address: str) -> None:
        base = {"X-Forwarded-For": address}
        if self.health:
            status, data, _cookies, elapsed = self.request("GET", "/healthz", headers=base)
            if status != 200:
                self.errors.append(f"healthz {status}")
            self.latencies.append(elapsed)
            return
        # a new device: no cookie but the session the public page gives (its CSRF token)
        status, page, cookies, _ = self.request("GET", f"/c/{self.code}", headers=base)
        token = TOKEN.search(page.decode())
        if status != 200 or token is None:
            self.errors.append(f"page {status}")
            return
        session = "; ".join(c.split(";", 1)[0] for c in cookies)
        single, multiple, scale, second, _text = self.questions
        form = urlencode([("csrf_token", token.group(1)), (f"q{single}", random.choice(("c1", "c2"))),
                          (f"q{multiple}", "c1"), (f"q{multiple}", "c3"),
                          (f"q{scale}", str(random.randint(1, 5))), (f"q{second}", "c2"),
                          ("commune", random.choice(COMMUNES))])  # fmt: skip
        headers = {**base, "Cookie": session, "Content-Type": "application/x-www-form-urlencoded"}
        status, _data, _cookies, elapsed = self.request("POST", f"/c/{self.code}", form, headers)
        if status != 303:
            self.errors.append(f"answer {status}")
        self.latencies.append(elapsed)


def load(port: int, code: str, question_ids: list[int], users: int, seconds: int,
         health: bool) -> tuple[float, int, list[str]]:  # fmt: skip
    until = time.time() + seconds
    threads = [Submitter(n, port, code, question_ids, until, health) for n in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies = sorted(value for thread in threads for value in thread.latencies)
    errors = [error for thread in threads for error in thread.errors]
    p95 = latencies[int(0.95 * (len(latencies) - 1))] if latencies else float("nan")
    return p95, len(latencies), errors


def warm_up(port: int, code: str, question_ids: list[int], workers: int) -> None:
    """A few answers and probes per gunicorn worker, unmeasured: the figures are those of a
    server that has been up (templates compiled, connections open), not of its first requests."""
    submitters = [Submitter(10000 + n, port, code, question_ids, 0, n % 2 == 1)
                  for n in range(2 * workers)]  # fmt: skip
    threads = [threading.Thread(target=lambda s=s: [s.one(f"10.250.{s.number % 250}.9")
                                                    for _ in range(5)]) for s in submitters]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    errors = [error for s in submitters for error in s.errors]
    if errors:
        raise SystemExit(f"the warm-up failed: {errors[:3]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    database_url = bench_database_url()
    reset_database(database_url)
    work = Path(tempfile.mkdtemp(prefix="lms-bench-circles-"))
    secret = secrets.token_hex(16)
    started = time.time()
    ready = prepare(database_url, str(work / "instance"), secret)
    print(f"set-up: consultations of 100 and 10,000 answers ({time.time() - started:.0f} s)")
    results10000, results100 = results_ms(
        ready["app"], ready["small"][0], ready["large"][0], args.runs
    )
    print(f"results page, 10,000 answers: {results10000:7.1f} ms (median of {args.runs})")
    print(f"results page, 100 answers:    {results100:7.1f} ms ({results10000 / results100:.2f}×)")
    with ready["app"].app_context():
        from curriculum.db import db

        db.engine.dispose()

    port = free_port()
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY=secret, LMS_INSTANCE_PATH=str(work / "instance"),
               LMS_ENV="development", LMS_PROXY_FIX="1")  # fmt: skip
    if os.environ.get("LMS_TEST_REDIS_URL"):
        env["LMS_RATELIMIT_STORAGE_URI"] = os.environ["LMS_TEST_REDIS_URL"]
    log = work / "gunicorn.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "-w", str(args.workers), "-b", f"127.0.0.1:{port}",
             "--log-level", "warning", "lms:create_app()"],
            env=env, cwd=work, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz", server, log)
        _live_id, code, question_ids = ready["live"]
        warm_up(port, code, question_ids, args.workers)
        answer_p95, answers, answer_errors = load(
            port, code, question_ids, args.users, args.seconds, False
        )
        healthz_p95, probes, health_errors = load(
            port, code, question_ids, args.users, args.seconds, True
        )
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    print(f"answers: {answers} POSTs by {args.users} submitters in {args.seconds} s, p95 {answer_p95:.1f} ms, "
          f"{len(answer_errors)} errors {sorted(set(answer_errors))[:5]}")  # fmt: skip
    print(f"healthz: {probes} GETs, p95 {healthz_p95:.1f} ms, {len(health_errors)} errors")
    if answer_errors or health_errors:
        print(f"gunicorn's log ends with:\n{tail(log, 20)}")
    print(f"RESULT results10000_ms={results10000:.1f} results100_ms={results100:.1f} "
          f"answer_p95_ms={answer_p95:.1f} healthz_p95_ms={healthz_p95:.1f} "
          f"answers_per_s={answers / args.seconds:.1f}")  # fmt: skip
    checks = {
        f"results10000_ms<{TARGET_RESULTS_MS}": results10000 < TARGET_RESULTS_MS,
        f"ratio<={TARGET_RATIO:g}": results10000 <= TARGET_RATIO * results100,
        f"answer_p95_ms<{TARGET_ANSWER_P95_MS}": answer_p95 < TARGET_ANSWER_P95_MS,
        "errors=0": not answer_errors and not health_errors,
    }
    print("TARGETS " + "  ".join(f"{k}: {'met' if ok else 'MISSED'}" for k, ok in checks.items()))
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
