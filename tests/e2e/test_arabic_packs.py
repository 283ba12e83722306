"""The three bundled masterclasses in Arabic, on a 390×844 phone, in a real browser: a learner
whose language is Arabic enrols, reads a lesson, answers the first quiz, sees her result with its
explanations and hands in her work. Every page is Arabic (``lang="ar" dir="rtl"``, no "shown in
French" notice), nothing scrolls sideways, and Latin-script words are under 3 % of the words of
the page's main content (acronyms such as ANAPEC, the names listed below and the runs the lesson
renderer isolates in ``<bdi>`` left out), and still under 3 % when the ``<bdi>`` runs are counted
too (the renderer isolates every Latin run of an Arabic lesson, a French sentence as well as an
acronym).

With ``LMS_SCREENSHOTS=1`` the visit of solving-public-problems also makes the README's
screenshots of an Arabic lesson and an Arabic quiz result (``docs/screenshots/``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from curriculum.db import db
from curriculum.importer import import_pack
from curriculum.models import Course, Lesson
from lms.cohorts.models import Cohort
from tests.conftest import PASSWORD
from tests.e2e.answers import half_right
from tests.e2e.conftest import follow
from tests.e2e.test_accessibility import keep_screenshot

pytestmark = pytest.mark.browser

PACKS = Path(__file__).resolve().parents[2] / "curriculum" / "packs"
#: the pack whose pages the README shows
SCREENSHOT_PACK = "solving-public-problems"
#: under this share of Latin-script words, a page reads as Arabic
MAX_LATIN_SHARE = 0.03
#: names that have no Arabic form, written as the learner types or finds them: the citizens'
#: complaints site, and the HCP's bulletin "Les Brefs du Plan" (word by word)
PROPER_NAMES = {"chikaya.ma", "Les", "Brefs", "du", "Plan"}
#: what she hands in (Arabic, as she would write it)
WORK = "شكاوى دواري: النقل المدرسي بعيد، أربعون تلميذًا يمشون سبعة كيلومترات كل صباح."

#: The words of ``main``'s visible text (text nodes, outside the elements ``skip`` names), and
#: those written in Latin script that are neither acronyms (two capitals or more, e.g. ANAPEC,
#: INDH, HCP) nor one of ``names``. A word is a run between spaces with at least one letter.
LATIN_WORDS_JS = r"""
({names, skip}) => {
  const known = new Set(names);
  const walker = document.createTreeWalker(document.querySelector("main"), NodeFilter.SHOW_TEXT, {
    acceptNode: (node) =>
      node.parentElement.closest(skip) || !node.parentElement.checkVisibility()
        ? NodeFilter.FILTER_REJECT
        : NodeFilter.FILTER_ACCEPT,
  });
  const acronym = (part) => /^[A-Z]{2,}[0-9]*$/.test(part);
  const name = (part) => known.has(part);
  let words = 0;
  const latin = [];
  const spared = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const word of node.data.split(/\s+/)) {
      if (!/\p{L}/u.test(word)) continue;
      words += 1;
      if (!/\p{Script=Latin}/u.test(word)) continue;
      const core = word.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, "");
      const parts = core.match(/[\p{Script=Latin}0-9.'’-]+/gu) || [];
      const bare = parts.map((part) => part.replace(/^[.'’-]+|[.'’-]+$/g, ""));
      (name(core) || bare.every((part) => acronym(part) || name(part)) ? spared : latin).push(word);
    }
  }
  return {words, latin, spared};
}
"""


def latin_words(page, skip: str = "bdi, code, script, style") -> dict:
    """``{"words": n, "latin": [...], "spared": [...]}`` for the page's main content (see above):
    the number of words, the Latin-script words that count, those left out (acronyms, names)."""
    return page.evaluate(LATIN_WORDS_JS, {"names": sorted(PROPER_NAMES), "skip": skip})


def check_arabic_page(page, name: str, shares: dict[str, str]) -> None:
    """The page as an Arabic reader gets it: Arabic and right to left throughout, no notice that
    something is shown in French, no sideways scrolling, hardly any Latin-script word."""
    html = page.locator("html")
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == ("ar", "rtl"), name
    for element in page.locator("main [lang]").all():  # no block left in French
        assert element.get_attribute("lang") == "ar", f"{name}: {element.inner_text()[:80]}"
    assert page.locator("main .notice").count() == 0, f"{name}: {page.locator('main').inner_text()}"
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{name}: {width[0]} px wide on a {width[1]} px screen"
    found = latin_words(page)
    assert found["words"] > 50, f"{name}: only {found['words']} words"
    share = len(found["latin"]) / found["words"]
    assert share < MAX_LATIN_SHARE, f"{name}: {share:.1%} Latin-script words: {found['latin']}"
    # The lesson renderer puts every Latin run of an Arabic lesson in a <bdi>, acronyms and French
    # sentences alike: counted with them, a lesson left in French would still show.
    isolated = latin_words(page, skip="code, script, style")
    strict = len(isolated["latin"]) / isolated["words"]
    assert strict < MAX_LATIN_SHARE, f"{name}: {strict:.1%} Latin-script: {isolated['latin']}"
    shares[name] = (
        f"{share:.1%} of {found['words']} words ({strict:.1%} with <bdi>: {isolated['latin']};"
        f" left out: {sorted(set(isolated['spared']))})"
    )


def first_lessons(course: Course) -> tuple[Lesson, Lesson, Lesson]:
    """The course's first reading lesson, first quiz and first assignment."""
    lessons = [lesson for module in course.modules for lesson in module.lessons]
    live = [lesson for lesson in lessons if lesson.archived_at is None]

    def first(kind: str) -> Lesson:
        return next(lesson for lesson in live if lesson.kind == kind)

    return first("reading"), first("quiz"), first("assignment")


@pytest.mark.parametrize(
    "pack", ["solving-public-problems", "community-leadership", "public-innovation-circles"]
)
def test_an_arabic_learner_follows_a_bundled_masterclass_on_a_phone(
    app, live_server, new_page, make_user, pack
):
    import_pack(PACKS / pack, importing=frozenset({"solving-public-problems"}))
    db.session.commit()
    course = db.session.scalar(db.select(Course).filter_by(slug=pack))
    assert "ar" in course.complete_languages
    reading, quiz, assignment = first_lessons(course)
    answers = half_right(quiz)
    learner = make_user(email="salma@example.org", name="سلمى بنعلي", locale="ar")
    code = None
    if not course.self_enrolment:  # she joins with her trainer's code
        trainer = make_user(email="nadia@example.org", roles=("trainer",), locale="ar")
        code = "RHM2026K"
        db.session.add(
            Cohort(
                course_id=course.id, name="دائرة سيدي بوعثمان", join_code=code, trainers=[trainer]
            )
        )
        db.session.commit()
    course_url = f"{live_server}/courses/{pack}"

    def url(lesson: Lesson) -> str:
        return f"{course_url}/{lesson.module.slug}/{lesson.slug}"

    page = new_page(width=390, height=844, locale="ar")
    page.goto(f"{live_server}/login")
    page.fill("#email", learner.email)
    page.fill("#password", PASSWORD)
    follow(page.locator("main form button[type=submit]"))
    page.wait_for_url(lambda address: "/login" not in address)
    shares: dict[str, str] = {}

    # she enrols
    if code is None:
        page.goto(course_url)
        follow(page.locator('form[action$="/enrol"] button'))
    else:
        page.goto(f"{live_server}/join")
        page.fill("#code", code)
        follow(page.locator('main form[action$="/join"] button'))
    page.goto(course_url)
    assert page.locator('main [role="progressbar"]').first.is_visible()  # "My progress"
    assert page.locator('form[action$="/enrol"]').count() == 0

    # she reads a lesson and marks it done
    page.goto(url(reading))
    assert page.locator(".prose").get_attribute("lang") == "ar"
    check_arabic_page(page, "lesson", shares)
    if pack == SCREENSHOT_PACK:
        keep_screenshot(page, "lesson-ar")
    follow(page.locator('form[action$="/done"] button'))  # on to the next lesson
    page.goto(url(reading))
    assert page.locator("main .flash-success").count() == 1  # "You marked this lesson as done"

    # she answers the first quiz, choices picked by their value whatever their order on the page
    page.goto(url(quiz))
    check_arabic_page(page, "quiz", shares)
    for question, keys in answers.items():
        shown = page.locator(f'input[name="q-{question}"]')
        assert shown.count() == len(quiz_question(quiz, question).choices)
        for key in keys:
            page.check(f'input[name="q-{question}"][value="{key}"]')
    follow(page.locator('form[action$="/quiz"] button'))
    result = page.locator("#result")
    rights = (len(answers) + 1) // 2
    assert result.locator(".question").count() == len(answers)
    assert result.locator("p.result-right").count() == rights
    assert result.locator("p.result-wrong").count() == len(answers) - rights
    explanations = result.locator("p.explanation")
    assert explanations.count() >= len(answers)
    assert all(text.strip() for text in explanations.all_inner_texts())
    check_arabic_page(page, "quiz result", shares)
    if pack == SCREENSHOT_PACK:
        result.evaluate("result => result.scrollIntoView()")
        keep_screenshot(page, "quiz-result-ar")

    page.goto(url(assignment))
    check_arabic_page(page, "assignment", shares)
    if assignment.settings.get("team"):  # her circle hands it in (tests/e2e/test_circles.py)
        assert page.locator('main a[href$="/circle"]').count() == 1
        assert page.locator('form[action$="/submission"]').count() == 0
        for name, share in shares.items():
            print(f"{pack} · {name}: {share}")  # noqa: T201 - the measured shares, shown with -s
        return
    # she hands in her work, as text
    page.fill("#text", WORK)
    follow(page.locator('form[action$="/submission"] button'))
    assert page.locator("main .badge.todo").count() == 1
    assert WORK in page.locator("main pre").inner_text()
    check_arabic_page(page, "assignment handed in", shares)
    for name, share in shares.items():
        print(f"{pack} · {name}: {share}")  # noqa: T201 - the measured shares, shown with -s


def quiz_question(quiz: Lesson, key: str):
    return next(question for question in quiz.live_questions if question.key == key)
