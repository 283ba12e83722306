"""A full LTI 1.3 launch against the test platform, compared with a local login (issue 18).

A fresh SQLite database (or ``--database-url``: ITS TABLES ARE DROPPED AT START) with the bundled
packs; the test platform of the suite (``tests/lms/lti/platform.py``: lti1p3platform signs the
id_tokens, its JWKS served on a loopback port) registered. LEARNERS learners of the platform have
launched once before (their accounts, the context's cohort and their enrolments exist), as have
LEARNERS local learners with a password enrolled in the same course.

Each run, in a new browser (no cookie), in process with the test client (server time, no
network between the browser and the LMS; the tool fetching the platform's keys does go over
the loopback):

* launch: OIDC login initiation (GET ``/lti/login``) → the platform's answer posted to
  ``/lti/launch`` → the landing page it redirects to (the course page), by a learner who has
  launched before (her account and enrolment exist, the platform's keys are kept);
* first launch: the same by a learner the LMS has never seen (a new subject each run: her
  account, its platform link and her enrolment in the context's cohort are created);
* local: POST ``/login`` (the password checked) → the same course page.

Only the LMS's time counts (the platform signing its id_token between the two requests does
not). The three take turns, run by run (their order rotating), so other work on the machine
weighs on all alike; each figure is the median of RUNS. Ends with:

    RESULT launch_ms=... local_ms=... ratio=... first_launch_ms=...

(``ratio`` is launch_ms / local_ms: repeat launches against local logins; the first launch has
no target, it is what a learner's very first click costs).
    TARGETS launch_ms<150: met|MISSED  ratio<=3: met|MISSED

and exits non-zero when a target is missed. ``--profile`` prints where a launch spends its time.

    .venv/bin/python benchmarks/bench_lti.py [--runs 60] [--database-url URL] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import logging
import pstats
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, select  # noqa: E402

from curriculum.db import db  # noqa: E402
from curriculum.importer import import_bundled_packs  # noqa: E402
from curriculum.models import Course  # noqa: E402
from lms import create_app  # noqa: E402
from lms.learning.operations import enrol  # noqa: E402
from lms.lti.models import LtiPlatform  # noqa: E402
from lms.models import import_all_models  # noqa: E402
from lms.users.operations import create_user  # noqa: E402
from tests.lms.lti.platform import LEARNER, TestPlatform  # noqa: E402

PASSWORD = "benchmark password"
COURSE = "solving-public-problems"
TOOL = "http://lms.test"
LEARNERS = 20
RUNS = 60
WARM_UP = 5
TARGET_LAUNCH_MS = 150
TARGET_RATIO = 3.0


def make_app(url: str | None):
    folder = Path(tempfile.mkdtemp(prefix="lms-bench-lti-"))
    url = url or f"sqlite:///{folder}/bench.sqlite3"
    import_all_models()
    engine = create_engine(url)
    db.metadata.drop_all(engine)
    db.metadata.create_all(engine)
    engine.dispose()
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "SERVER_NAME": "lms.test",
            "LMS_PUBLIC_URL": TOOL,
            "WTF_CSRF_ENABLED": False,
            "LMS_LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS": "10000 per minute",
            "LMS_LOGIN_LIMIT_PER_ADDRESS": "10000 per minute",
            "LMS_LOGIN_LIMIT_PER_ACCOUNT": "10000 per minute",
        },
        instance_path=str(folder / "instance"),
    )


def set_up(app, platform: TestPlatform) -> None:
    with app.app_context():
        for _line in import_bundled_packs():
            pass
        db.session.add(LtiPlatform(**platform.platform_fields()))
        course = db.session.scalar(select(Course).where(Course.slug == COURSE))
        for n in range(LEARNERS):
            user = create_user(f"local{n}@example.org", f"Local {n}", PASSWORD, ["learner"], None)
            enrol(user, course, None)
        db.session.commit()


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


class Timer:
    """Adds up the time spent inside the LMS's requests."""

    def __init__(self) -> None:
        self.total = 0.0

    def request(self, call, *args, **kwargs):
        began = time.perf_counter()
        response = call(*args, **kwargs)
        self.total += time.perf_counter() - began
        return response


def launch(app, platform: TestPlatform, sub: str) -> float:
    client, timer = app.test_client(), Timer()
    target = f"{TOOL}/lti/launch?target={COURSE}"
    login = timer.request(client.get, _path(platform.login_url(sub, target)))
    assert login.status_code == 302, login.get_data(as_text=True)[:300]
    form = platform.launch(login.location, sub=sub, roles=(LEARNER,), name=f"Learner {sub}",
                           email=f"{sub}@platform.example.org", target=COURSE)  # fmt: skip
    landed = timer.request(client.post, "/lti/launch",
                           data={"state": form["state"], "id_token": form["id_token"]})  # fmt: skip
    assert landed.status_code == 302, landed.get_data(as_text=True)[:300]
    page = timer.request(client.get, _path(landed.location))
    assert page.status_code == 200, (landed.location, page.status_code)
    return timer.total * 1000


def local(app, n: int) -> float:
    client, timer = app.test_client(), Timer()
    response = timer.request(client.post, "/login",
                             data={"email": f"local{n}@example.org", "password": PASSWORD})  # fmt: skip
    assert response.status_code == 302, response.status_code
    page = timer.request(client.get, f"/courses/{COURSE}")
    assert page.status_code == 200, page.status_code
    return timer.total * 1000


@dataclass
class Figures:
    launch_ms: float
    local_ms: float
    first_launch_ms: float


def measure(app, platform: TestPlatform, runs: int) -> Figures:
    for n in range(LEARNERS):  # every platform learner has launched once (account, enrolment)
        launch(app, platform, f"learner-{n}")
    kinds = {
        "launch": lambda run: launch(app, platform, f"learner-{run % LEARNERS}"),
        "first": lambda run: launch(app, platform, f"newcomer-{run}"),
        "local": lambda run: local(app, run % LEARNERS),
    }
    timings: dict[str, list[float]] = {kind: [] for kind in kinds}
    names = list(kinds)
    for run in range(WARM_UP + runs):
        for kind in names[run % 3 :] + names[: run % 3]:
            elapsed = kinds[kind](run)
            if run >= WARM_UP:
                timings[kind].append(elapsed)
    median = {kind: statistics.median(values) for kind, values in timings.items()}
    return Figures(median["launch"], median["local"], median["first"])


def profile(app, platform: TestPlatform) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for n in range(20):
        launch(app, platform, f"learner-{n % LEARNERS}")
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--database-url", help="default: a new SQLite file")
    parser.add_argument("--profile", action="store_true")
    options = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the platform's request log
    app = make_app(options.database_url)
    platform = TestPlatform(TOOL)
    try:
        set_up(app, platform)
        figures = measure(app, platform, options.runs)
        if options.profile:
            profile(app, platform)
    finally:
        platform.close()
    launch_ms, local_ms = figures.launch_ms, figures.local_ms
    ratio = launch_ms / local_ms
    print(f"RESULT launch_ms={launch_ms:.1f} local_ms={local_ms:.1f} ratio={ratio:.2f} "
          f"first_launch_ms={figures.first_launch_ms:.1f}")  # fmt: skip
    targets = {
        f"launch_ms<{TARGET_LAUNCH_MS}": launch_ms < TARGET_LAUNCH_MS,
        f"ratio<={TARGET_RATIO:g}": ratio <= TARGET_RATIO,
    }
    print("TARGETS " + "  ".join(f"{k}: {'met' if v else 'MISSED'}" for k, v in targets.items()))
    return 0 if all(targets.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
