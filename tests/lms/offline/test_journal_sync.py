"""Circle journal entries typed offline: sent with the queue, checked as the online form is (a
member of the circle, the text and photo limits, a closed cohort), written exactly once and
dated when they were typed."""

from __future__ import annotations

import base64
import io
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from curriculum.db import db, utcnow
from lms.circles.journal.models import JournalEntry, JournalPhoto
from lms.circles.journal.operations import MAX_PHOTOS, TEXT_MAX
from lms.offline.models import OfflineAction
from lms.offline.operations import user_key
from tests.lms.circles.conftest import make_circle  # noqa: F401 - fixture
from tests.lms.cohorts.conftest import add_learners, make_cohort, trainer  # noqa: F401 - fixtures

#: a day some weeks ago (offline actions over a year old are refused: the phone's date is wrong)
DAY = (utcnow() - timedelta(days=60)).date().isoformat()


def _photo() -> dict:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(out, "PNG")
    return {"name": "cafe.png", "data": base64.b64encode(out.getvalue()).decode()}


@pytest.fixture
def world(app, trainer, make_cohort, add_learners, make_circle):  # noqa: F811 - fixtures
    cohort = make_cohort([trainer])
    salma, imane, outsider = (e.user for e in add_learners(cohort, 3, locale="en"))
    circle = make_circle(cohort, [salma, imane], name="Cercle Atlas")
    other = make_circle(cohort, [outsider], name="Cercle Rif")
    # joined long ago: an entry typed weeks ago is dated then
    for membership in circle.memberships + other.memberships:
        membership.joined_at = utcnow() - timedelta(days=200)
    db.session.commit()
    return circle, other, salma, outsider


def entry(user, key, circle, text="Café-emploi à la maison des jeunes",
          when=f"{DAY}T09:00:00+01:00", photos=()):  # fmt: skip
    data = {"text": text, "photos": list(photos)}
    return {"key": key, "user": user_key(user), "kind": "journal", "circle": circle.id,
            "occurred_at": when, "data": data}  # fmt: skip


def send(client, items):
    response = client.post("/offline/sync.json", json={"items": items})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["results"]


def count(model):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def test_an_entry_typed_offline_is_written_once_and_dated_when_typed(
    client, login, world
):  # fmt: skip
    circle, _other, salma, _ = world
    login(salma)
    queue = [entry(salma, "j1", circle, photos=[_photo()])]
    (first,) = send(client, queue)
    assert first["status"] == "applied" and not first["replay"]
    assert "Cercle Atlas" in first["message"]
    (again,) = send(client, queue)
    assert again["status"] == "applied" and again["replay"]
    assert again["message"] == first["message"]
    assert count(JournalEntry) == 1 and count(JournalPhoto) == 1 and count(OfflineAction) == 1
    written = db.session.scalar(select(JournalEntry))
    assert written.author_id == salma.id and written.circle_id == circle.id
    assert written.happened_at.isoformat() == f"{DAY}T08:00:00+00:00"
    assert written.created_at > written.happened_at
    action = db.session.scalar(select(OfflineAction))
    assert action.kind == "journal" and action.target == f"circle/{circle.id}"
    # the member sees it in the journal, at the time it was typed
    page = client.get(f"/circles/{circle.id}/journal").get_data(as_text=True)
    assert "Café-emploi à la maison des jeunes" in page and DAY in page


def test_the_same_key_with_another_text_is_refused(client, login, world):
    circle, _other, salma, _ = world
    login(salma)
    send(client, [entry(salma, "j1", circle)])
    (result,) = send(client, [entry(salma, "j1", circle, text="Autre chose")])
    assert result["status"] == "refused" and result["replay"]
    assert "already used for another action" in result["message"]
    assert [e.text for e in db.session.scalars(select(JournalEntry))] == [
        "Café-emploi à la maison des jeunes"
    ]


def test_forged_entries_for_another_circle_or_account_are_refused(client, login, world):
    circle, other, salma, outsider = world
    login(salma)
    results = send(
        client,
        [
            entry(salma, "j1", other),  # a circle she is not in
            entry(outsider, "j2", other),  # queued by another account on the phone
            {**entry(salma, "j3", circle), "circle": 999999},
            {**entry(salma, "j4", circle), "circle": "Cercle Atlas"},
        ],
    )
    assert [r["status"] for r in results] == ["refused"] * 4
    assert "not a member of this circle" in results[0]["message"]
    assert "another account" in results[1]["message"]
    assert "does not exist" in results[2]["message"]
    assert "which circle" in results[3]["message"]
    assert count(JournalEntry) == 0


def test_the_online_limits_refuse_with_their_reason_and_the_rest_is_applied(
    client, login, world
):  # fmt: skip
    circle, _other, salma, _ = world
    login(salma)
    not_a_photo = {"name": "cv.docx", "data": base64.b64encode(b"PK\x03\x04 word").decode()}
    results = send(
        client,
        [
            entry(salma, "j1", circle, text="   "),
            entry(salma, "j2", circle, text="x" * (TEXT_MAX + 1)),
            entry(salma, "j3", circle, photos=[_photo()] * (MAX_PHOTOS + 1)),
            entry(salma, "j4", circle, photos=[not_a_photo]),
            entry(salma, "j5", circle, photos=[{"name": "a.png", "data": "%%%"}]),
            entry(salma, "j6", circle, text="Visite à l'ANAPEC"),
        ],
    )
    assert [r["status"] for r in results] == ["refused"] * 5 + ["applied"]
    messages = [r["message"] for r in results]
    assert "the text is empty" in messages[0]
    assert f"at most {TEXT_MAX} characters" in messages[1]
    assert f"At most {MAX_PHOTOS} photos" in messages[2]
    assert "cv.docx" in messages[3] and "not a photo" in messages[3]
    assert "could not be read" in messages[4]
    assert [e.text for e in db.session.scalars(select(JournalEntry))] == ["Visite à l'ANAPEC"]
    assert count(JournalPhoto) == 0


def test_a_closed_cohort_or_a_member_who_left_refuse_the_entry(client, login, world):
    circle, _other, salma, _ = world
    login(salma)
    circle.cohort.archived_at = utcnow()
    db.session.commit()
    (closed,) = send(client, [entry(salma, "j1", circle)])
    assert closed["status"] == "refused" and "cohort is closed" in closed["message"]
    # the same refusal online
    answer = client.post(f"/circles/{circle.id}/journal", data={"text": "En ligne"})
    assert answer.status_code == 403 and "cohort is closed" in answer.get_data(as_text=True)

    circle.cohort.archived_at = None
    circle.members[0].left_at = utcnow()
    db.session.commit()
    (left,) = send(client, [entry(salma, "j2", circle)])
    assert left["status"] == "refused" and "not a member" in left["message"]
    assert count(JournalEntry) == 0


def test_an_entry_dated_before_she_joined_is_dated_when_she_joined(client, login, world):
    circle, _other, salma, _ = world
    joined = utcnow() - timedelta(days=10)
    circle.membership_of(salma).joined_at = joined
    db.session.commit()
    login(salma)
    (result,) = send(client, [entry(salma, "j1", circle)])
    assert result["status"] == "applied"
    written = db.session.scalar(select(JournalEntry))
    assert written.happened_at == joined


def test_a_phone_clock_never_set_is_refused_with_the_reason(client, login, world):
    circle, _other, salma, _ = world
    login(salma)
    (result,) = send(client, [entry(salma, "j1", circle, when="1970-01-01T00:00:00Z")])
    assert result["status"] == "refused"
    assert "1970-01-01, more than a year ago: the date of this phone is wrong" in result["message"]
    assert count(JournalEntry) == 0
