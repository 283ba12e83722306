"""The score sender against platforms that are slow or do not answer: no database lock is held
while it waits on a platform (other writers of the app go on), a claim another sender took over is
neither posted nor overwritten, a live claim on a placement's line item leaves its scores queued,
and a platform that does not answer holds up only its own scores."""

from datetime import timedelta

import pytest
from sqlalchemy import create_engine, select, text, update

from curriculum.db import db, utcnow
from lms.lti import grades, http, score_sender
from lms.lti.grade_models import LtiScore
from lms.lti.models import LtiPlatform, LtiResourceLink

from .grading_platform import GradingPlatform
from .test_grades import RIGHT, answer, launch_quiz

OTHER_SENDER = "another-host:4242:feedbeef"


@pytest.fixture
def no_sender(monkeypatch):
    """Scores stay queued until the test runs a sender itself."""
    monkeypatch.setattr(grades, "wake_sender", lambda app: None)


@pytest.fixture
def other_platform(app, client):
    """A second registered platform with AGS (another issuer)."""
    platform = GradingPlatform("http://lms.test")
    platform.issuer = "http://other-platform.test"
    platform.registration = platform._registration(platform.private_key)
    platform.tool_keys = client.get("/lti/jwks.json").get_json()
    db.session.add(LtiPlatform(**{**platform.platform_fields(), "name": "Other platform"}))
    db.session.commit()
    yield platform
    platform.close()


def learner(client, platform, sub, lineitem="/lineitems/1"):
    """A learner's own browser: launches the quiz from ``platform`` and gets it right."""
    browser = type(client)(client.application)
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    launch_quiz(browser, platform, lineitem=lineitem, sub=sub)
    answer(browser, RIGHT)


def rows() -> list[LtiScore]:
    db.session.expire_all()
    return db.session.scalars(select(LtiScore).order_by(LtiScore.id)).all()


def write_with_short_wait(url: str, backend: str, link_id: int) -> str:
    """Another writer of the app (a launch updating the placement) that waits five seconds at
    most for a lock: ``written`` or the database's error."""
    engine = create_engine(url, connect_args={"timeout": 5} if backend == "sqlite" else {})
    try:
        with engine.begin() as connection:
            if backend == "postgresql":
                connection.execute(text("SET LOCAL lock_timeout = '5s'"))
            connection.execute(
                update(LtiResourceLink)
                .where(LtiResourceLink.id == link_id)
                .values(target=LtiResourceLink.target)
            )
        return "written"
    except Exception as error:  # noqa: BLE001 - reported to the test
        return f"{type(error).__name__}: {error}"
    finally:
        engine.dispose()


def test_the_placement_can_be_written_while_the_sender_waits_on_the_platform(
    app, client, grading, make_course, backend, no_sender
):
    make_course(sequential=False)
    learner(client, grading, "user-1", lineitem=None)
    link_id = db.session.scalar(select(LtiResourceLink.id))
    url = db.engine.url.render_as_string(hide_password=False)
    outcomes: list[str] = []
    grading.on_listing = lambda: outcomes.append(write_with_short_wait(url, backend, link_id))

    assert grades.send_pending(app) == {"sent": 1, "failed": 0, "rejected": 0, "given_up": 0}

    assert outcomes == ["written"]  # not "database is locked", nor a lock timeout
    [item] = grading.created()
    assert [s["scoreGiven"] for s in grading.scores[item["id"]]] == [100]
    db.session.expire_all()
    link = db.session.get(LtiResourceLink, link_id)
    assert link.lineitem_url == item["id"] and link.lineitem_claimed_by is None


def test_a_live_claim_on_the_line_item_leaves_the_placements_scores_queued(
    app, client, grading, make_course, no_sender
):
    make_course(sequential=False)
    learner(client, grading, "user-1", lineitem=None)
    link = db.session.scalar(select(LtiResourceLink))
    link.lineitem_claimed_by, link.lineitem_claimed_until = OTHER_SENDER, utcnow() + timedelta(1)
    db.session.commit()

    assert grades.send_pending(app) == {"sent": 0, "failed": 0, "rejected": 0, "given_up": 0}
    assert grading.created() == [] and grading.all_scores() == []
    [row] = rows()
    assert (row.status, row.attempts, row.claimed_by) == ("queued", 0, None)

    # the other sender died: once its claim runs out, the next run creates the line item
    link = db.session.get(LtiResourceLink, link.id)
    link.lineitem_claimed_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert grades.send_pending(app) == {"sent": 1, "failed": 0, "rejected": 0, "given_up": 0}
    [item] = grading.created()
    assert [s["scoreGiven"] for s in grading.scores[item["id"]]] == [100]


def test_a_score_taken_over_before_its_post_is_neither_posted_nor_overwritten(
    app, client, grading, make_course, no_sender, monkeypatch
):
    make_course(sequential=False)
    learner(client, grading, "user-1")
    claim = score_sender.claim

    def claim_then_lose_it(*args):
        claimed = claim(*args)
        # the claim ran out (a slow platform) and another sender claimed the rows again
        db.session.execute(update(LtiScore).values(claimed_by=OTHER_SENDER))
        db.session.commit()
        return claimed

    monkeypatch.setattr(score_sender, "claim", claim_then_lose_it)

    assert grades.send_pending(app) == {"sent": 0, "failed": 0, "rejected": 0, "given_up": 0}
    assert grading.all_scores() == []
    [row] = rows()
    assert (row.status, row.attempts, row.claimed_by) == ("queued", 0, OTHER_SENDER)


def test_a_score_taken_over_during_its_post_is_not_overwritten(
    app, client, grading, make_course, no_sender
):
    make_course(sequential=False)
    learner(client, grading, "user-1")
    engine = db.engine

    def taken_over(score):
        with engine.begin() as connection:
            connection.execute(
                update(LtiScore).values(
                    claimed_by=OTHER_SENDER, claimed_until=utcnow() + score_sender.HOLD
                )
            )

    grading.on_score = taken_over

    assert grades.send_pending(app) == {"sent": 0, "failed": 0, "rejected": 0, "given_up": 0}
    assert [s["scoreGiven"] for s in grading.all_scores()] == [100]
    [row] = rows()  # the sender that holds it now writes the outcome, not this one
    assert (row.status, row.claimed_by, row.sent_at) == ("queued", OTHER_SENDER, None)


def test_a_platform_that_does_not_answer_holds_up_only_its_own_scores(
    app, client, grading, other_platform, make_course, no_sender, monkeypatch
):
    make_course(sequential=False)
    learner(client, grading, "user-1")
    learner(client, grading, "user-2")
    learner(client, other_platform, "user-3")
    # it answers long after the tool stopped waiting; the other platform has time to spare even
    # on a busy machine (both run in this process)
    grading.hang = 4.0
    monkeypatch.setattr(http, "TIMEOUT", (2, 1.5))

    assert grades.send_pending(app) == {"sent": 1, "failed": 1, "rejected": 0, "given_up": 0}

    assert [s["userId"] for s in other_platform.all_scores()] == ["user-3"]
    first, second, third = rows()
    assert "Timeout" in first.last_error and first.attempts == 1
    # the down platform's other score was not tried in this run: no attempt, no claim left
    assert (second.status, second.attempts, second.claimed_by) == ("queued", 0, None)
    assert third.status == "sent"

    grading.hang = 0.0
    assert grades.send_pending(app, now=True) == {
        "sent": 2,
        "failed": 0,
        "rejected": 0,
        "given_up": 0,
    }
    assert sorted(s["userId"] for s in grading.all_scores()) == ["user-1", "user-2"]
