"""Line items the tool finds or creates (a placement launched with the context's ``lineitems``
but no ``lineitem``), and a learner's course progress sent to a placement of the whole course,
in order, against the AGS test platform."""

from datetime import datetime

from sqlalchemy import select

from curriculum.db import db
from lms.lti import grades
from lms.lti.grade_models import LtiScore
from lms.lti.models import LtiResourceLink

from .platform import LEARNER
from .test_grades import ONE_RIGHT, RIGHT, answer, launch_quiz, wait_for_sender
from .test_launch import post, start

READINGS = [("basics", [{"slug": "intro", "kind": "reading"}, {"slug": "more", "kind": "reading"}])]


def launch_course(client, platform, sub="user-1"):
    """A learner opens the whole course from a plain link (no line item of its own)."""
    form = platform.launch(start(client, platform, sub), sub=sub, roles=(LEARNER,),
                           email=f"{sub}@example.org", extra=platform.ags_claim(),
                           resource_link="course-link")  # fmt: skip
    assert post(client, form).status_code == 302


def mark_done(client, lesson):
    assert client.post(f"/courses/civics/basics/{lesson}/done").status_code == 302


def timestamps(scores):
    return [datetime.fromisoformat(s["timestamp"]) for s in scores]


def test_a_quiz_launched_without_a_line_item_gets_one_created_once(
    app, client, grading, make_course
):
    make_course(sequential=False)
    launch_quiz(client, grading, lineitem=None)
    answer(client, ONE_RIGHT)
    answer(client, RIGHT)
    wait_for_sender(app)
    # one line item, created through the lineitems URL with what the tool knows of it
    [item] = grading.created()
    assert item["resourceLinkId"] == "quiz-link" and item["scoreMaximum"] == 100
    assert item["tag"] == "lms:civics/basics/check" and item["label"]
    link = db.session.scalar(
        select(LtiResourceLink).where(LtiResourceLink.target.endswith("check"))
    )
    assert link.lineitem_url == item["id"]
    assert [s["scoreGiven"] for s in grading.scores[item["id"]]] == [33, 100]
    # read back on the platform: the learner's result is the last score
    assert [(r["userId"], r["resultScore"]) for r in grading.results(item["id"])] == [
        ("user-1", 100)
    ]
    # another learner of the same placement: the line item is found, not created again
    other = type(client)(client.application)
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    launch_quiz(other, grading, lineitem=None, sub="user-2")
    answer(other, RIGHT)
    wait_for_sender(app)
    assert len(grading.created()) == 1
    assert {r["userId"] for r in grading.results(item["id"])} == {"user-1", "user-2"}


def test_a_line_item_made_by_the_platform_for_the_link_is_found(app, client, grading, make_course):
    make_course(sequential=False)
    existing = grading.add_lineitem({"label": "Check", "scoreMaximum": 100,
                                     "resourceLinkId": "quiz-link",
                                     "tag": "lms:civics/basics/check"})  # fmt: skip
    launch_quiz(client, grading, lineitem=None)
    answer(client, RIGHT)
    wait_for_sender(app)
    assert grading.created() == [existing]
    assert [s["scoreGiven"] for s in grading.scores[existing["id"]]] == [100]


def test_course_progress_goes_to_a_whole_course_placement(app, client, grading, make_course):
    make_course(sequential=False, modules=READINGS)
    launch_course(client, grading)
    mark_done(client, "intro")
    wait_for_sender(app)
    [item] = grading.created()
    # half done: the platform's gradebook shows it already
    assert [(r["userId"], r["resultScore"]) for r in grading.results(item["id"])] == [
        ("user-1", 50)
    ]
    mark_done(client, "more")
    wait_for_sender(app)
    assert item["resourceLinkId"] == "course-link" and item["tag"] == "lms:civics"
    scores = grading.scores[item["id"]]
    assert [(s["scoreGiven"], s["activityProgress"], s["gradingProgress"]) for s in scores] == [
        (50, "InProgress", "FullyGraded"),
        (100, "Completed", "FullyGraded"),
    ]
    # a second apart at least, though done within one: a platform ordering by the second (Moodle)
    # takes both
    earlier, later = timestamps(scores)
    assert (later - earlier).total_seconds() >= 1 and grading.refused == []
    assert [(r["userId"], r["resultScore"]) for r in grading.results(item["id"])] == [
        ("user-1", 100)
    ]


def test_a_lost_answer_is_retried_before_the_newer_score(app, client, grading, make_course):
    make_course(sequential=False, modules=READINGS)
    launch_course(client, grading)
    grading.lose_next_answer = True  # the platform applies the 50 but the tool never hears so
    mark_done(client, "intro")
    wait_for_sender(app)
    row = db.session.scalar(select(LtiScore))
    assert row.status == "queued" and row.attempts == 1 and "503" in row.last_error
    mark_done(client, "more")  # the 100 waits behind the 50, whose wait is not over
    wait_for_sender(app)
    [item] = grading.created()
    assert [s["scoreGiven"] for s in grading.scores[item["id"]]] == [50]
    grades.send_pending(app, now=True)  # once it is over: the 50 again, then the 100
    scores = grading.scores[item["id"]]
    # the platform had the 50: it says so (409, it keeps it), and the 100 follows, never before
    assert [s["scoreGiven"] for s in scores] == [50, 100]
    assert [s["scoreGiven"] for s in grading.refused] == [50]
    assert timestamps(scores) == sorted(timestamps(scores))
    assert grading.results(item["id"])[0]["resultScore"] == 100
    statuses = db.session.scalars(select(LtiScore.status).order_by(LtiScore.id)).all()
    assert statuses == ["superseded", "sent"]


def test_scores_held_by_a_platform_down_keep_their_order(app, client, grading, make_course):
    make_course(sequential=False, modules=READINGS)
    launch_course(client, grading)
    grading.down = True
    mark_done(client, "intro")
    mark_done(client, "more")
    wait_for_sender(app)
    rows = db.session.scalars(select(LtiScore).order_by(LtiScore.id)).all()
    assert [r.status for r in rows] == ["queued", "queued"]
    assert rows[0].changed_at < rows[1].changed_at and rows[1].attempts == 0  # waits behind
    grading.down = False
    assert rows[0].lineitem_url is None  # no line item could be created yet
    assert grades.send_pending(app, now=True) == {
        "sent": 2,
        "failed": 0,
        "rejected": 0,
        "given_up": 0,
    }
    [item] = grading.created()
    assert [s["scoreGiven"] for s in grading.scores[item["id"]]] == [50, 100]


def test_a_score_older_than_the_platforms_is_not_retried(app, client, grading, make_course):
    """The platform holds a later result (a teacher's override): it refuses ours as older (409);
    the tool leaves it there, with the platform's answer, and the queue goes on."""
    make_course(sequential=False, modules=READINGS)
    launch_course(client, grading)
    item = grading.add_lineitem({"label": "Course", "scoreMaximum": 100, "tag": "lms:civics",
                                 "resourceLinkId": "course-link"})  # fmt: skip
    grading.scores[item["id"]].append({"userId": "user-1", "scoreGiven": 80, "scoreMaximum": 100,
                                       "gradingProgress": "FullyGraded",
                                       "timestamp": "2999-01-01T00:00:00+00:00"})  # fmt: skip
    mark_done(client, "intro")
    wait_for_sender(app)
    mark_done(client, "more")
    wait_for_sender(app)
    assert [s["scoreGiven"] for s in grading.refused] == [50, 100]
    assert grading.results(item["id"])[0]["resultScore"] == 80
    rows = db.session.scalars(select(LtiScore).order_by(LtiScore.id)).all()
    assert [(r.status, r.attempts) for r in rows] == [("superseded", 0), ("superseded", 0)]
    assert "409" in rows[0].last_error
