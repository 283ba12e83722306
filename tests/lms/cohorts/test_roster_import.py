"""Roster import: the preview says what will happen to each row, nothing is written before the
trainer confirms, and the confirmation applies everything or nothing."""

from __future__ import annotations

import io
import re

from sqlalchemy import func, select

from curriculum.db import db
from lms.cohorts.models import RosterImport
from lms.learning.models import Enrolment
from lms.learning.operations import enrol
from lms.mail.models import OutboxMessage
from lms.users.models import User


def upload(client, cohort, text: str):
    data = {"file": (io.BytesIO(text.encode()), "roster.csv")}
    return client.post(
        f"/cohorts/{cohort.id}/roster", data=data, content_type="multipart/form-data"
    )


def confirm(client, url: str, **data):
    page = client.get(url).get_data(as_text=True)
    digest = re.search(r'name="digest" type="hidden" value="([0-9a-f]+)"', page).group(1)
    return client.post(url + "/confirm", data={"digest": digest, **data})


def members(cohort) -> set[str]:
    rows = db.session.scalars(
        select(User.email_key)
        .join(Enrolment, Enrolment.user_id == User.id)
        .where(Enrolment.cohort_id == cohort.id)
    )
    return set(rows)


def test_rows_with_errors_are_imported_only_when_the_trainer_chooses_to_skip_them(
    app, trainer, as_user, make_cohort
):
    cohort = make_cohort([trainer])
    client = as_user(trainer)
    url = upload(
        client, cohort, "name,email\nSalma,salma@example.org\n,nobody@example.org\n"
    ).headers["Location"]
    assert confirm(client, url).status_code == 400
    assert members(cohort) == set()
    response = confirm(client, url, skip_errors="y")
    assert response.status_code == 302
    assert members(cohort) == {"salma@example.org"}
    imported = db.session.scalar(select(RosterImport))
    assert imported.summary == {"new": 1, "enrolled": 0, "moved": 0, "already": 0, "skipped": 1}
    # Confirming twice (a double click) does nothing more.
    response = client.post(url + "/confirm", data={"digest": imported.digest, "skip_errors": "y"})
    assert response.status_code == 409 and "This roster was already imported." in response.get_data(
        as_text=True
    )
    assert (
        db.session.scalar(
            select(func.count()).select_from(User).where(User.email_key == "salma@example.org")
        )
        == 1
    )


def test_existing_learners_are_enrolled_moved_or_left_alone_and_keep_their_progress(
    app, trainer, as_user, make_cohort, make_user
):
    cohort = make_cohort([trainer])
    other = make_cohort([trainer], course=cohort.course, name="Autre cohorte")
    here, elsewhere, _free = (
        make_user(email="here@example.org"),
        make_user(email="elsewhere@example.org"),
        make_user(email="free@example.org"),
    )
    enrol(here, cohort.course, cohort)
    moved = enrol(elsewhere, cohort.course, other)
    db.session.commit()
    client = as_user(trainer)
    url = upload(
        client,
        cohort,
        "nom;courriel\nIci;here@example.org\nAilleurs;Elsewhere@Example.org\nLibre;free@example.org\n",
    ).headers["Location"]
    page = client.get(url).get_data(as_text=True)
    assert (
        "Already in this cohort" in page
        and "(from Autre cohorte)" in page
        and "Existing account, enrolled" in page
    )
    assert confirm(client, url).status_code == 302
    assert members(cohort) == {"here@example.org", "elsewhere@example.org", "free@example.org"}
    db.session.refresh(moved)
    assert moved.cohort_id == cohort.id  # the same enrolment: its progress stays with it
    assert (
        db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    )  # no invitation for existing accounts


def test_new_accounts_get_their_language_and_an_invitation_with_a_set_password_link(
    app, trainer, as_user, make_cohort
):
    cohort = make_cohort([trainer])
    client = as_user(trainer)
    url = upload(client, cohort, "nom;courriel;langue\nLayla;layla@example.org;arabe\n").headers[
        "Location"
    ]
    confirm(client, url)
    layla = db.session.scalar(select(User).filter_by(email_key="layla@example.org"))
    assert layla.locale == "ar" and layla.password_hash is None and layla.roles == {"learner"}
    mail = db.session.scalar(select(OutboxMessage))
    assert mail.recipient == "layla@example.org"
    assert (
        "http://lms.test/password/reset/" in mail.body
        and "http://lms.test/password/forgot" in mail.body
    )


def test_a_file_that_does_not_fit_the_cohort_is_refused_at_confirmation(
    app, trainer, as_user, make_cohort, add_learners
):
    cohort = make_cohort([trainer], capacity=3)
    add_learners(cohort, 2)
    client = as_user(trainer)
    url = upload(client, cohort, "nom,email\nA,a@example.org\nB,b@example.org\n").headers[
        "Location"
    ]
    assert "This cohort has room for 1 more learners; the file adds 2." in client.get(url).get_data(
        as_text=True
    )
    response = confirm(client, url)
    assert response.status_code == 409
    assert len(members(cohort)) == 2
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(User)
            .where(User.email_key.in_(["a@example.org", "b@example.org"]))
        )
        == 0
    )


def test_an_account_created_meanwhile_makes_the_whole_confirmation_roll_back(
    app, trainer, as_user, make_cohort, make_user
):
    cohort = make_cohort([trainer])
    client = as_user(trainer)
    url = upload(client, cohort, "nom,email\nA,a@example.org\nB,b@example.org\n").headers[
        "Location"
    ]
    page = client.get(url).get_data(as_text=True)
    digest = re.search(r'name="digest" type="hidden" value="([0-9a-f]+)"', page).group(1)
    # Between the preview and the confirmation, B registers: the import re-checks and enrols her.
    make_user(email="b@example.org")
    assert client.post(url + "/confirm", data={"digest": digest}).status_code == 302
    assert members(cohort) == {"a@example.org", "b@example.org"}
    assert (
        db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
    )  # only A is invited


def test_a_stale_preview_cannot_confirm_other_rows(app, trainer, as_user, make_cohort):
    cohort = make_cohort([trainer])
    client = as_user(trainer)
    first = upload(client, cohort, "nom,email\nA,a@example.org\n").headers["Location"]
    stale = re.search(
        r'name="digest" type="hidden" value="([0-9a-f]+)"', client.get(first).get_data(as_text=True)
    ).group(1)
    second = upload(client, cohort, "nom,email\nB,b@example.org\n").headers["Location"]
    target = second if second != first else first
    response = client.post(target + "/confirm", data={"digest": stale})
    assert response.status_code == 409
    assert "replaced by a newer upload" in response.get_data(as_text=True)
    assert members(cohort) == set()


def test_an_unreadable_file_is_refused_on_the_upload_page_with_each_problem(
    app, trainer, as_user, make_cohort
):
    cohort = make_cohort([trainer])
    client = as_user(trainer)
    response = upload(client, cohort, "prénom;téléphone\nSalma;0600\n")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "This file cannot be imported; nothing was written." in html
    assert (
        "Row 1: no column for the e-mail address" in html
        and "Row 1: no column for the name" not in html
    )
    assert db.session.scalar(select(func.count()).select_from(RosterImport)) == 0


def test_a_roster_cannot_take_a_learner_from_another_trainers_cohort(
    app, trainer, as_user, make_cohort, make_user
):
    cohort = make_cohort([trainer])
    colleague = make_user(email="colleague@example.org", roles=("trainer",))
    theirs = make_cohort([colleague], course=cohort.course, name="Cohorte de Khénifra")
    learner = make_user(email="hajar@example.org")
    kept = enrol(learner, cohort.course, theirs)
    db.session.commit()
    client = as_user(trainer)
    url = upload(client, cohort, "nom;courriel\nHajar;hajar@example.org\n").headers["Location"]
    page = client.get(url).get_data(as_text=True)
    assert "another trainer" in page and "Khénifra" not in page  # refused, and nothing leaked
    confirm(client, url)
    db.session.refresh(kept)
    assert kept.cohort_id == theirs.id
