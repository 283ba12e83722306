"""Which commit wins: a commit older than the stored state changes nothing, whatever its launch
(another device's, sent late); the device's time never counts as later than the server's; the
pages of a multi-page package are one launch (one session, their times summed)."""

from __future__ import annotations

from datetime import timedelta

from curriculum.db import utcnow
from lms.scorm.operations import Commit

from .commits import attempt, send


def ms(moment) -> int:
    return int(moment.timestamp() * 1000)


def test_another_devices_old_commit_does_not_overwrite_newer_progress(
    client, learner, scorm_lesson
):
    now = utcnow()
    # the phone committed page 5 at 10:00 but lost its connection; the laptop went on to page 9
    send(client, scorm_lesson, {"lesson_location": "9"}, "laptop", 1, at=ms(now))
    # the phone's leftover commit, made before, arrives at its next visit: it changes nothing
    old = send(client, scorm_lesson, {"lesson_location": "5"}, "phone", 1,
               at=ms(now - timedelta(minutes=5)))  # fmt: skip
    assert old.status_code == 200
    saved = attempt(scorm_lesson)
    assert (saved.location, saved.sessions, saved.session_key) == ("9", 1, "laptop")
    # the phone's next commit, made after, goes on from there
    send(client, scorm_lesson, {"lesson_location": "10"}, "phone", 2, at=ms(now) + 1000)
    saved = attempt(scorm_lesson)
    assert (saved.location, saved.sessions) == ("10", 2)


def test_a_clock_ahead_counts_as_the_servers_time(client, learner, scorm_lesson):
    ahead = utcnow() + timedelta(days=1)
    send(client, scorm_lesson, {"lesson_location": "1"}, "fast-clock", 1, at=ms(ahead))
    assert attempt(scorm_lesson).committed_at <= utcnow()
    send(client, scorm_lesson, {"lesson_location": "2"}, "right-clock", 1, at=ms(utcnow()))
    assert attempt(scorm_lesson).location == "2"


def test_the_pages_of_a_package_are_one_launch(client, learner, scorm_lesson):
    for sequence, (page, time) in enumerate(
        [("p1", "0000:01:00"), ("p1", "0000:02:00"), ("p2", "0000:00:30")], start=1
    ):
        send(client, scorm_lesson, {"session_time": time}, "launch", sequence, page=page)
    saved = attempt(scorm_lesson)
    assert (saved.sessions, saved.commits, saved.total_seconds) == (1, 3, 150)


def test_a_commit_without_a_time_is_made_now():
    before = utcnow()
    commit = Commit.parse({"session": "s", "sequence": 1, "cmi": {}, "at": "soon"})
    assert before <= commit.at <= utcnow() and commit.page == "s"
