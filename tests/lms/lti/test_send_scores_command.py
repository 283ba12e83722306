"""``lms lti send-scores`` (cron, without Celery): the failed scores are tried again once their
wait is over — not only when another score is committed — and ``--now`` does not wait."""

from __future__ import annotations

from sqlalchemy import select, update

from curriculum.db import db, utcnow
from lms.lti.grade_models import LtiScore

from .test_grades import RIGHT, answer, launch_quiz, wait_for_sender


def output(sent=0, failed=0, rejected=0, given_up=0) -> str:
    return (f"Sent {sent}, failed {failed} (tried again later), refused by the platform "
            f"{rejected}, given up {given_up}.\n")  # fmt: skip


def test_send_scores_retries_the_failed_scores_whose_wait_is_over(
    app, client, grading, make_course, runner
):
    make_course(sequential=False)
    grading.down = True
    for sub in ("user-1", "user-2"):
        browser = type(client)(app)
        launch_quiz(browser, grading, sub=sub)
        answer(browser, RIGHT)
        wait_for_sender(app)
    assert runner.invoke(args=["lti", "send-scores", "--now"]).output == output(failed=1)
    # (the first failure marks the platform away: the other score waits for the next run)
    db.session.expire_all()
    first, second = db.session.scalars(select(LtiScore).order_by(LtiScore.id)).all()
    assert (first.attempts, second.attempts) == (2, 1) and first.next_attempt_at > utcnow()

    grading.down = False
    result = runner.invoke(args=["lti", "send-scores"])
    assert (result.exit_code, result.output) == (0, output())  # both still waiting
    assert grading.all_scores() == []
    db.session.execute(
        update(LtiScore).where(LtiScore.id == first.id).values(next_attempt_at=utcnow())
    )
    db.session.commit()
    result = runner.invoke(args=["lti", "send-scores"])
    assert (result.exit_code, result.output) == (0, output(sent=1))
    assert [s["userId"] for s in grading.all_scores()] == ["user-1"]
    assert runner.invoke(args=["lti", "send-scores", "--now"]).output == output(sent=1)
    assert sorted(s["userId"] for s in grading.all_scores()) == ["user-1", "user-2"]
    assert runner.invoke(args=["lti", "send-scores"]).output == output()
    db.session.expire_all()
    assert set(db.session.scalars(select(LtiScore.status))) == {"sent"}


def test_send_scores_is_listed_with_the_lti_commands(runner):
    result = runner.invoke(args=["lti", "--help"])
    assert result.exit_code == 0 and "send-scores" in result.output and "keygen" in result.output
