"""axe-core on the circle pages the journey (``test_circles.py``) does not reach, filled the way a
circle in its pilot fills them, in French and in Arabic at a phone's width (390×844): a
learner's *My circles* when she may form or join one (and a wrong code), the journal
(updates with photos and comments, and the form with an error), the indicators (charts and
tables of values, and the form with an error), publishing (before and after every member
agrees), the project's preview, the consultation pages the journey skips (the lists, a closed
consultation, its results and written answers as a facilitator, an import whose preview names a
bad row, the public page once closed and its thank-you page), and once published the showcase
(all, filtered, and a filter that finds nothing) and the public project page with its
consultation results. Nothing serious
or critical; no page scrolls sideways; the charts' labels and figures stay on their chart, in
Arabic too.

(A file of its own: ``test_accessibility.py`` is the masterclass's site; the journey checks the
other circle pages as it goes.)
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from curriculum.db import db
from curriculum.importer import import_pack
from curriculum.models import Course
from lms.circles import operations as circles
from lms.circles.consultations import answers as consult_answers
from lms.circles.consultations import operations as consult
from lms.circles.consultations.models import Consultation
from lms.circles.indicators import operations as indicators
from lms.circles.journal import operations as journal
from lms.circles.models import Circle
from lms.circles.showcase import operations as showcase
from lms.cohorts.models import Cohort
from lms.learning import operations as learning
from tests.e2e.conftest import follow
from tests.e2e.test_circles import Pages, chart_problems, log_in

pytestmark = pytest.mark.browser

PACKS = Path(__file__).resolve().parents[2] / "curriculum" / "packs"
NAMES = {
    "fr": ["Khadija Amrani", "Ayoub Naciri", "Meryem Lahlou"],
    "ar": ["خديجة العمراني", "أيوب الناصري", "مريم لحلو"],
}
NEWCOMER = {"fr": "Youssef Bennani", "ar": "يوسف بناني"}
PROJECT = circles.ProjectDetails(
    title="Forum de l'emploi du samedi à la Dar Chabab",
    second_title="منتدى التشغيل يوم السبت في دار الشباب",
    problem_who="Les jeunes de Sidi Bou Othmane, filles et garçons",
    problem_what="Ils apprennent trop tard les offres d'emploi de Benguerir",
    problem_where="Sidi Bou Othmane et ses douars",
    problem_how_many="Environ 400 jeunes de 18 à 30 ans",
    problem_why="Sans premier emploi, beaucoup partent à Marrakech",
    tried="Un samedi par mois, l'agence ANAPEC de Benguerir vient à la Dar Chabab.",
    province="Rhamna",
    commune="Sidi Bou Othmane",
    theme="employment",
    stage="pilot",
)
QUESTIONS = (
    consult.QuestionDetails(
        "single",
        {"fr": "Comment apprenez-vous les offres d'emploi ?", "ar": "كيف تعرف عروض الشغل؟"},
        [{"fr": "Par les amis", "ar": "من الأصدقاء"}, {"fr": "Sur WhatsApp", "ar": "على واتساب"},
         {"fr": "Trop tard", "ar": "بعد فوات الأوان"}],
        required=True,
    ),
    consult.QuestionDetails(
        "text", {"fr": "Une idée pour le forum ?", "ar": "عندك فكرة للمنتدى؟"}
    ),
)  # fmt: skip


#: answers typed from paper, the second row with a date that does not exist
CSV = (
    "canal,commune,date,Q1,Q2\n"
    "papier,Sidi Bou Othmane,2026-11-02,1,Au souk\n"
    "papier,Sidi Bou Othmane,2026-13-40,2,\n"
)


def photo() -> bytes:
    """A phone photo: a JPEG the journal re-encodes."""
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), (40, 120, 90)).save(buffer, "JPEG")
    return buffer.getvalue()


def pilot(trainer, cohort, learners) -> tuple[Circle, Consultation]:
    """A circle in its pilot: project, ally, indicators with values, journal with photos and a
    comment, a closed consultation with answers from paper and WhatsApp."""
    circle = circles.form_circle(trainer, cohort, "Les bâtisseurs", [u.id for u in learners])
    first = learners[0]
    project = circle.project
    circles.update_project(trainer, project, PROJECT)  # the pilot stage is set by its facilitator
    circles.add_ally(first, project, "ANAPEC Benguerir", "public_agency", "Conseillère emploi",
                     "Une conseillère à chaque forum")  # fmt: skip
    start = date.today() - timedelta(days=60)
    for name, target, values in (("Jeunes reçus au forum", 120, (18, 41, 66)),
                                 ("Second rendez-vous dans le mois", 20, (0, 4, 9))):  # fmt: skip
        indicator = indicators.add_indicator(project, name=name, unit="jeunes", baseline=0,
                                             target=target, by=first)  # fmt: skip
        for month, value in enumerate(values):
            indicators.record_value(indicator, measured_on=start + timedelta(days=30 * month),
                                    value=value, source="Feuille de présence", by=first)  # fmt: skip
    entry = journal.create_entry(circle, first, "Premier forum : 18 jeunes et deux employeurs.",
                                 [("forum.jpg", photo())],
                                 happened_at=datetime.now(UTC) - timedelta(days=3))  # fmt: skip
    journal.add_comment(entry, trainer, "Bravo ! Notez qui revient la prochaine fois.")
    journal.create_entry(circle, learners[1], "علّقنا الملصق في السوق الأسبوعي.")
    consultation = consult.create_consultation(
        first, project, consult.ConsultationDetails(
            {"fr": "Diagnostic : les offres d'emploi", "ar": "التشخيص: عروض الشغل"},
            communes=["Sidi Bou Othmane"]),
    )  # fmt: skip
    for question in QUESTIONS:
        consult.add_question(first, consultation, question)
    consult.open_consultation(first, consultation)
    single, text = consultation.questions
    for number, (choice, channel) in enumerate(
        (("c1", "paper"), ("c3", "paper"), ("c3", "whatsapp"), ("c2", "whatsapp"))
    ):
        sent = {single.id: [choice], text.id: [f"Venir au douar, idée {number}"]}
        read = consult_answers.check(consultation.questions, sent)
        consult.record_entered_answer(first, consultation, read, channel, "Sidi Bou Othmane",
                                      date.today() - timedelta(days=5), date.today())  # fmt: skip
    consult.close_consultation(first, consultation)
    db.session.commit()
    return circle, consultation


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_circle_pages_have_no_serious_accessibility_violation(
    app, live_server, new_page, make_user, language
):
    import_pack(
        PACKS / "public-innovation-circles", importing=frozenset({"solving-public-problems"})
    )
    course = db.session.scalar(select(Course).filter_by(slug="public-innovation-circles"))
    trainer = make_user(email="nadia@example.org", name="Nadia Amrani", roles=("trainer",),
                        locale=language)  # fmt: skip
    cohort = Cohort(course_id=course.id, name="Sidi Bou Othmane 2026", join_code="SBO2026A",
                    trainers=[trainer], province="Rhamna", commune="Sidi Bou Othmane")  # fmt: skip
    db.session.add(cohort)
    db.session.flush()
    learners = []
    for index, name in enumerate(NAMES[language]):
        learner = make_user(email=f"member{index}@example.org", name=name, locale=language)
        learning.enrol(learner, course, cohort)
        learners.append(learner)
    circle, closed = pilot(trainer, cohort, learners)
    newcomer = make_user(email="newcomer@example.org", name=NEWCOMER[language], locale=language)
    learning.enrol(newcomer, course, cohort)
    circles.update_settings(trainer, cohort, True, 6)  # self-formation: she may join with a code
    db.session.commit()
    base, project_url = f"/circles/{circle.id}", f"/projects/{circle.project.id}"
    pages = Pages(language)

    def visit(page, name: str, path: str) -> None:
        assert page.goto(live_server + path).status == 200, path
        pages.check(page, name)

    alone = log_in(new_page, live_server, newcomer, language)
    visit(alone, "my circles, none yet (self-formation)", "/circles")
    alone.fill("#code", "ZZZZZZ")
    follow(alone.locator('main form[action$="/circles/join"] button[type=submit]'))
    assert alone.locator("main .error, main [aria-invalid=true], main [role=alert]").count() >= 1
    pages.check(alone, "my circles, an unknown code")

    member = log_in(new_page, live_server, learners[0], language)
    visit(member, "journal", base + "/journal")
    follow(member.locator('main form[action$="/journal"] button[type=submit]'))  # empty text
    assert member.locator("main .error, main [aria-invalid=true]").count() >= 1
    pages.check(member, "journal, the text missing")
    visit(member, "indicators", base + "/indicators")
    follow(member.locator('main form[action$="/indicators"] button[type=submit]'))  # empty
    pages.check(member, "indicators, the name missing")
    visit(member, "publishing, nobody agreed yet", base + "/publishing")
    visit(member, "project page, a preview", project_url)

    # the consultation pages the journey does not reach: lists, a closed one, its written answers
    # (hidden by a facilitator on the same pages), an import with a bad row, the public pages
    consultation = f"/consultations/{closed.id}"
    visit(member, "my consultations", "/consultations")
    visit(member, "the circle's consultations", base + "/consultations")
    visit(member, "a closed consultation", consultation)
    visit(member, "import answers", consultation + "/import")
    member.set_input_files("#file", files=[{"name": "papier.csv", "mimeType": "text/csv",
                           "buffer": CSV.encode()}])  # fmt: skip
    follow(member.locator("main form[enctype] button[type=submit]"))
    assert member.locator("main ul.row-errors li").count() == 1  # row 3, named; nothing imported
    pages.check(member, "import answers, a bad row")

    staff = log_in(new_page, live_server, trainer, language)
    visit(staff, "journal, as the facilitator", base + "/journal")
    visit(staff, "indicators, as the facilitator", base + "/indicators")
    visit(staff, "publishing, members missing", base + "/publishing")
    visit(staff, "results, as the facilitator", consultation + "/results")
    visit(staff, "written answers", f"{consultation}/questions/{closed.questions[1].id}/texts")
    code = closed.code
    citizen = new_page(width=390, height=844, locale=language)
    assert citizen.goto(f"{live_server}/c/{code}").status == 410
    pages.check(citizen, "public consultation, closed")
    visit(citizen, "public consultation, thanks", f"/c/{code}/thanks")

    for user in learners:
        showcase.record_consent(user, circle, True, show_first_name=user is not learners[2])
    showcase.publish(trainer, circle.project)
    db.session.commit()
    visit(staff, "publishing, published", base + "/publishing")

    visitor = new_page(width=390, height=844, locale=language)  # never logged in
    visit(visitor, "showcase", "/showcase")
    visit(visitor, "showcase, filtered", "/showcase?province=Rhamna&theme=employment")
    visit(visitor, "showcase, nothing found", "/showcase?stage=charter")
    assert PROJECT.title not in visitor.locator("main").inner_text()
    visit(visitor, "project page", project_url)
    main = visitor.locator("main").inner_text()
    assert "ANAPEC Benguerir" in main and "Jeunes reçus au forum" in main
    assert NAMES[language][2].split()[0] not in main  # she did not want her first name shown
    assert visitor.locator("main svg").count() >= 3  # two indicators, one question's results
    assert chart_problems(visitor) == []  # every label on its chart, no figure on its bar

    assert pages.problems == [], "\n".join(pages.problems)
