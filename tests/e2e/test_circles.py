"""The innovation circles in Chromium on a 390×844 phone, once in French and once in Arabic.

The trainer forms two circles of her cohort; a member hands in the team charter; another member
of the same circle sees it handed in; the facilitator asks for changes, then accepts it, and it is
done for both members; a member takes the project to its presentation; the circle opens a
consultation, prints its poster, whose QR code (zxing) leads an anonymous phone to the public page
where it answers; a member enters three paper answers; the results show 4 answers in 2 channels;
both members agree and the facilitator publishes the project; an anonymous visitor (a new browser,
never logged in) finds it on the showcase filtered by province, opens its page and downloads its
sheet, whose text (pdftotext) has the title in French and in Arabic; her certificate names the
project (the PDF, read by pdftotext, and the verify page). axe: nothing serious or critical on any
circle page. ``LMS_SCREENSHOTS=1`` keeps the README's phone screenshots of a circle and of a
published project.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from axe_playwright_python.sync_playwright import Axe
from PIL import Image
from sqlalchemy import select

from certificates import operations as certificates
from curriculum.db import db
from curriculum.importer import import_pack
from curriculum.models import Course
from lms.circles.consultations.models import Consultation
from lms.circles.milestone_models import TeamSubmission
from lms.circles.models import Circle
from lms.cohorts.models import Cohort
from lms.learning import operations as learning
from lms.learning.models import Enrolment, LessonProgress
from tests.conftest import PASSWORD
from tests.e2e.conftest import follow
from tests.e2e.test_accessibility import keep_screenshot

pytestmark = pytest.mark.browser

PACKS = Path(__file__).resolve().parents[2] / "curriculum" / "packs"
AXE_OPTIONS = {"resultTypes": ["violations"], "iframes": False}
BLOCKING = ("serious", "critical")
TITLE = {"fr": "Forum de l'emploi du samedi à Sidi Bou Othmane",
         "ar": "منتدى التشغيل يوم السبت في سيدي بوعثمان"}  # fmt: skip
OTHER = {"fr": "ar", "ar": "fr"}
PROVINCE = "Rhamna"
NAMES = {
    "fr": ["Salma Idrissi", "Hamza Ouali", "Imane Berrada", "Omar Lahlou"],
    "ar": ["سلمى الإدريسي", "حمزة الوالي", "إيمان برادة", "عمر لحلو"],
}
CIRCLES = {"fr": ("Les bâtisseurs", "Jeunes de Skhour Rhamna"),
           "ar": ("البنّاؤون", "شباب الصخور الرحامنة")}  # fmt: skip


class Pages:
    """axe on each page visited; every blocking violation of every page listed at the end."""

    def __init__(self, language: str):
        self.language, self.axe, self.problems = language, Axe(), []

    def check(self, page, name: str) -> None:
        assert page.locator("html").get_attribute("lang") == self.language, name
        assert page.locator("html").get_attribute("dir") == (
            "rtl" if self.language == "ar" else "ltr"
        )
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{name}: scrolls sideways ({width}px)"
        results = self.axe.run(page, options=AXE_OPTIONS).response
        self.problems += [
            f"{name} [{self.language}]: {v['id']} ({v['impact']}) {v['help']} — "
            + " | ".join(node["html"][:120] for node in v["nodes"][:3])
            for v in results["violations"]
            if v["impact"] in BLOCKING
        ]


#: every text of the server's SVG charts that is drawn outside its chart, or over its bar
CHART_PROBLEMS = """() => [...document.querySelectorAll("svg.chart")].flatMap(svg => {
  const box = svg.getBoundingClientRect();
  const outside = [...svg.querySelectorAll("text")].filter(text => {
    const r = text.getBoundingClientRect();
    return r.width && (r.left < box.left - 1 || r.right > box.right + 1);
  }).map(text => "outside: " + text.textContent);
  const over = [...svg.querySelectorAll("rect.chart-bar")].filter(bar => {
    const figures = bar.nextElementSibling, b = bar.getBoundingClientRect();
    const r = figures.getBoundingClientRect();
    return b.width > 1 && r.left < b.right - 1 && r.right > b.left + 1;
  }).map(bar => "over its bar: " + bar.nextElementSibling.textContent);
  return outside.concat(over);
})"""


def chart_problems(page) -> list[str]:
    """What the page's bar charts draw out of place (a label off the chart, figures on a bar)."""
    return page.evaluate(CHART_PROBLEMS)


def log_in(new_page, url: str, user, language: str):
    page = new_page(width=390, height=844, locale=language)
    page.goto(f"{url}/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    follow(page.locator("main form button[type=submit]"))
    page.wait_for_url(lambda address: "/login" not in address)
    return page


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          check=True, text=True).stdout  # fmt: skip
    return (
        text.replace("\u202b", "").replace("\u202c", "").replace("\u2067", "").replace("\u2069", "")
    )


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_circles_from_forming_to_the_certificate(
    app, live_server, new_page, make_user, language, tmp_path
):
    import_pack(
        PACKS / "public-innovation-circles", importing=frozenset({"solving-public-problems"})
    )
    course = db.session.scalar(select(Course).filter_by(slug="public-innovation-circles"))
    trainer = make_user(email="nadia@example.org", name="Nadia Amrani", roles=("trainer",),
                        locale=language)  # fmt: skip
    cohort = Cohort(course_id=course.id, name="Sidi Bou Othmane 2026", join_code="SBO2026K",
                    trainers=[trainer], province=PROVINCE, commune="Sidi Bou Othmane")  # fmt: skip
    db.session.add(cohort)
    db.session.flush()
    learners = []
    for index, name in enumerate(NAMES[language]):
        learner = make_user(email=f"learner{index}@example.org", name=name, locale=language)
        learning.enrol(learner, course, cohort)
        learners.append(learner)
    db.session.commit()
    salma, hamza, imane, omar = learners
    charter = next(
        lesson for m in course.modules for lesson in m.lessons if lesson.slug == "our-charter"
    )
    pages = Pages(language)

    # the trainer forms two circles
    staff = log_in(new_page, live_server, trainer, language)
    staff.goto(f"{live_server}/cohorts/{cohort.id}/circles")
    pages.check(staff, "cohort circles")
    for name, members in (
        (CIRCLES[language][0], (salma, hamza)),
        (CIRCLES[language][1], (imane, omar)),
    ):
        staff.fill("#name", name)
        for member in members:
            staff.check(f'input[name="members"][value="{member.id}"]')
        follow(staff.locator(f'main form[action$="/cohorts/{cohort.id}/circles"] button'))
    circles = {c.name: c for c in db.session.scalars(select(Circle)).all()}
    assert sorted(circles) == sorted(CIRCLES[language])
    first = circles[CIRCLES[language][0]]
    assert staff.locator("main").inner_text().count(first.code) == 1
    pages.check(staff, "cohort circles, two formed")
    staff.goto(f"{live_server}/circles/{first.id}/members")
    pages.check(staff, "members")

    # a member hands in the team charter, from the lesson
    member = log_in(new_page, live_server, salma, language)
    member.goto(f"{live_server}/circles")
    pages.check(member, "my circles")
    follow(member.locator(f'main a[href$="/circles/{first.id}"]'))
    pages.check(member, "circle")
    member.goto(f"{live_server}/courses/{course.slug}/{charter.module.slug}/{charter.slug}")
    follow(member.locator(f'main a[href$="/lessons/{charter.id}/circle"]'))
    assert member.url.endswith(f"/circles/{first.id}/milestones/{charter.id}")
    pages.check(member, "milestone")
    member.fill("#text", "Notre charte : réunion le samedi à 10 h à la Dar Chabab.")
    follow(member.locator('main form[enctype="multipart/form-data"] button[type=submit]'))
    assert member.locator("main .badge.todo").count() == 1

    # another member of the same circle sees it handed in, by Salma
    other = log_in(new_page, live_server, hamza, language)
    other.goto(f"{live_server}/circles/{first.id}")
    milestone = other.locator("ul.milestones li").first
    assert milestone.locator(".badge.todo").count() == 1 and salma.name in milestone.inner_text()

    # the facilitator asks for changes, then accepts the new version
    staff.goto(f"{live_server}/reviews")
    pages.check(staff, "review queue")
    items = staff.locator(f'main a[href$="/circles/{first.id}/milestones/{charter.id}"]')
    assert items.count() == 1  # the circle's work is one item
    follow(items.first)
    staff.fill("#feedback", "Ajoutez comment vous accueillez les nouveaux membres.")
    follow(staff.locator('main button[name="revise"]'))
    pages.check(staff, "milestone, changes asked")
    other.goto(f"{live_server}/circles/{first.id}/milestones/{charter.id}")
    assert "accueillez les nouveaux" in other.locator("main").inner_text()
    other.fill("#text", "Notre charte, avec l'accueil des nouveaux membres.")
    follow(other.locator('main form[enctype="multipart/form-data"] button[type=submit]'))
    staff.goto(f"{live_server}/circles/{first.id}/milestones/{charter.id}")
    follow(staff.locator('main button[name="accept"]'))
    assert staff.locator("main .badge.done").count() == 1
    assert hamza.name in staff.locator("ol.history").inner_text()
    submission = db.session.scalar(select(TeamSubmission))
    assert [v.kind for v in submission.versions] == [
        "submitted",
        "needs_revision",
        "submitted",
        "accepted",
    ]
    done = db.session.scalars(
        select(Enrolment.user_id).join(LessonProgress)
        .where(LessonProgress.lesson_id == charter.id, LessonProgress.status == "done")
    ).all()  # fmt: skip
    assert sorted(done) == sorted([salma.id, hamza.id])
    other.goto(f"{live_server}/courses/{course.slug}/{charter.module.slug}/{charter.slug}")
    assert other.locator('main section[aria-labelledby="team-title"] .badge.done').count() == 1

    # a member writes the project and moves it on a stage; the facilitator records its
    # presentation (members may not); a member adds an ally
    member.goto(f"{live_server}/circles/{first.id}/project")
    pages.check(member, "project form")
    assert member.locator('#stage option[value="presented"]').count() == 0
    member.fill("#title", TITLE[language])
    member.fill("#second_title", TITLE[OTHER[language]])  # the sheet has both
    member.fill("#problem_what", "Les jeunes apprennent trop tard les offres de Benguerir.")
    member.select_option("#stage", "diagnosis")
    follow(member.locator("main form button[type=submit]"))
    staff.goto(f"{live_server}/circles/{first.id}/project")
    staff.select_option("#stage", "presented")
    follow(staff.locator("main form button[type=submit]"))
    db.session.expire_all()
    assert db.session.get(Circle, first.id).project.stage == "presented"
    member.goto(f"{live_server}/circles/{first.id}/allies")
    member.fill("#organisation", "Commune de Sidi Bou Othmane")
    member.select_option("#kind", "commune")
    member.fill("#commitment", "La salle de la Dar Chabab le samedi")
    follow(member.locator('main form[action$="/allies/new"] button'))
    pages.check(member, "allies")
    member.goto(f"{live_server}/circles/{first.id}")
    assert TITLE[language] in member.locator("main").inner_text()
    if language == "fr":
        keep_screenshot(member, "circle-fr")

    # the circle opens a consultation of citizens and prints its poster
    member.goto(f"{live_server}/circles/{first.id}/consultations/new")
    member.fill("#title_fr", "L'emploi des jeunes à Sidi Bou Othmane")
    member.fill("#title_ar", "تشغيل الشباب في سيدي بوعثمان")
    member.fill("#communes", "Sidi Bou Othmane\nSkhour Rhamna")
    follow(member.locator("main form.card button[type=submit]"))
    consultation = db.session.scalars(select(Consultation)).one()
    base = f"{live_server}/consultations/{consultation.id}"
    member.goto(base + "/questions/new")
    member.select_option("#kind", "single")
    member.fill("#prompt_fr", "Avez-vous un emploi ?")
    member.fill("#prompt_ar", "هل لديك عمل؟")
    member.fill("#choices_fr", "Oui\nNon")
    member.fill("#choices_ar", "نعم\nلا")
    follow(member.locator("main form.card button[type=submit]"))
    follow(member.locator('main form[action$="/open"] button'))
    pages.check(member, "consultation")
    member.goto(base + "/poster")
    pages.check(member, "consultation poster")
    qr = Image.open(io.BytesIO(member.locator(".qr-box svg").screenshot()))
    (decoded,) = [code.text for code in zxingcpp.read_barcodes(qr)]
    db.session.refresh(consultation)
    assert decoded.endswith(f"/c/{consultation.code}")
    question = consultation.questions[0]

    # an anonymous phone answers on the public page the QR code leads to
    citizen = new_page(width=390, height=844, locale=language)
    citizen.goto(decoded.replace(decoded.split("/c/")[0], live_server))
    pages.check(citizen, "public consultation")
    citizen.check(f'input[name="q{question.id}"][value="c1"]')
    follow(citizen.locator(f'form:has(input[name="q{question.id}"]) button[type=submit]'))
    assert citizen.url.endswith("/thanks")

    # a member enters three answers gathered on paper, one after another
    other.goto(base + "/enter")
    pages.check(other, "enter answers")
    other.select_option("#channel", "paper")
    other.fill("#commune", "Skhour Rhamna")
    for choice in ("c1", "c2", "c2"):
        other.check(f'input[name="q{question.id}"][value="{choice}"]')
        follow(other.locator("main form.entry button[type=submit]"))
    assert other.locator("#channel").input_value() == "paper"  # kept for the next answer

    # the results: 4 answers in 2 channels
    other.goto(base + "/results")
    pages.check(other, "consultation results")
    assert chart_problems(other) == []
    assert other.locator("#total").inner_text().startswith("4")
    channels = other.locator("#by-channel ~ svg .chart-figure, #by-channel + svg .chart-figure")
    assert sorted(text.split(" ·")[0] for text in channels.all_text_contents()) == ["1", "3"]

    # both members agree to the public page, and the facilitator publishes the project
    publishing = f"{live_server}/circles/{first.id}/publishing"
    for page in (member, other):
        page.goto(publishing)
        page.check("#publish")
        page.check("#show_first_name")
        follow(page.locator('main form[action$="/consent"] button[type=submit]'))
    pages.check(other, "publishing, as a member")
    staff.goto(publishing)
    pages.check(staff, "publishing, as the facilitator")
    follow(staff.locator('main form[action$="/publish"] button[type=submit]'))
    assert staff.locator('main section[aria-labelledby="status-title"] .badge.done').count() == 1
    pages.check(staff, "publishing, published")

    # an anonymous visitor finds it on the province's showcase, from the catalogue
    visitor = new_page(width=390, height=844, locale=language)
    visitor.goto(f"{live_server}/courses")
    follow(visitor.locator('a[href$="/showcase"]').first)
    pages.check(visitor, "showcase")
    visitor.select_option("#province", PROVINCE)
    follow(visitor.locator('main form[role="search"] button[type=submit]'))
    assert f"province={PROVINCE}" in visitor.url
    pages.check(visitor, "showcase of a province")
    follow(visitor.get_by_role("link", name=TITLE[language]))
    main = visitor.locator("main").inner_text()
    assert TITLE[OTHER[language]] in main and "Commune de Sidi Bou Othmane" in main
    first_name, surname = salma.name.split(" ", 1)
    assert first_name in main and surname not in main  # first names only
    pages.check(visitor, "public project page")
    if language == "fr":
        keep_screenshot(visitor, "project-fr")
    with visitor.expect_download() as download:
        visitor.locator('main a[href$="/sheet.pdf"]').click()
    sheet = Path(download.value.path()).read_bytes()
    if shutil.which("pdftotext"):
        text = " ".join(pdf_text(sheet, tmp_path).split())
        assert TITLE["fr"] in text and TITLE["ar"] in text, text

    # her certificate names the project (issued here by an administrator: the rest of the
    # course is not the subject of this journey)
    enrolment = db.session.scalar(select(Enrolment).filter_by(user_id=salma.id))
    certificate = certificates.issue_for_enrolment(enrolment, make_user(roles=("admin",)),
                                                   force=True, reason="Parcours de test")  # fmt: skip
    db.session.commit()
    member.goto(f"{live_server}/verify/{certificate.serial}")
    assert TITLE[language] in member.locator("main").inner_text()
    with member.expect_download() as download:
        member.goto(f"{live_server}/certificates")
        member.locator(f'a[href$="/certificates/{certificate.serial}.pdf"]').first.click()
    pdf = Path(download.value.path()).read_bytes()
    if shutil.which("pdftotext"):
        text = pdf_text(pdf, tmp_path)
        assert TITLE[language] in text or TITLE[language] in " ".join(text.split()), text

    assert pages.problems == [], "\n".join(pages.problems)
