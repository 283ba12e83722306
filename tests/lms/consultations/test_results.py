"""Results: counts and shares per choice, per channel and per commune as SVG charts computed in
SQL (a fixed number of queries whatever the number of answers); texts listed, hidden by a
facilitator (audited, never deleted); a formula-safe CSV export."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from curriculum.db import db
from lms.audit.models import AuditEvent
from lms.circles.consultations import answers, operations
from lms.circles.consultations.models import ConsultationValue


def enter(place, channel, commune, **by_number):
    consultation = place.consultation
    sent = {consultation.questions[int(k[1:]) - 1].id: (v if isinstance(v, list) else [v])
            for k, v in by_number.items()}  # fmt: skip
    read = answers.check(consultation.questions, sent)
    operations.record_entered_answer(place.member, consultation, read, channel, commune,
                                     date(2026, 11, 20), date(2026, 12, 1))  # fmt: skip


def test_counts_and_shares_per_choice_channel_and_commune(as_user, place):
    enter(place, "paper", "Tissa", q1="c1", q2=["c1", "c2"], q3="4", q4="Un bus")
    enter(place, "paper", "Tissa", q1="c1", q2=["c2"], q3="2")
    enter(place, "phone", "Taounate", q1="c2", q3="5", q4='=HYPERLINK("http://evil")')
    enter(place, "radio", "Taounate", q1="c2")
    db.session.commit()
    page = as_user(place.trainer).get(f"/consultations/{place.consultation.id}/results")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "4 answers · 3 channels" in html
    assert html.count('<svg class="chart"') >= 2 + 3 * 3  # per channel, per commune, questions
    assert "Paper" in html and "Phone" in html and "Local radio" in html
    assert "2 · 50 %" in html  # Yes: 2 of 4
    assert "average: 3.7 / 5" in html
    assert "2 people answered" in html  # the multiple-choice question
    assert "Un bus" in html
    assert "<text" in html and "<script" not in html.split("<main", 1)[-1].split("</main>", 1)[0]


def test_the_results_run_a_fixed_number_of_queries(app, as_user, place, count_queries):
    client = as_user(place.trainer)
    url = f"/consultations/{place.consultation.id}/results"
    enter(place, "paper", "Tissa", q1="c1", q4="Un")
    db.session.commit()
    client.get(url)
    with count_queries() as few:
        client.get(url)
    for n in range(30):
        enter(place, ("paper", "phone", "radio")[n % 3], f"Commune {n}", q1="c2", q2=["c3"],
              q3=str(n % 5 + 1), q4=f"Idée {n}")  # fmt: skip
    db.session.commit()
    with count_queries() as many:
        client.get(url)
    assert len(many) == len(few)


def test_a_facilitator_hides_an_abusive_text(as_user, place):
    enter(place, "paper", "Tissa", q1="c1", q4="Des insultes")
    db.session.commit()
    value = db.session.scalars(
        select(ConsultationValue).where(ConsultationValue.text.is_not(None))
    ).one()
    base = f"/consultations/{place.consultation.id}"
    # a member may not hide it
    assert (
        as_user(place.member)
        .post(f"{base}/texts/{value.id}/hide", data={"reason": "x"})
        .status_code
        == 403
    )
    trainer = as_user(place.trainer)
    assert trainer.post(f"{base}/texts/{value.id}/hide", data={"reason": ""}).status_code == 302
    db.session.refresh(value)
    assert value.hidden_at is None  # a reason is needed
    assert (
        trainer.post(f"{base}/texts/{value.id}/hide", data={"reason": "Insultes"}).status_code
        == 302
    )
    db.session.refresh(value)
    assert value.hidden_at is not None and value.hidden_by_id == place.trainer.id
    assert value.text == "Des insultes"  # kept, never deleted
    member_page = as_user(place.member).get(base + "/results").get_data(as_text=True)
    assert "Des insultes" not in member_page and "Hidden by a facilitator." in member_page
    export = as_user(place.member).get(base + "/results.csv").get_data(as_text=True)
    assert "Des insultes" not in export and "[hidden by a facilitator]" in export
    event = db.session.scalars(
        select(AuditEvent).filter_by(action="consultation.text_hidden")
    ).one()
    assert event.actor_id == place.trainer.id and event.data["reason"] == "Insultes"
    assert trainer.post(f"{base}/texts/{value.id}/show").status_code == 302
    db.session.refresh(value)
    assert value.hidden_at is None
    # a text of another consultation is not found here
    assert trainer.post(f"/consultations/999/texts/{value.id}/show").status_code == 404


def test_the_csv_export_is_formula_safe(as_user, place):
    enter(
        place,
        "phone",
        "=cmd|' /C calc'!A0",
        q1="c2",
        q2=["c1", "c3"],
        q4='=HYPERLINK("http://evil")',
    )
    db.session.commit()
    response = as_user(place.member).get(f"/consultations/{place.consultation.id}/results.csv")
    assert response.headers["Cache-Control"] == "no-store"
    text = response.get_data(as_text=True)
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith(
        "Answer,Channel,Commune,Date,Entered by a member,Q1. Do you have a job?"
    )
    assert "'=HYPERLINK" in text and "'=cmd" in text
    assert ",Phone," in lines[1] and "Training | Information" in lines[1]


def test_the_texts_page_lists_them_page_by_page(as_user, place):
    for n in range(25):
        enter(place, "paper", "Tissa", q1="c1", q4=f"Idée numéro {n}")
    db.session.commit()
    text_question = place.consultation.questions[3]
    base = f"/consultations/{place.consultation.id}/questions/{text_question.id}/texts"
    client = as_user(place.member)
    first = client.get(base).get_data(as_text=True)
    assert "Idée numéro 24" in first and "Idée numéro 4<" not in first
    assert "Idée numéro 4<" in client.get(base + "?page=2").get_data(as_text=True)
    choice_question = place.consultation.questions[0]
    assert (
        client.get(
            f"/consultations/{place.consultation.id}/questions/{choice_question.id}/texts"
        ).status_code
        == 404
    )
