"""Two senders at once (two Celery workers, or a worker and a web process's thread): each score
reaches the platform once, in order per learner, and the placement gets one line item. On
PostgreSQL the rows are claimed ``FOR UPDATE SKIP LOCKED``; on SQLite the claiming UPDATE is
the guard. Run on PostgreSQL with ``LMS_TEST_POSTGRES_URL`` set (see tests/conftest.py)."""

import threading
from collections import Counter

from sqlalchemy import select

from curriculum.db import db
from lms.lti import grades, score_sender
from lms.lti.grade_models import LtiScore

from .test_grades import wait_for_sender
from .test_lineitems import READINGS, launch_course, mark_done, timestamps

LEARNERS = 4


def senders_at_once(app, count: int = 2) -> list[dict]:
    barrier = threading.Barrier(count)
    outcomes: list[dict] = []
    errors: list[BaseException] = []

    def sender():
        try:
            barrier.wait()
            outcomes.append(grades.send_pending(app, now=True))
        except BaseException as error:  # noqa: BLE001 - reported to the test
            errors.append(error)

    threads = [threading.Thread(target=sender) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    return outcomes


def test_two_senders_post_each_score_once_in_order(
    app, client, grading, make_course, backend, monkeypatch
):
    monkeypatch.setattr(score_sender, "BATCH", 1)  # the two take turns row by row: both work
    make_course(sequential=False, modules=READINGS)
    grading.down = True
    for n in range(LEARNERS):
        learner = type(client)(client.application)
        learner.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        launch_course(learner, grading, sub=f"learner-{n}")
        mark_done(learner, "intro")
        mark_done(learner, "more")
    wait_for_sender(app)
    queued = db.session.scalars(select(LtiScore).where(LtiScore.status == "queued")).all()
    assert len(queued) == 2 * LEARNERS and grading.all_scores() == []
    grading.down = False
    grading.slow = 0.02  # each post takes a while: the senders overlap
    grading.meet_listings(2)  # both would look for the line item at once, were they let

    outcomes = senders_at_once(app)

    assert sum(o["sent"] for o in outcomes) == 2 * LEARNERS
    assert all(o["failed"] == 0 for o in outcomes)
    [item] = grading.created()  # one line item, though both senders needed it
    scores = grading.scores[item["id"]]
    posted = Counter((s["userId"], s["timestamp"]) for s in scores)
    assert len(posted) == 2 * LEARNERS and set(posted.values()) == {1}  # each score once
    for n in range(LEARNERS):
        mine = [s for s in scores if s["userId"] == f"learner-{n}"]
        assert [s["scoreGiven"] for s in mine] == [50, 100]
        assert timestamps(mine) == sorted(timestamps(mine))
    assert grading.refused == []
    db.session.expire_all()
    assert set(db.session.scalars(select(LtiScore.status))) == {"sent"}
    assert grades.send_pending(app) == {"sent": 0, "failed": 0, "rejected": 0, "given_up": 0}
