"""The public page of a published project: the problem, what the circle tried, its indicators
(an SVG chart), its allies, the results of its closed consultations and the first names of the
members who agreed; never drafts, open consultations, hidden texts, full names or letters. It
and the sheet run a fixed number of queries (at most 8) whatever the number of members, allies,
indicators, values, journal entries, consultations and answers."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from curriculum.db import db
from lms.circles.consultations import operations as consult
from lms.circles.consultations.models import ConsultationValue

from .conftest import agree

MAX_QUERIES = 8


def publish(circle, trainer):
    agree(circle)
    circle.project.published_at, circle.project.published_by_id = db.func.now(), trainer.id
    db.session.commit()


def test_anyone_sees_a_published_project(showcase_circle, trainer, client):
    circle = showcase_circle(names=("Salma Idrissi", "Hamza Ouali", "Imane Berrada"))
    publish(circle, trainer)
    circle.members[2].show_first_name = False  # Imane agrees to publish, not to show her name
    closed = circle.project  # the closed consultation's texts: one is hidden by the facilitator
    hidden = db.session.scalars(
        select(ConsultationValue).where(ConsultationValue.text == "Idée numéro 5")
    ).one()
    consult.hide_text(trainer, hidden, "abusive")
    db.session.commit()

    response = client.get(f"/projects/{closed.id}")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    main = text.split('id="main"', 1)[1]
    for shown in ("Café-emploi du samedi", "مقهى التشغيل يوم السبت", "Les jeunes diplômés de Tissa",
                  "Environ 400 jeunes", "Dar Chabab, avec l", "Commune de Tissa",
                  "La salle du Dar Chabab", "Jeunes reçus", "Emploi des jeunes",
                  "Do you have a job?", "Idée numéro 4", "Salma, Hamza"):  # fmt: skip
        assert shown in main, shown
    # the indicator's chart and the results' charts are inline SVG
    assert main.count("<svg") >= 4 and "<polyline" in main
    # 6 answers in the closed consultation, from 5 channels
    assert "6 answers" in main and "Paper 2" in main
    for hidden_text in ("Brouillon caché", "Encore ouverte", "Idée numéro 5", "Idrissi",
                        "Imane", "Berrada", "/letter"):  # fmt: skip
        assert hidden_text not in main, hidden_text
    assert re.search(rf'href="[^"]*/projects/{closed.id}/sheet.pdf"', main)


def test_an_unpublished_project_is_a_preview_for_its_circle_only(
    showcase_circle, trainer, as_user, client, make_user
):
    circle = showcase_circle()
    url = f"/projects/{circle.project.id}"
    assert client.get(url).status_code == 404
    assert as_user(make_user()).get(url).status_code == 404
    preview = as_user(circle.members[0].user).get(url)
    assert preview.status_code == 200 and "Preview" in preview.get_data(as_text=True)
    assert as_user(trainer).get(url).status_code == 200
    assert client.get(url + "/sheet.pdf").status_code == 404


def test_the_page_reads_in_arabic(showcase_circle, trainer, client):
    circle = showcase_circle()
    publish(circle, trainer)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ar"
    text = client.get(f"/projects/{circle.project.id}").get_data(as_text=True)
    assert 'dir="rtl"' in text and "هل لديك عمل؟" in text and "نعم" in text
    # Arabic separates the members' first names with its own comma
    first = [m.user.name.split()[0] for m in circle.members]
    assert "، ".join(first) in text


@pytest.mark.parametrize("anonymous", [True, False])
def test_the_page_runs_a_fixed_number_of_queries(
    showcase_circle, trainer, grow, add_learners, client, as_user, count_queries, anonymous
):
    circle = showcase_circle()
    publish(circle, trainer)
    visitor = client if anonymous else as_user(circle.members[0].user)
    url = f"/projects/{circle.project.id}"

    def count() -> int:
        visitor.get(url)  # the logged-in visitor's session is warmed up by a first request
        with count_queries() as queries:
            assert visitor.get(url).status_code == 200
        return len(queries)

    grow(circle, add_learners, 1)
    small = count()
    grow(circle, add_learners, 6)
    assert count() == small
    assert small <= MAX_QUERIES, small
    # what grew is on the page: 8 members' first names, 7 more allies and indicators (each with
    # its values), the answers of 2 more consultations (journal entries are never shown)
    main = visitor.get(url).get_data(as_text=True).split('id="main"', 1)[1]
    for grown in ("Allié 5", "Jeunes reçus 5", "Avis", "6 answers"):
        assert grown in main, grown
    assert "25 jeunes au café-emploi" not in main


def test_the_sheet_runs_a_fixed_number_of_queries(
    showcase_circle, trainer, grow, add_learners, client, count_queries
):
    circle = showcase_circle()
    publish(circle, trainer)
    url = f"/projects/{circle.project.id}/sheet.pdf"

    def count() -> int:
        with count_queries() as queries:
            response = client.get(url)
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        return len(queries)

    grow(circle, add_learners, 1)
    small = count()
    grow(circle, add_learners, 6)
    assert count() == small
    assert small <= MAX_QUERIES, small
