"""Roster import: the preview says what will happen to each row, nothing is written before the
trainer confirms, and the confirmation applies everything or nothing."""

from __future__ import annotations

import io
import re

from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from curriculum.db import db
from lms.audit.models import AuditEvent
from lms.cohorts import operations
from lms.cohorts.models import RosterImport
from lms.cohorts.queries import pending_invitations
from lms.learning.models import Enrolment, Submission
from lms.learning.operations import enrol
from lms.mail.models import OutboxMessage
from lms.uploads import store
from lms.users.models import User
from lms.users.operations import create_user

from .conftest import PASSWORD


def upload(client, cohort, text: str):
    data = {"file": (io.BytesIO(text.encode()), "roster.csv")}
    return client.post(
        f"/cohorts/{cohort.id}/roster", data=data, content_type="multipart/form-data"
    )


DIGEST = re.compile(r'name="digest" type="hidden" value="([0-9a-f]+)"')


def confirm(client, url: str, **data):
    """Press "Confirm the import" on the preview at ``url``."""
    page = client.get(url).get_data(as_text=True)
    return client.post(url + "/confirm", data={"digest": DIGEST.search(page).group(1), **data})


def confirm_anyway(client, url: str, **data):
    """Post a confirmation the preview does not offer (a crafted request, or an old tab)."""
    imported = db.session.get(RosterImport, int(url.rsplit("/", 1)[1]))
    return client.post(url + "/confirm", data={"digest": imported.digest, **data})


def members(cohort) -> set[str]:
    rows = db.session.scalars(
        select(User.email_key)
        .join(Enrolment, Enrolment.user_id == User.id)
        .where(Enrolment.cohort_id == cohort.id)
    )
    return set(rows)


def invited(cohort) -> set[str]:
    """The addresses invited to the cohort that have not answered yet."""
    return {item.user.email_key for item in pending_invitations(cohort)}


def accept_link(email: str) -> str:
    """The invitation page an existing account was mailed."""
    mail = db.session.scalar(select(OutboxMessage).filter_by(recipient=email))
    return re.search(r"http://lms\.test(/invitations/\d+)", mail.body).group(1)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_roster_with_bad_rows_is_never_half_imported(app, trainer, as_user, make_cohort):
    cohort = make_cohort([trainer])
    client = as_user(trainer)
    users_before = count(User)
    url = upload(
        client,
        cohort,
        "name,email\nSalma,salma@example.org\n,nobody@example.org\nKarim,karim-at-example\n",
    ).headers["Location"]
    page = client.get(url).get_data(as_text=True)
    # Every row's fate, every error with its row number, and no way to confirm.
    assert "Will be invited (by e-mail): <strong>1</strong>" in page
    assert "Error: <strong>2</strong>" in page
    assert "Row 3: The name is missing." in page
    assert "Row 4: The e-mail address « karim-at-example » is not valid." in page
    assert "2 rows have an error. Nothing is imported while a row has an error" in page
    assert "/confirm" not in page and "Confirm the import" not in page
    assert "Skip the rows" not in page
    # Confirming anyway (with or without the option that used to skip bad rows) writes nothing.
    for extra in ({}, {"skip_errors": "y"}):
        response = confirm_anyway(client, url, **extra)
        assert response.status_code == 400
        assert "2 rows have an error" in response.get_data(as_text=True)
    assert members(cohort) == set()
    assert (count(User), count(Enrolment), count(OutboxMessage)) == (users_before, 0, 0)
    assert db.session.scalar(select(RosterImport)).applied_at is None

    # The fixed file goes in whole; confirming twice (a double click) does nothing more.
    url = upload(
        client, cohort, "name,email\nSalma,salma@example.org\nNour,nobody@example.org\n"
    ).headers["Location"]
    assert confirm(client, url).status_code == 302
    assert members(cohort) == set()  # each joins by answering the invitation
    assert invited(cohort) == {"salma@example.org", "nobody@example.org"}
    imported = db.session.scalar(select(RosterImport))
    assert imported.summary == {"invited": 2, "already": 0}
    response = client.post(url + "/confirm", data={"digest": imported.digest})
    assert response.status_code == 409
    assert "This roster was already imported." in response.get_data(as_text=True)
    assert (count(User), count(OutboxMessage)) == (users_before + 2, 2)


def test_existing_accounts_are_invited_and_join_with_their_progress_only_when_they_accept(
    app, trainer, as_user, make_cohort, make_user
):
    cohort = make_cohort([trainer])
    other = make_cohort([trainer], course=cohort.course, name="Autre cohorte")
    here, elsewhere, alone, free = (
        make_user(email="here@example.org"),
        make_user(email="elsewhere@example.org"),
        make_user(email="alone@example.org"),
        make_user(email="free@example.org"),
    )
    enrol(here, cohort.course, cohort)
    moved = enrol(elsewhere, cohort.course, other)
    on_their_own = enrol(alone, cohort.course)  # enrolled by themselves, in no cohort
    db.session.commit()
    client = as_user(trainer)
    url = upload(
        client,
        cohort,
        "nom;courriel\nIci;here@example.org\nAilleurs;Elsewhere@Example.org\n"
        "Seule;alone@example.org\nLibre;free@example.org\n",
    ).headers["Location"]
    page = client.get(url).get_data(as_text=True)
    assert "Already in this cohort: <strong>1</strong>" in page
    assert "Will be invited (by e-mail): <strong>3</strong>" in page
    assert "Existing account" not in page and "Autre cohorte" not in page
    enrolments_before = count(Enrolment)
    assert confirm(client, url).status_code == 302
    assert members(cohort) == {"here@example.org"}  # nobody is pulled in
    assert invited(cohort) == {"elsewhere@example.org", "alone@example.org", "free@example.org"}
    assert count(OutboxMessage) == 3  # each is asked, in the app and by e-mail
    imported = db.session.scalar(select(RosterImport))
    assert imported.summary == {"invited": 3, "already": 1}
    # Each answers; those who accept join with the enrolment (and progress) they had.
    for user in (elsewhere, alone, free):
        assert as_user(user).post(accept_link(user.email) + "/accept").status_code == 302
    assert count(Enrolment) == enrolments_before + 1  # only "free" needed a new one
    db.session.refresh(moved)
    db.session.refresh(on_their_own)
    assert moved.cohort_id == on_their_own.cohort_id == cohort.id
    assert members(cohort) == {
        "here@example.org", "elsewhere@example.org", "alone@example.org", "free@example.org"
    }  # fmt: skip


def test_a_trainer_sees_no_work_of_a_learner_a_roster_names_until_she_accepts(
    app, trainer, as_user, make_cohort, make_user
):
    """The probe's finding: a roster no longer pulls a self-enrolled learner, and the work she
    handed in before, into a trainer's cohort."""
    cohort = make_cohort([trainer])
    learner = make_user(email="nadia@example.org", name="Nadia", locale="en")
    enrolment = enrol(learner, cohort.course)  # on her own, in no cohort
    lesson = next(
        lesson for module in cohort.course.modules for lesson in module.lessons
        if lesson.kind == "assignment"
    )  # fmt: skip
    with app.test_request_context():
        relative = store(f"submissions/{enrolment.id}", str(lesson.id), b"%PDF-1.4 mine", "pdf")
    work = Submission(enrolment_id=enrolment.id, lesson_id=lesson.id, text="Mon diagnostic",
                      status="submitted", file_name="diagnostic.pdf", file_type="pdf",
                      file_size=13, file_path=relative)  # fmt: skip
    db.session.add(work)
    db.session.commit()
    client = as_user(trainer)
    url = upload(client, cohort, "nom;courriel\nNadia;nadia@example.org\n").headers["Location"]
    assert "Will be invited (by e-mail): <strong>1</strong>" in client.get(url).get_data(
        as_text=True
    )
    assert confirm(client, url).status_code == 302
    assert client.get(f"/submissions/{work.id}/file").status_code == 404
    assert client.get(f"/reviews/{work.id}").status_code == 403
    assert "Nadia" not in client.get("/reviews").get_data(as_text=True)
    # She is told, in the app and by e-mail, and decides.
    nadia = as_user(learner)
    notifications = nadia.get("/notifications").get_data(as_text=True)
    assert "Youssef Amrani invites you to the cohort" in notifications
    page = nadia.get(accept_link(learner.email)).get_data(as_text=True)
    assert "see your progress in this masterclass and the work you hand in" in page
    assert nadia.post(accept_link(learner.email) + "/accept").status_code == 302
    assert client.get(f"/reviews/{work.id}").status_code == 200


def test_a_declined_invitation_leaves_the_learner_where_she_was(
    app, trainer, as_user, make_cohort, make_user
):
    cohort = make_cohort([trainer])
    learner = make_user(email="imane@example.org", locale="en")
    enrol(learner, cohort.course)
    db.session.commit()
    client = as_user(trainer)
    url = upload(client, cohort, "nom;courriel\nImane;imane@example.org\n").headers["Location"]
    assert confirm(client, url).status_code == 302
    imane = as_user(learner)
    link = accept_link(learner.email)
    assert imane.post(link + "/decline").status_code == 302
    assert members(cohort) == set() and invited(cohort) == set()
    assert imane.post(link + "/accept").status_code == 302  # already answered: refused
    assert members(cohort) == set()
    # Nobody else can see or answer it.
    assert as_user(make_user(email="other@example.org")).get(link).status_code == 404


def test_new_accounts_get_their_language_and_an_invitation_in_it_with_a_set_password_link(
    app, trainer, as_user, make_cohort
):
    cohort = make_cohort([trainer])
    client = as_user(trainer)
    url = upload(
        client,
        cohort,
        "nom;courriel;langue\nLayla;layla@example.org;arabe\nPierre;pierre@example.org;\n"
        "Jane;jane@example.org;en\n",
    ).headers["Location"]
    assert confirm(client, url).status_code == 302
    layla = db.session.scalar(select(User).filter_by(email_key="layla@example.org"))
    assert layla.locale == "ar" and layla.password_hash is None and layla.roles == {"learner"}
    assert db.session.scalar(select(User.locale).filter_by(email_key="pierre@example.org")) is None
    mails = {mail.recipient: mail for mail in db.session.scalars(select(OutboxMessage))}
    assert set(mails) == {"layla@example.org", "pierre@example.org", "jane@example.org"}
    # Each in the learner's language (the site's, French, when the file gives none).
    for email, language in [
        ("layla@example.org", "ar"),
        ("pierre@example.org", "fr"),
        ("jane@example.org", "en"),
    ]:
        with app.test_request_context(), force_locale(language):
            title = cohort.course.title(language)
            expected = gettext("You are invited to the masterclass %(title)s", title=title)
        assert mails[email].subject == expected
        assert "http://lms.test/password/forgot" in mails[email].body
    # Each link is the learner's own and lets them choose a password.
    body = mails["layla@example.org"].body
    assert body.startswith("مرحباً Layla") and "Youssef Amrani" in body
    assert mails["jane@example.org"].body.startswith("Hello Jane")
    link = re.search(r"http://lms\.test(/password/reset/\S+)", body).group(1)
    response = app.test_client().post(link, data={"password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 302
    db.session.refresh(layla)
    assert layla.check_password(PASSWORD)
    # Choosing her password is how a new account accepts: she is in the cohort (audited, as when
    # a learner enrols); the others, who did not open their link yet, are still invited.
    assert members(cohort) == {"layla@example.org"}
    assert invited(cohort) == {"pierre@example.org", "jane@example.org"}
    audited = db.session.scalars(
        select(AuditEvent.actor_id).filter_by(action="enrolment.created")
    ).all()
    assert audited == [layla.id]


def test_invitations_leave_over_smtp_only_once_the_import_is_committed(
    app, trainer, as_user, make_cohort, smtp
):
    cohort = make_cohort([trainer], capacity=2)
    client = as_user(trainer)
    url = upload(
        client, cohort, "nom,email\nA,a@example.org\nB,b@example.org\nC,c@example.org\n"
    ).headers["Location"]
    assert confirm_anyway(client, url).status_code == 409  # one too many: all rolled back
    assert smtp.messages == [] and count(OutboxMessage) == 0
    cohort.capacity = 3
    db.session.commit()
    assert confirm(client, url).status_code == 302
    recipients = sorted(re.search(r"^To: (\S+)", m, re.M).group(1) for m in smtp.messages)
    assert recipients == ["a@example.org", "b@example.org", "c@example.org"]
    assert set(db.session.scalars(select(OutboxMessage.status))) == {"sent"}


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
    assert "Confirm the import" not in client.get(url).get_data(as_text=True)
    response = confirm_anyway(client, url)
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
    # Between the preview and the confirmation, B registers: the import re-checks and invites
    # her account (A's e-mail lets A choose a password; B's asks her to accept).
    make_user(email="b@example.org")
    assert client.post(url + "/confirm", data={"digest": digest}).status_code == 302
    assert members(cohort) == set() and invited(cohort) == {"a@example.org", "b@example.org"}
    assert "/invitations/" in db.session.scalar(
        select(OutboxMessage.body).filter_by(recipient="b@example.org")
    )
    assert count(OutboxMessage) == 2


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


def test_a_learner_of_another_trainers_cohort_stays_there_unless_she_accepts(
    app, trainer, as_user, make_cohort, make_user
):
    cohort = make_cohort([trainer])
    colleague = make_user(email="colleague@example.org", roles=("trainer",))
    theirs = make_cohort([colleague], course=cohort.course, name="Cohorte de Khénifra")
    learner = make_user(email="hajar@example.org", locale="en")
    kept = enrol(learner, cohort.course, theirs)
    db.session.commit()
    client = as_user(trainer)
    url = upload(client, cohort, "nom;courriel\nHajar;hajar@example.org\n").headers["Location"]
    page = client.get(url).get_data(as_text=True)
    assert "Will be invited (by e-mail): <strong>1</strong>" in page and "Khénifra" not in page
    assert confirm(client, url).status_code == 302
    db.session.refresh(kept)
    assert kept.cohort_id == theirs.id
    assert as_user(learner).post(accept_link(learner.email) + "/accept").status_code == 302
    db.session.refresh(kept)
    assert kept.cohort_id == cohort.id  # her choice, with her progress


def test_an_account_created_during_the_confirmation_rolls_the_whole_import_back(
    app, trainer, as_user, make_cohort, monkeypatch
):
    cohort = make_cohort([trainer])
    client = as_user(trainer)
    url = upload(client, cohort, "nom,email\nA,a@example.org\nB,b@example.org\n").headers[
        "Location"
    ]
    digest = DIGEST.search(client.get(url).get_data(as_text=True)).group(1)
    users_before = count(User)
    classify, raced = operations.classify, []

    def b_registers_just_after_the_check(*args, **kwargs):
        preview = classify(*args, **kwargs)
        if not raced:  # between the re-check and the import's own inserts
            raced.append(create_user("b@example.org", "B", None))
        return preview

    monkeypatch.setattr(operations, "classify", b_registers_just_after_the_check)
    response = client.post(url + "/confirm", data={"digest": digest})
    assert response.status_code == 409
    assert "created meanwhile" in response.get_data(as_text=True)
    assert members(cohort) == set()
    assert (count(User), count(Enrolment), count(OutboxMessage)) == (users_before, 0, 0)
    assert db.session.scalar(select(RosterImport.applied_at)) is None
    monkeypatch.undo()
    assert confirm(client, url).status_code == 302  # confirming again, once things are quiet
    assert invited(cohort) == {"a@example.org", "b@example.org"}


def test_a_long_roster_is_previewed_page_by_page_with_its_errors_first(
    app, trainer, as_user, make_cohort
):
    cohort = make_cohort([trainer])
    client = as_user(trainer)
    # The largest file allowed; one row in 20 has a bad address (rows 2, 22, ... 4962), and the
    # last of those (row 4982) has no name.
    rows = [f"Learner {i};learner{i}@example.org" for i in range(5000)]
    for i in range(0, 5000, 20):
        rows[i] = f"Learner {i};not-an-address-{i}"
    rows[4980] = ";learner4980@example.org"
    url = upload(client, cohort, "nom;courriel\n" + "\n".join(rows) + "\n").headers["Location"]

    def table(page: str) -> list[tuple[str, str]]:
        return re.findall(r'<tr class="fate-(\w+)">\s*<td>(\d+)</td>', page)

    response = client.get(url)
    page = response.get_data(as_text=True)
    assert len(response.data) < 100_000  # a light page, even for the largest file
    assert "Will be invited (by e-mail): <strong>4750</strong>" in page
    assert "Error: <strong>250</strong>" in page
    assert "Confirm the import" not in page
    # The notice names the first 200 errors and says how many more the table lists.
    assert page.count("<li>Row ") == 200
    assert "<li>Row 2: The e-mail address « not-an-address-0 » is not valid.</li>" in page
    assert "… and 50 more rows with errors: the table below lists them all" in page
    assert "Rows 1 to 200 of 5000, rows with errors first." in page and "Page 1 of 25" in page
    assert f'href="{url}?page=2" rel="next"' in page
    assert table(page) == [("error", str(i + 2)) for i in range(0, 4000, 20)]
    second = client.get(url + "?page=2").get_data(as_text=True)
    listed = table(second)
    assert listed[49:51] == [("error", "4982"), ("invited", "3")]
    assert "<td>4982</td>" in second and "Error:</strong> The name is missing." in second
    last = client.get(url + "?page=25")
    assert len(last.data) < 100_000
    assert table(last.get_data(as_text=True))[-1] == ("invited", "5001")
    assert "Rows 4801 to 5000 of 5000" in last.get_data(as_text=True)


def test_confirming_a_roster_costs_as_many_queries_for_200_learners_as_for_10(
    app, trainer, as_user, make_cohort, count_queries
):
    client = as_user(trainer)
    costs = {}
    for size in (10, 200):
        cohort = make_cohort([trainer])
        other = make_cohort([trainer], course=cohort.course)
        # A tenth of the rows each: accounts in another cohort (moved), accounts enrolled in no
        # cohort (their enrolment joins this one), accounts without an enrolment; the rest new.
        lines = []
        for i in range(size):
            email = f"learner{i}.{size}@example.org"
            if i % 10 < 3:
                user = create_user(email, f"Learner {i}", None)
                if i % 10 == 0:
                    enrol(user, cohort.course, other)
                elif i % 10 == 1:
                    enrol(user, cohort.course)
            lines.append(f"Learner {i};{email};{('fr', 'ar', 'en', '')[i % 4]}")
        db.session.commit()
        url = upload(client, cohort, "nom;courriel;langue\n" + "\n".join(lines) + "\n").headers[
            "Location"
        ]
        with count_queries() as preview_queries:
            page = client.get(url).get_data(as_text=True)
        with count_queries() as queries:
            response = client.post(url + "/confirm", data={"digest": DIGEST.search(page).group(1)})
        assert response.status_code == 302
        assert len(invited(cohort)) == size
        assert count(OutboxMessage) == sum(costs) + size  # a password link or an invitation each
        costs[size] = (len(preview_queries), len(queries))
    assert costs[200] == costs[10], costs
