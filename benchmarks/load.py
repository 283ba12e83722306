"""Load test (issue 8): gunicorn with 4 workers on PostgreSQL, driven by locust (headless).

50 simulated learners, logged in during set-up, for 60 s (My learning, a lesson page, "mark as
done", a quiz submission, each with its CSRF token), then the same number of users on /healthz for 60 s as a baseline in
the same run. Ends with:

    RESULT rps=... p95_ms=... errors=... baseline_rps=... ratio=...

Targets on a 2-core machine: zero errors, p95 under 250 ms, ratio (rps / baseline_rps) >= 0.35.
Needs LMS_TEST_POSTGRES_URL (or DATABASE_URL) and the bench extra: pip install -e '.[bench]'.
Only 127.0.0.1 is ever contacted. Options: --users 50 --seconds 60 --workers 4.
"""

from __future__ import annotations

import argparse
import csv
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
PORT = 5099
PASSWORD = "load-test-password"
SCHEMA = "lms_load"

LOCUSTFILE = r'''
import random, re
from locust import HttpUser, task, between

TOKEN = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')
QUESTION = re.compile(r'name="(q-[^"]+)" value="([^"]+)"')
COURSE = "/courses/solving-public-problems"
READINGS = [COURSE + "/mindset/public-problem", COURSE + "/mindset/public-entrepreneur", COURSE + "/mindset/start-from-what-exists"]
QUIZ = COURSE + "/mindset/check-mindset"
counter = iter(range(10**6))

class Learner(HttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self):
        # Logged in during set-up (hashing 50 passwords is not the traffic being measured).
        n = next(counter) % USERS
        self.client.cookies.set("session", COOKIES[n], domain="127.0.0.1", path="/")
        quiz = self.client.get(QUIZ, name="quiz page")
        self.answers = {}
        for name, value in QUESTION.findall(quiz.text):
            self.answers.setdefault(name, value)

    def token(self, html):
        match = TOKEN.search(html)
        return match.group(1) if match else ""

    @task(3)
    def dashboard(self):
        self.client.get("/my", name="my learning")

    @task(3)
    def lesson(self):
        self.client.get(random.choice(READINGS), name="lesson")

    @task(1)
    def mark_done(self):
        url = random.choice(READINGS)
        page = self.client.get(url, name="lesson")
        with self.client.post(url + "/done", data={"csrf_token": self.token(page.text)}, name="mark done", allow_redirects=False, catch_response=True) as response:
            if response.status_code != 302:
                response.failure(f"status {response.status_code}")

    @task(1)
    def quiz(self):
        page = self.client.get(QUIZ, name="quiz page")
        data = dict(self.answers, csrf_token=self.token(page.text))
        with self.client.post(QUIZ + "/quiz", data=data, name="quiz submit", allow_redirects=False, catch_response=True) as response:
            if response.status_code != 302:
                response.failure(f"status {response.status_code}")
'''

BASELINE = r'''
from locust import HttpUser, task, between

class Probe(HttpUser):
    wait_time = between(0.5, 1.5)

    @task
    def health(self):
        self.client.get("/healthz", name="healthz")
'''


def prepare(database_url: str, instance: str, users: int, secret: str) -> list[str]:
    """A fresh schema with the bundled packs and ``users`` enrolled learners; returns each
    learner's session cookie (signed with ``secret``, the key the server will use)."""
    from lms import create_app
    from lms.app import database_url as normalise

    admin = create_engine(normalise(database_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    admin.dispose()
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": schema_url(database_url), "SECRET_KEY": secret, "WTF_CSRF_ENABLED": False},
        instance_path=instance,
    )
    with app.app_context():
        from curriculum.db import db
        from curriculum.importer import import_bundled_packs
        from curriculum.models import Course
        from lms.cli import upgrade_database
        from lms.learning.operations import enrol
        from lms.users.operations import create_user

        upgrade_database()
        for _line in import_bundled_packs():
            pass
        # Unlimited attempts, so that a learner can submit the quiz for the whole run.
        db.session.execute(text("UPDATE lms_lessons SET settings = jsonb_set(settings::jsonb, '{attempts}', '0') WHERE kind = 'quiz'"))
        course = db.session.scalar(db.select(Course).filter_by(slug="solving-public-problems"))
        for n in range(users):
            enrol(create_user(f"load{n}@example.org", f"Load {n}", PASSWORD), course)
        db.session.commit()
    cookies = []
    for n in range(users):
        client = app.test_client()
        client.post("/login", data={"email": f"load{n}@example.org", "password": PASSWORD})
        cookies.append(client.get_cookie("session").value)
    return cookies


def schema_url(database_url: str) -> str:
    from lms.app import database_url as normalise

    url = normalise(database_url)
    return url + ("&" if "?" in url else "?") + f"options=-csearch_path%3D{SCHEMA}"


def wait_until_up(url: str, seconds: float = 30) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback only
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not answer")


def run_locust(locustfile: str, users: int, seconds: int, prefix: str, extra: str = "") -> dict:
    path = Path(prefix + ".py")
    path.write_text(extra + locustfile)
    subprocess.run(
        [str(BIN / "locust"), "-f", str(path), "--headless", "-u", str(users), "-r", str(max(1, users // 5)),
         "-t", f"{seconds}s", "--host", f"http://127.0.0.1:{PORT}", "--csv", prefix, "--only-summary"],
        check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    with open(prefix + "_stats.csv", newline="") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    total = rows["Aggregated"]
    return {
        "rps": float(total["Requests/s"]),
        "p95": float(total["95%"]),
        "errors": int(total["Failure Count"]),
        "requests": int(total["Request Count"]),
        "rows": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    database_url = os.environ.get("LMS_TEST_POSTGRES_URL") or os.environ.get("DATABASE_URL")
    if not database_url:
        raise SystemExit("Set LMS_TEST_POSTGRES_URL (PostgreSQL) to run the load test.")
    work = tempfile.mkdtemp(prefix="lms-load-")
    instance = os.path.join(work, "instance")
    secret = secrets.token_hex(16)
    cookies = prepare(database_url, instance, args.users, secret)
    env = dict(os.environ, DATABASE_URL=schema_url(database_url), SECRET_KEY=secret,
               LMS_INSTANCE_PATH=instance, LMS_ENV="development")
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "-w", str(args.workers), "-b", f"127.0.0.1:{PORT}", "--log-level", "warning", "lms:create_app()"],
        env=env, cwd=work,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{PORT}/healthz")
        header = f"USERS = {args.users}\nCOOKIES = {cookies!r}\n"
        learners = run_locust(LOCUSTFILE, args.users, args.seconds, os.path.join(work, "learners"), header)
        baseline = run_locust(BASELINE, args.users, args.seconds, os.path.join(work, "baseline"))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    for name, row in sorted(learners["rows"].items()):
        print(f"  {name:<14} {row['Request Count']:>6} requests  median {row['50%']:>5} ms  p95 {row['95%']:>5} ms  failures {row['Failure Count']}")
    ratio = learners["rps"] / baseline["rps"] if baseline["rps"] else 0.0
    print(
        f"RESULT rps={learners['rps']:.1f} p95_ms={learners['p95']:.0f} errors={learners['errors']} "
        f"baseline_rps={baseline['rps']:.1f} ratio={ratio:.2f}"
    )


if __name__ == "__main__":
    main()
