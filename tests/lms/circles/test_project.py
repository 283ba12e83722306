"""The project and its allies: members and facilitators edit them, others are refused; bad input
is refused with the reason, nothing written and what was typed kept."""

from __future__ import annotations

import io

from sqlalchemy import select

from curriculum.db import db
from lms.audit.models import AuditEvent
from lms.circles.models import Project, ProjectAlly

GOOD = {
    "title": "Un café-emploi au centre de Tissa",
    "problem_who": "Les jeunes diplômés sans emploi",
    "problem_what": "Ils ne connaissent pas les offres",
    "problem_where": "Tissa",
    "problem_how_many": "Environ 400",
    "problem_why": "Ils quittent la commune",
    "tried": "",
    "province": "Taounate",
    "commune": "Tissa",
    "theme": "employment",
    "stage": "diagnosis",
    "outcome": "",
    "stop_reason": "",
}


def test_members_edit_the_project_others_cannot(
    trainer, make_user, make_cohort, add_learners, as_user, make_circle
):
    cohort = make_cohort([trainer])
    a, b, c = (e.user for e in add_learners(cohort, 3))
    circle = make_circle(cohort, [a, b])
    make_circle(cohort, [c])
    url = f"/circles/{circle.id}/project"
    assert as_user(a).post(url, data=GOOD).status_code == 302
    project = db.session.get(Project, circle.project.id)
    assert project.title == GOOD["title"] and project.stage == "diagnosis"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "project.updated"))
    assert "title" in event.data["fields"]
    page = as_user(b).get(f"/circles/{circle.id}").get_data(as_text=True)
    assert GOOD["title"] in page

    for user in (c, make_user(roles=("trainer",))):
        assert as_user(user).post(url, data={**GOOD, "title": "Piraté"}).status_code == 403
    assert as_user(trainer).post(url, data={**GOOD, "stage": "prototype"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Project, project.id).title == GOOD["title"]


def test_bad_project_input(trainer, make_cohort, add_learners, as_user, make_circle):
    cohort = make_cohort([trainer])
    a, b = (e.user for e in add_learners(cohort, 2))
    circle = make_circle(cohort, [a, b], title="Avant")
    member, staff = as_user(a), as_user(trainer)
    url = f"/circles/{circle.id}/project"
    cases = [
        (member, {**GOOD, "title": ""}, "This field is required"),
        (member, {**GOOD, "problem_what": "x" * 5001}, "5000"),
        (staff, {**GOOD, "stage": "pilot", "outcome": "stopped"}, "once it is presented"),
        (
            staff,
            {**GOOD, "stage": "presented", "outcome": "stopped"},
            "Say why the project stopped",
        ),
        (member, {**GOOD, "stage": "nowhere"}, "Not a valid choice"),
        (member, {**GOOD, "stage": "pilot"}, "Not a valid choice"),  # one stage at a time
    ]
    for client, data, message in cases:
        response = client.post(url, data=data)
        body = response.get_data(as_text=True)
        assert response.status_code == 400 and message in body, message
        assert GOOD["problem_who"] in body  # what was typed stays
    db.session.expire_all()
    assert db.session.get(Project, circle.project.id).title == "Avant"


def test_allies_with_a_letter(trainer, make_cohort, add_learners, as_user, make_circle):
    cohort = make_cohort([trainer])
    a, b, c = (e.user for e in add_learners(cohort, 3))
    circle = make_circle(cohort, [a, b])
    client = as_user(a)
    url = f"/circles/{circle.id}/allies/new"
    data = {"organisation": "Association Amal", "kind": "association", "contact_role": "Présidente",
            "commitment": "Une salle le samedi"}  # fmt: skip
    not_a_letter = client.post(url, data={**data, "letter": (io.BytesIO(b"MZ\x90"), "x.exe")},
                               content_type="multipart/form-data")  # fmt: skip
    assert not_a_letter.status_code == 400 and "not of an accepted type" in not_a_letter.get_data(
        as_text=True
    )
    assert "Une salle le samedi" in not_a_letter.get_data(as_text=True)
    assert client.post(url, data={**data, "organisation": " "}).status_code == 400
    assert client.post(url, data={**data, "kind": "party"}).status_code == 400
    assert db.session.scalar(select(ProjectAlly)) is None

    letter = (io.BytesIO(b"%PDF-1.4\n% soutien\n"), "soutien.pdf")
    added = client.post(url, data={**data, "letter": letter}, content_type="multipart/form-data")
    assert added.status_code == 302
    ally = db.session.scalar(select(ProjectAlly))
    assert ally.letter_name == "soutien.pdf" and ally.kind == "association"
    letter_url = f"/circles/{circle.id}/allies/{ally.id}/letter"
    assert as_user(b).get(letter_url).data.startswith(b"%PDF")
    assert as_user(c).get(letter_url).status_code == 403
    assert as_user(c).post(f"/circles/{circle.id}/allies/{ally.id}/delete").status_code == 403
    assert client.post(f"/circles/{circle.id}/allies/{ally.id}/delete").status_code == 302
    assert db.session.scalar(select(ProjectAlly)) is None
