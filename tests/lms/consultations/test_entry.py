"""Answers gathered elsewhere: typed one after another by a member, or imported from a CSV with
a preview that names every bad row and imports all the rows or none."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from curriculum.db import db
from lms.circles.consultations.models import ConsultationAnswer, ConsultationImport

from .conftest import answer_data


def answers(consultation) -> list[ConsultationAnswer]:
    return db.session.scalars(
        select(ConsultationAnswer)
        .filter_by(consultation_id=consultation.id)
        .order_by(ConsultationAnswer.id)
    ).all()


def test_save_and_next_keeps_the_channel_commune_and_date(as_user, place):
    consultation = place.consultation
    member = as_user(place.member)
    base = f"/consultations/{consultation.id}/enter"
    where = {"channel": "paper", "commune": "Tissa", "date": "2026-11-20"}
    for choice in ("c1", "c2", "c1"):
        response = member.post(base, data={**where, **answer_data(consultation, q1=choice)})
        assert response.status_code == 302
    page = member.get(response.headers["Location"]).get_data(as_text=True)
    assert "3 answers so far." in page
    assert 'value="Tissa"' in page and 'value="2026-11-20"' in page
    assert '<option value="paper" selected>' in page
    saved = answers(consultation)
    assert [(a.channel, a.commune, a.answered_on, a.entered_by_id) for a in saved] == [
        ("paper", "Tissa", date(2026, 11, 20), place.member.id)
    ] * 3


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ({"channel": "online", "commune": "Tissa", "date": "2026-11-20"}, "Choose the channel"),
        ({"channel": "phone", "commune": "", "date": "2026-11-20"}, "Write the commune."),
        ({"channel": "phone", "commune": "Tissa", "date": "20 novembre"}, "Give the date"),
        ({"channel": "phone", "commune": "Tissa",
          "date": (date.today() + timedelta(days=2)).isoformat()}, "in the future"),
    ],
)  # fmt: skip
def test_a_bad_entry_is_named_and_kept(as_user, place, where, message):
    consultation = place.consultation
    response = as_user(place.member).post(
        f"/consultations/{consultation.id}/enter",
        data={**where, **answer_data(consultation, q1="c1", q4="Plus de bus")},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html and "Plus de bus" in html
    assert answers(consultation) == []


def test_an_entry_needs_an_open_or_closed_consultation(as_user, place, make_consultation):
    draft = make_consultation(place.circle.project, place.member, status="draft")
    response = as_user(place.member).post(
        f"/consultations/{draft.id}/enter",
        data={
            "channel": "paper",
            "commune": "Tissa",
            "date": "2026-11-20",
            **answer_data(draft, q1="c1"),
        },
    )
    assert response.status_code == 409
    assert answers(draft) == []


def test_another_circle_cannot_enter_answers(as_user, place):
    consultation = place.consultation
    response = as_user(place.other_member).post(
        f"/consultations/{consultation.id}/enter",
        data={
            "channel": "paper",
            "commune": "Tissa",
            "date": "2026-11-20",
            **answer_data(consultation, q1="c1"),
        },
    )
    assert response.status_code == 403
    assert answers(consultation) == []


GOOD = (
    "canal;commune;date;Q1;Q2;Q3;Q4\n"
    "papier;Tissa;14/11/2026;Oui;Formation | Transport;4;Un centre ouvert le soir\n"
    "WhatsApp;Taounate;2026-11-15;2;3;5;\n"
    "radio;Tissa;2026-11-16;non;;;\n"
)


def upload(client, consultation, text: str, encoding="utf-8"):
    return client.post(
        f"/consultations/{consultation.id}/import",
        data={"file": (__import__("io").BytesIO(text.encode(encoding)), "answers.csv")},
        content_type="multipart/form-data",
    )


def test_a_csv_is_previewed_then_imported_whole(as_user, place):
    consultation = place.consultation
    member = as_user(place.member)
    response = upload(member, consultation, GOOD)
    assert response.status_code == 302
    preview = member.get(response.headers["Location"]).get_data(as_text=True)
    assert "3 answers are ready to import." in preview
    assert answers(consultation) == []  # nothing before the confirmation
    imported = db.session.scalars(select(ConsultationImport)).one()
    confirm = member.post(f"/consultations/{consultation.id}/import/{imported.id}/confirm")
    assert confirm.status_code == 302
    saved = answers(consultation)
    assert [(a.channel, a.commune, a.answered_on.isoformat()) for a in saved] == [
        ("paper", "Tissa", "2026-11-14"), ("whatsapp", "Taounate", "2026-11-15"),
        ("radio", "Tissa", "2026-11-16"),
    ]  # fmt: skip
    first = sorted((v.question_id, v.choice, v.text) for v in saved[0].values)
    ids = [q.id for q in consultation.questions]
    assert first == sorted([(ids[0], "c1", None), (ids[1], "c1", None), (ids[1], "c2", None),
                            (ids[2], "4", None), (ids[3], None, "Un centre ouvert le soir")])  # fmt: skip
    # a second confirmation imports nothing more
    assert (
        member.post(f"/consultations/{consultation.id}/import/{imported.id}/confirm").status_code
        == 409
    )
    assert len(answers(consultation)) == 3


def test_every_bad_row_is_named_and_nothing_is_imported(as_user, place):
    consultation = place.consultation
    member = as_user(place.member)
    text = GOOD + (
        "pigeon;Tissa;2026-11-16;Oui;;;\n"
        "papier;;2026-11-16;Oui;;;\n"
        "papier;Tissa;31/02/2026;Oui;;;\n"
        "papier;Tissa;2026-11-16;Peut-être;;7;\n"
        "papier;Tissa;2026-11-16;;;;\n"
        "en ligne;Tissa;2026-11-16;Oui;;;\n"
        f"papier;Tissa;2026-11-16;Oui;;;{'x' * 501}\n"
    )
    response = upload(member, consultation, text)
    preview = member.get(response.headers["Location"]).get_data(as_text=True)
    for row, words in [
        (5, "unknown channel “pigeon”"),
        (6, "the commune is missing"),
        (7, "“31/02/2026” is not a date"),
        (8, "Q1: “Peut-être” is not one of the possible answers"),
        (9, "Q1: Please answer this question."),
        (10, "online answers come from the consultation&#39;s public page only"),
        (11, "Q4: At most 500 characters"),
    ]:
        assert f"Row {row}: " in preview and words in preview, (row, words)
    assert "Row 2:" not in preview
    assert "7 rows have errors: nothing is imported." in preview
    imported = db.session.scalars(select(ConsultationImport)).one()
    confirm = member.post(f"/consultations/{consultation.id}/import/{imported.id}/confirm")
    assert confirm.status_code == 400
    assert answers(consultation) == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"PK\x03\x04xlsx", "Excel workbook"),
        ("nom;téléphone\nSalma;0600\n".encode(), "no column “canal”"),
        (b"canal;commune;date\npapier;Tissa;2026-11-16\n", "no column for the questions"),
        (b"canal;commune;date;Q1\n", "no answer rows"),
    ],
)
def test_an_unreadable_file_is_refused_with_its_reasons(as_user, place, data, message):
    consultation = place.consultation
    response = as_user(place.member).post(
        f"/consultations/{consultation.id}/import",
        data={"file": (__import__("io").BytesIO(data), "answers.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ConsultationImport)) == 0


def test_windows_1252_and_commas_are_read(as_user, place):
    text = "Canal,Commune,Date,Q1\npapier,Aïn Aïcha,2026-11-16,Oui\n"
    member = as_user(place.member)
    response = upload(member, place.consultation, text, encoding="cp1252")
    assert response.status_code == 302
    imported = db.session.scalars(select(ConsultationImport)).one()
    assert imported.rows[0]["commune"] == "Aïn Aïcha" and not imported.bad_rows


def test_the_template_has_the_columns(as_user, place):
    response = as_user(place.member).get(
        f"/consultations/{place.consultation.id}/import/template.csv"
    )
    assert (
        response.get_data(as_text=True)
        .lstrip("\ufeff")
        .startswith("channel,commune,date,Q1,Q2,Q3,Q4")
    )
