"""The public page: no account, one answer per device, a limit per address that holds under
concurrent requests, clear refusals for what is not open, every bad answer named."""

from __future__ import annotations

import re
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from curriculum.db import db
from lms.circles.consultations import operations
from lms.circles.consultations.models import ConsultationAnswer, ConsultationValue
from tests.clients import IsolatedClient

from .conftest import answer_data


def answers_of(consultation) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(ConsultationAnswer)
        .filter_by(consultation_id=consultation.id)
    )


def url(consultation) -> str:
    return f"/c/{consultation.code}"


def phone(app):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    return client


def test_an_anonymous_phone_answers_once(app, place):
    consultation = place.consultation
    client = phone(app)
    page = client.get(url(consultation))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert (
        "Avez-vous un emploi ?" in html
        and "<script" not in html.split("<main", 1)[-1].split("</main>", 1)[0]
    )
    # no personal data asked: only the questions' fields, the optional commune and the token
    names = set(re.findall(r'<(?:input|select|textarea|button)[^>]* name="([^"]+)"', html))
    assert names == {"csrf_token", "language", "commune"} | {
        f"q{q.id}" for q in consultation.questions
    }
    assert 'type="email"' not in html and 'type="tel"' not in html
    data = answer_data(consultation, q1="c1", q2=["c1", "c3"], q3="4", q4="Un bus le samedi")
    response = client.post(url(consultation), data={**data, "commune": "Tissa"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/c/{consultation.code}/thanks")
    cookie = client.get_cookie("lms_device", domain="lms.test")
    assert cookie is not None and cookie.http_only
    answer = db.session.scalars(select(ConsultationAnswer)).one()
    assert (answer.channel, answer.commune, answer.entered_by_id) == ("online", "Tissa", None)
    assert answer.device_hash and cookie.value not in answer.device_hash
    values = db.session.scalars(select(ConsultationValue).order_by(ConsultationValue.id)).all()
    assert [(v.choice, v.text) for v in values] == [
        ("c1", None), ("c1", None), ("c3", None), ("4", None), (None, "Un bus le samedi"),
    ]  # fmt: skip
    assert "Merci" in client.get(response.headers["Location"]).get_data(as_text=True)

    # the same device again: refused, nothing written; the page says it answered already
    again = client.post(url(consultation), data=data)
    assert again.status_code == 409
    assert answers_of(consultation) == 1
    assert "déjà" in client.get(url(consultation)).get_data(as_text=True)
    # another phone may answer
    assert phone(app).post(url(consultation), data=data).status_code == 303
    assert answers_of(consultation) == 2


def test_a_commune_not_offered_is_not_kept(app, place):
    data = answer_data(place.consultation, q1="c2")
    phone(app).post(url(place.consultation), data={**data, "commune": "Rue Hassan II, n° 4"})
    assert db.session.scalars(select(ConsultationAnswer.commune)).one() == ""


@pytest.mark.parametrize(
    ("sent", "message"),
    [
        ({"q3": "4"}, "Please answer this question."),
        ({"q1": "c9"}, "is not one of the possible answers"),
        ({"q1": ["c1", "c2"]}, "Choose only one answer."),
        ({"q1": "c1", "q3": "6"}, "is not one of the possible answers"),
        ({"q1": "c1", "q4": "x" * 501}, "At most 500 characters, please (this answer has 501)."),
    ],
)
def test_a_bad_answer_is_named_and_nothing_is_written(app, place, sent, message):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    data = answer_data(place.consultation, **sent)
    response = client.post(url(place.consultation), data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html
    assert answers_of(place.consultation) == 0
    assert client.get_cookie("lms_device", domain="lms.test") is None
    if "q4" in sent:  # what was typed comes back
        assert "x" * 501 in html


def test_an_empty_answer_is_refused(app, place, make_consultation):
    optional = operations.QuestionDetails("scale", {"fr": "Utile ?", "ar": "مفيد؟"})
    consultation = make_consultation(place.circle.project, place.member, questions=[optional])
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.post(url(consultation), data={})
    assert response.status_code == 400
    assert "Please answer at least one question." in response.get_data(as_text=True)
    assert answers_of(consultation) == 0


@pytest.mark.parametrize(
    ("status", "details", "expected", "words"),
    [
        ("draft", {}, 404, "not published"),
        ("closed", {}, 410, "closed"),
        ("open", {"closes_on": date.today() - timedelta(days=2)}, 410, "closed"),
        ("open", {"opens_on": date.today() + timedelta(days=3)}, 403, "opens on"),
    ],
)
def test_what_is_not_open_is_refused_clearly(app, place, make_consultation, status, details,
                                             expected, words):  # fmt: skip
    consultation = make_consultation(place.circle.project, place.member, status=status, **details)
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get(url(consultation))
    assert page.status_code == expected
    assert words in page.get_data(as_text=True)
    assert '<form method="post" action="/c/' not in page.get_data(as_text=True)
    response = client.post(url(consultation), data=answer_data(consultation, q1="c1"))
    assert response.status_code == expected
    assert words in response.get_data(as_text=True)
    assert answers_of(consultation) == 0


def test_unknown_code_is_404(client):
    assert client.get("/c/nothing").status_code == 404
    assert client.post("/c/nothing", data={}).status_code == 404


@pytest.fixture
def app_config(app_config):
    return {**app_config, "LMS_CONSULTATION_ANSWER_LIMIT": "3 per hour"}


def test_the_limit_per_address_holds_under_concurrent_requests(app, place):
    """Ten phones behind one address send at the same instant: exactly three get through."""
    app.test_client_class = IsolatedClient
    consultation = place.consultation
    data = answer_data(consultation, q1="c1")
    barrier = threading.Barrier(10)
    statuses: list[int] = []

    def send():
        client = app.test_client()
        barrier.wait()
        statuses.append(client.post(url(consultation), data=data).status_code)

    threads = [threading.Thread(target=send) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [303] * 3 + [429] * 7
    assert answers_of(consultation) == 3
    # another address is not held back
    other = app.test_client()
    response = other.post(url(consultation), data=data, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert response.status_code == 303


def test_one_device_sending_twice_at_once_counts_once(app, place):
    app.test_client_class = IsolatedClient
    consultation = place.consultation
    data = answer_data(consultation, q1="c2")
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def send():
        client = app.test_client()
        client.set_cookie("lms_device", "the-same-device-token-0123456789", domain="lms.test")
        barrier.wait()
        statuses.append(client.post(url(consultation), data=data).status_code)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [303, 409]
    assert answers_of(consultation) == 1


def test_the_public_page_weighs_less_than_30_kb(app, place):
    client = phone(app)
    response = client.get(url(place.consultation))
    html = response.get_data()
    total = len(html)
    assets = re.findall(rb'(?:href|src)="(/lms-static/[^"]+\.(?:css|js))"', html)
    assert assets  # its stylesheet is counted
    for asset in assets:
        total += len(client.get(asset.decode()).get_data())
    assert total < 30 * 1024
