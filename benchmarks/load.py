"""Load test (issue 8): gunicorn with 4 workers on PostgreSQL, driven by locust (headless).

50 simulated learners, each logged in during set-up, for 60 s: "My learning", a lesson page,
"mark as done" (the lesson page, the form with its CSRF token, then the next lesson it sends the
learner to) and a quiz submission (the quiz page, the answers, then the result page). Then the
same number of users on /healthz for 60 s as a baseline, in the same run. Ends with:

    RESULT rps=... p95_ms=... errors=... baseline_rps=... ratio=...
    TARGETS errors=0: met|MISSED  p95_ms<250: met|MISSED  ratio>=0.35: met|MISSED

and exits non-zero when a target is missed (targets for a 2-core machine; ratio is rps /
baseline_rps). A request counts as an error unless it is the logged-in page it should be: a GET
must answer 200 with the logged-in header (a redirect, say to /login, is an error) and a POST
must redirect where the app sends a learner after that action (not to /login). Each learner's
first request checks that it is logged in; if one is not, the run stops with a clear error.
Each run also shows where the machine's CPU went; a run during which other processes kept it
busy is flagged, as its figures then understate the app.

The database is ``lms_load`` on the server of the test suite's database (LMS_TEST_POSTGRES_URL,
else postgresql://postgres@127.0.0.1:5432/test), created if missing; or LMS_LOAD_DATABASE_URL.
ITS CONTENTS ARE DROPPED AT START (the ``public`` schema is recreated). Only 127.0.0.1 is ever
contacted. Needs the bench and postgres extras: pip install -e '.[bench,postgres]'.
Run: .venv/bin/python benchmarks/load.py [--users 50] [--seconds 60] [--workers 4]
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import os
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
PASSWORD = "load-test-password"
TEST_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/test"
LOAD_DATABASE = "lms_load"
USER_AGENT = "lms-load-test/1.0"
#: In every page of a logged-in user (the header's log-out form), in no page of anyone else.
LOGGED_IN = 'action="/logout"'
COURSE = "/courses/solving-public-problems"
READINGS = [
    f"{COURSE}/mindset/{slug}"
    for slug in ("public-problem", "public-entrepreneur", "start-from-what-exists")
]
QUIZ = f"{COURSE}/mindset/check-mindset"
TARGET_P95_MS = 250
TARGET_RATIO = 0.35
#: Share of the machine other processes may use before a run's figures are flagged as unfair.
BUSY_MACHINE = 0.15
INSTALL_HINT = "pip install -e '.[bench]'"

LOCUSTFILE = r'''
import json, os, random, re
from pathlib import Path
from urllib.parse import urlsplit

import gevent
from locust import HttpUser, between, task
from locust.exception import StopUser

DATA = json.loads(Path(os.environ["LMS_LOAD_DATA"]).read_text())
ABORT = Path(os.environ["LMS_LOAD_ABORT"])
TOKEN = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')
HIDDEN = re.compile(r'<input type="hidden" name="(lesson|attempt)" value="([^"]*)"')
CHOICE = re.compile(r'name="(q-[^"]+)" value="([^"]+)"')
LOGGED_IN, READINGS, QUIZ = DATA["logged_in"], DATA["readings"], DATA["quiz"]
numbers = iter(range(10**9))


def page_problem(response, marker=None):
    """Why this response is not the logged-in page it should be (None when it is)."""
    if response.status_code != 200:
        where = response.headers.get("Location", "")
        return f"status {response.status_code}" + (f" to {urlsplit(where).path}" if where else "")
    if LOGGED_IN not in response.text:
        return "page of a visitor who is not logged in"
    if marker and marker not in response.text:
        return f"no {marker} in the page"
    return None


def redirect_problem(response, expected_path):
    """Why this POST's answer is not the redirect a learner gets after the action."""
    if response.status_code not in (302, 303):
        return f"status {response.status_code}"
    path = urlsplit(response.headers.get("Location", "")).path
    if path != expected_path:
        return f"redirected to {path or '(nowhere)'} instead of {expected_path}"
    return None


class Learner(HttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self):
        # Logged in during set-up: hashing passwords is not the traffic being measured.
        self.number = next(numbers) % len(DATA["cookies"])
        self.client.headers["User-Agent"] = DATA["user_agent"]
        self.client.cookies.set("session", DATA["cookies"][self.number], domain="127.0.0.1", path="/")
        with self.client.get("/my", name="my learning", allow_redirects=False, catch_response=True) as response:
            problem = page_problem(response)
            if problem:
                response.failure(problem)
                self.abort(f"learner {self.number} is not logged in: GET /my answered {problem}")

    def abort(self, message):
        if not ABORT.exists():
            ABORT.write_text(message + "\n")
        self.environment.process_exit_code = 3
        gevent.spawn(self.environment.runner.quit)
        raise StopUser()

    def get_page(self, url, name, marker=None):
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True) as response:
            problem = page_problem(response, marker)
            if problem:
                response.failure(problem)
                return None
            return response.text

    def post(self, url, data, name, expected_path):
        with self.client.post(url, data=data, name=name, allow_redirects=False, catch_response=True) as response:
            problem = redirect_problem(response, expected_path)
            if problem:
                response.failure(problem)
                return None
            return response.headers["Location"]

    @task(3)
    def dashboard(self):
        self.get_page("/my", "my learning")

    @task(3)
    def lesson(self):
        self.get_page(random.choice(READINGS), "lesson")

    @task(1)
    def mark_done(self):
        index = random.randrange(len(READINGS))
        url = READINGS[index]
        page = self.get_page(url, "lesson")
        if page is None:
            return
        following = (READINGS + [QUIZ])[index + 1]
        token = TOKEN.search(page)
        location = self.post(url + "/done", {"csrf_token": token.group(1) if token else ""}, "mark done", following)
        if location:
            self.get_page(location, "lesson")  # the browser follows the redirect

    @task(1)
    def quiz(self):
        page = self.get_page(QUIZ, "quiz page")
        if page is None:
            return
        choices = {}
        for name, value in CHOICE.findall(page):
            choices.setdefault(name, []).append(value)
        token = TOKEN.search(page)
        data = dict(HIDDEN.findall(page), csrf_token=token.group(1) if token else "")
        data.update({name: random.choice(values) for name, values in choices.items()})
        if self.post(QUIZ + "/quiz", data, "quiz submit", QUIZ):
            self.get_page(QUIZ, "quiz result", marker='id="result"')  # the browser follows the redirect
'''

BASELINE = r"""
from locust import HttpUser, between, task


class Probe(HttpUser):
    wait_time = between(0.5, 1.5)

    @task
    def health(self):
        with self.client.get("/healthz", name="healthz", allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200 or '"ok"' not in response.text:
                response.failure(f"status {response.status_code}")
"""


def require_tools() -> None:
    missing = [
        name for name in ("locust", "psutil", "psycopg") if importlib.util.find_spec(name) is None
    ]
    if "locust" in missing or "psutil" in missing or not (BIN / "locust").exists():
        raise SystemExit(
            f"locust is not installed in {sys.prefix}: run  {INSTALL_HINT}  (the bench extra)"
        )
    if missing:
        raise SystemExit("psycopg is not installed: run  pip install -e '.[bench,postgres]'")
    if not (BIN / "gunicorn").exists():
        raise SystemExit(f"gunicorn is not installed in {sys.prefix}: run  pip install -e .")


# -- the database -------------------------------------------------------------------------------


def load_database_url() -> str:
    """LMS_LOAD_DATABASE_URL, else ``lms_load`` on the test database's server."""
    from sqlalchemy.engine import make_url

    given = os.environ.get("LMS_LOAD_DATABASE_URL")
    test_url = make_url(os.environ.get("LMS_TEST_POSTGRES_URL") or TEST_DATABASE_URL)
    url = make_url(given) if given else test_url.set(database=LOAD_DATABASE)
    if not url.drivername.startswith("postgres"):
        raise SystemExit(f"The load test runs on PostgreSQL, not {url.drivername}.")
    url = url.set(drivername="postgresql")
    if (url.host, url.port, url.database) == (test_url.host, test_url.port, test_url.database):
        raise SystemExit(
            f"Refusing to use the test suite's database {url.database!r}: its contents are dropped."
        )
    return url.render_as_string(hide_password=False)


def reset_database(url: str) -> None:
    """Create the database if it is missing and empty it (a fresh ``public`` schema)."""
    import psycopg
    from psycopg import sql
    from sqlalchemy.engine import make_url

    target = make_url(url)
    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=10) as connection:
            pass
    except psycopg.OperationalError as error:
        if "does not exist" not in str(error):
            raise SystemExit(
                f"Cannot reach PostgreSQL for the load test ({target!r}): {error}"
            ) from None
        server = target.set(database="postgres").render_as_string(hide_password=False)
        with psycopg.connect(server, autocommit=True, connect_timeout=10) as connection:
            connection.execute(
                sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target.database))
            )
        print(f"created database {target.database}")
    with psycopg.connect(url, autocommit=True, connect_timeout=10) as connection:
        connection.execute("DROP SCHEMA IF EXISTS public CASCADE")
        connection.execute("CREATE SCHEMA public")


def prepare(database_url: str, instance: str, users: int, secret: str) -> list[str]:
    """The bundled packs and ``users`` enrolled learners; returns each learner's session cookie
    (signed with ``secret``, the key the server will use), each checked to be logged in."""
    from lms import create_app

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": secret,
            "WTF_CSRF_ENABLED": False,
            # all the learners log in from 127.0.0.1 during set-up
            "LMS_LOGIN_LIMIT_PER_ADDRESS": f"{users + 10} per 15 minutes",
        },
        instance_path=instance,
    )
    with app.app_context():
        from sqlalchemy import text

        from curriculum.db import db
        from curriculum.importer import import_bundled_packs
        from curriculum.models import Course
        from lms.learning.operations import enrol
        from lms.migrate import upgrade_database
        from lms.users.operations import create_user

        upgrade_database()
        for _line in import_bundled_packs():
            pass
        # Unlimited attempts, so that a learner can submit the quiz for the whole run.
        db.session.execute(
            text(
                "UPDATE lms_lessons SET settings = jsonb_set(settings, '{attempts}', '0') WHERE kind = 'quiz'"
            )
        )
        course = db.session.scalar(db.select(Course).filter_by(slug="solving-public-problems"))
        for n in range(users):
            enrol(create_user(f"load{n}@example.org", f"Load {n}", PASSWORD), course)
        db.session.commit()
        db.engine.dispose()
    cookies = []
    for n in range(users):
        client = app.test_client()
        client.environ_base["HTTP_USER_AGENT"] = USER_AGENT  # the identity Flask-Login checks
        client.post("/login", data={"email": f"load{n}@example.org", "password": PASSWORD})
        page = client.get("/my")
        cookie = client.get_cookie("session")
        if (
            page.status_code != 200
            or LOGGED_IN not in page.get_data(as_text=True)
            or cookie is None
        ):
            raise SystemExit(
                f"Set-up: learner load{n} could not log in (GET /my answered {page.status_code})."
            )
        cookies.append(cookie.value)
    with app.app_context():
        from curriculum.db import db

        db.engine.dispose()
    return cookies


# -- the server and locust ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no output)"


def wait_until_up(url: str, server: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if server.poll() is not None:
            raise SystemExit(
                f"gunicorn exited with status {server.returncode}; its log ends with:\n{tail(log)}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback only
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(
        f"{url} did not answer within {seconds:.0f} s; gunicorn's log ends with:\n{tail(log)}"
    )


class CpuMeter:
    """Where the machine's CPU time went during a run: the server (gunicorn and its workers),
    PostgreSQL, locust, and every other process (which makes the figures unfair to the app)."""

    def __init__(self, server_pid: int):
        import psutil

        self.psutil = psutil
        self.server = psutil.Process(server_pid)

    def _server(self) -> float:
        total = 0.0
        for process in [self.server, *self.server.children(recursive=True)]:
            try:
                times = process.cpu_times()
            except self.psutil.Error:
                continue
            total += times.user + times.system
        return total

    def _postgres(self) -> float:
        total = 0.0
        for process in self.psutil.process_iter(["name", "cpu_times"]):
            times = process.info["cpu_times"]
            if times and (process.info["name"] or "").startswith("postgres"):
                total += times.user + times.system
        return total

    def _sample(self) -> tuple[float, ...]:
        machine = self.psutil.cpu_times()
        busy = sum(machine) - machine.idle - getattr(machine, "iowait", 0.0)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)  # locust, once it has exited
        return (
            time.monotonic(),
            busy,
            self._server(),
            self._postgres(),
            children.ru_utime + children.ru_stime,
        )

    def __enter__(self) -> CpuMeter:
        self.before = self._sample()
        return self

    def __exit__(self, *exc) -> None:
        elapsed, busy, server, postgres, locust = (
            b - a for a, b in zip(self.before, self._sample(), strict=True)
        )
        self.cores = self.psutil.cpu_count() or 1
        self.used = {
            "gunicorn": server / elapsed,
            "postgres": postgres / elapsed,
            "locust": locust / elapsed,
        }
        self.used["other processes"] = max(0.0, busy / elapsed - sum(self.used.values()))
        self.server_seconds = server


def run_locust(
    locustfile: str,
    users: int,
    seconds: int,
    prefix: str,
    port: int,
    env: dict[str, str],
    abort: Path,
    server_pid: int,
) -> dict:
    """Run locust headless; its output goes to ``prefix``.log, printed (its end) on failure."""
    path, log = Path(prefix + ".py"), Path(prefix + ".log")
    path.write_text(locustfile)
    command = [
        str(BIN / "locust"), "-f", str(path), "--headless", "-u", str(users), "-r", str(max(1, users // 5)),
        "-t", f"{seconds}s", "--host", f"http://127.0.0.1:{port}", "--csv", prefix, "--only-summary",
    ]  # fmt: skip
    with log.open("w") as output, CpuMeter(server_pid) as cpu:
        status = subprocess.run(
            command, env=env, stdout=output, stderr=subprocess.STDOUT, check=False
        ).returncode
    if abort.exists():
        raise SystemExit(
            f"Run stopped: {abort.read_text().strip()}\nlocust's log ({log}) ends with:\n{tail(log)}"
        )
    stats = Path(prefix + "_stats.csv")
    # locust exits 1 when some requests failed: those are counted below; anything else is locust failing
    if status not in (0, 1) or not stats.exists():
        raise SystemExit(
            f"locust failed (exit status {status}); its log ({log}) ends with:\n{tail(log)}"
        )
    with stats.open(newline="") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    total = rows.pop("Aggregated", None)
    if total is None or int(total["Request Count"]) == 0:
        raise SystemExit(f"locust sent no request; its log ({log}) ends with:\n{tail(log)}")
    failures = []
    if Path(prefix + "_failures.csv").exists():
        with open(prefix + "_failures.csv", newline="") as handle:
            failures = list(csv.DictReader(handle))
    return {
        "rps": float(total["Requests/s"]),
        "p95": float(total["95%"]),
        "errors": int(total["Failure Count"]),
        "requests": int(total["Request Count"]),
        "rows": rows,
        "failures": failures,
        "cpu": cpu,
        "log": log,
    }


def report(name: str, run: dict) -> None:
    print(f"{name}:")
    for label, row in sorted(run["rows"].items()):
        print(
            f"  {label:<12} {row['Request Count']:>6} requests  median {row['50%']:>5} ms"
            f"  p95 {row['95%']:>5} ms  max {float(row['Max Response Time']):>6.0f} ms  failures {row['Failure Count']}"
        )
    for failure in run["failures"][:10]:
        print(
            f"  FAILED {failure['Method']} {failure['Name']}: {failure['Error']} ({failure['Occurrences']} times)"
        )
    cpu = run["cpu"]
    shares = ", ".join(f"{name} {cores:.2f}" for name, cores in cpu.used.items())
    print(
        f"  CPU in cores (of {cpu.cores}): {shares};"
        f" gunicorn {1000 * cpu.server_seconds / run['requests']:.1f} ms of CPU a request"
    )
    if cpu.used["other processes"] > BUSY_MACHINE * cpu.cores:
        print(
            f"  WARNING: other processes kept {cpu.used['other processes']:.1f} of {cpu.cores} cores busy"
            " during this run: its figures understate what the app does on an idle machine."
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--keep", action="store_true", help="keep the work folder (logs, locust's CSV files)"
    )
    args = parser.parse_args()
    require_tools()

    database_url = load_database_url()
    from sqlalchemy.engine import make_url

    print(f"database: {make_url(database_url)!r} (emptied and filled for this run)")
    reset_database(database_url)
    work = Path(tempfile.mkdtemp(prefix="lms-load-"))
    instance = str(work / "instance")
    secret = secrets.token_hex(16)
    started = time.time()
    cookies = prepare(database_url, instance, args.users, secret)
    print(f"set-up: {args.users} learners logged in ({time.time() - started:.0f} s)")
    data = {
        "cookies": cookies,
        "user_agent": USER_AGENT,
        "logged_in": LOGGED_IN,
        "readings": READINGS,
        "quiz": QUIZ,
    }
    (work / "learners.json").write_text(json.dumps(data))
    abort = work / "abort.txt"
    locust_env = dict(
        os.environ, LMS_LOAD_DATA=str(work / "learners.json"), LMS_LOAD_ABORT=str(abort)
    )

    port = free_port()
    server_env = dict(
        os.environ,
        DATABASE_URL=database_url,
        SECRET_KEY=secret,
        LMS_INSTANCE_PATH=instance,
        LMS_ENV="development",
    )
    server_log = work / "gunicorn.log"
    with server_log.open("w") as output:
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "-w", str(args.workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning", "lms:create_app()"],
            env=server_env, cwd=work, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz", server, server_log)
        print(
            f"gunicorn: {args.workers} workers on 127.0.0.1:{port}; {args.users} users, {args.seconds} s each run"
        )
        learners = run_locust(
            LOCUSTFILE,
            args.users,
            args.seconds,
            str(work / "learners"),
            port,
            locust_env,
            abort,
            server.pid,
        )
        baseline = run_locust(
            BASELINE,
            args.users,
            args.seconds,
            str(work / "baseline"),
            port,
            locust_env,
            abort,
            server.pid,
        )
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()

    report("learners", learners)
    report("baseline", baseline)
    if learners["errors"] or baseline["errors"]:
        print(f"gunicorn's log ({server_log}) ends with:\n{tail(server_log, 20)}")
    ratio = learners["rps"] / baseline["rps"] if baseline["rps"] else 0.0
    print(
        f"RESULT rps={learners['rps']:.1f} p95_ms={learners['p95']:.0f} errors={learners['errors']} "
        f"baseline_rps={baseline['rps']:.1f} ratio={ratio:.2f}"
    )
    checks = {
        "errors=0": learners["errors"] == 0 and baseline["errors"] == 0,
        f"p95_ms<{TARGET_P95_MS}": learners["p95"] < TARGET_P95_MS,
        f"ratio>={TARGET_RATIO}": ratio >= TARGET_RATIO,
    }
    line = "  ".join(f"{name}: {'met' if ok else 'MISSED'}" for name, ok in checks.items())
    note = f" (the baseline had {baseline['errors']} errors)" if baseline["errors"] else ""
    print(f"TARGETS {line}{note}")
    if args.keep or not all(checks.values()):
        print(f"logs and locust's CSV files: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
