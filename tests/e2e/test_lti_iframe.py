"""The tool inside a platform's page, in Chromium: the test platform (lti1p3platform, another
team's implementation) serves a course page that embeds the tool's launch in an <iframe>, from
another site (the platform on 127.0.0.1, the tool on localhost: Chromium keeps their cookies
apart). The learner is signed in inside the frame, answers the quiz there, and the platform
reads the score back through AGS. With the tool's cookies blocked in the frame, the page offers
"Open in a new window", and the course opens there, signed in."""

from __future__ import annotations

import json
import time
from html import escape
from urllib.parse import parse_qsl, urlsplit

import pytest
from werkzeug.wrappers import Request, Response

from curriculum.db import db
from lms.lti import grades
from lms.lti.models import LtiPlatform
from lms.lti.tool_config import DatabaseToolConf
from tests.e2e.conftest import CHROMIUM
from tests.lms.lti.grading_platform import RESULTS_SCOPE, GradingPlatform
from tests.lms.lti.platform import LEARNER

pytestmark = pytest.mark.browser

TARGET = "civics/basics/check"
QUIZ_PATH = "/courses/civics/basics/check"


class BrowserPlatform(GradingPlatform):
    """The grading test platform with what a browser needs: a course page framing the tool's
    login initiation, and the OIDC authorisation endpoint that answers with the auto-submitted
    launch form (the platform's own page: its inline script is the platform's business)."""

    def _wsgi(self, environ, start_response):
        request = Request(environ)
        if request.path == "/course":
            login = self.login_url("learner-7", f"{self.tool_url}/lti/launch?target={TARGET}")
            page = (
                "<!doctype html><html lang='en'><head><title>Platform course</title></head><body>"
                "<h1>Civic education on the platform</h1>"
                f"<iframe id='tool' title='Tool' src='{escape(login)}' width='900' height='1400'>"
                "</iframe></body></html>"
            )
            return Response(page, mimetype="text/html")(environ, start_response)
        if request.path == "/auth":
            query = dict(parse_qsl(urlsplit(request.url).query))
            form = self.launch(
                request.url, sub=query["login_hint"], roles=(LEARNER,), name="Amina Tazi",
                email="amina@example.org", target=TARGET,
                extra=self.ags_claim(self.url + "/lineitems/1"),
            )  # fmt: skip
            page = (
                "<!doctype html><html><body>"
                f"<form method='post' action='{escape(form['launch_url'])}'>"
                f"<input type='hidden' name='state' value='{escape(form['state'])}'>"
                f"<input type='hidden' name='id_token' value='{escape(form['id_token'])}'>"
                "<button type='submit'>Continue</button></form>"
                "<script>document.forms[0].submit()</script></body></html>"
            )
            return Response(page, mimetype="text/html")(environ, start_response)
        return super()._wsgi(environ, start_response)


@pytest.fixture
def tool_url(live_server):
    # the same server under another host name: another site than the platform's 127.0.0.1
    return live_server.replace("127.0.0.1", "localhost")


@pytest.fixture
def lti_platform(app, tool_url, make_course):
    make_course(sequential=False)
    platform = BrowserPlatform(tool_url)
    platform.tool_keys = app.test_client().get("/lti/jwks.json").get_json()
    db.session.add(LtiPlatform(**platform.platform_fields()))
    db.session.commit()
    yield platform
    platform.close()


def answer_the_quiz_right(frame) -> None:
    """In a frame or a page: the right choices, then "Submit my answers"."""
    frame.locator('input[name="q-q1"][value="a"]').check()
    frame.locator('input[name="q-q2"][value="a"]').check()
    frame.locator('input[name="q-q2"][value="b"]').check()
    frame.locator('input[name="q-q3"][value="true"]').check()
    frame.locator('form[action$="/quiz"] button[type=submit]').click()


def wait_for_scores(platform, count: int = 1, seconds: float = 30) -> list[dict]:
    deadline = time.monotonic() + seconds
    while len(platform.all_scores()) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    return platform.all_scores()


def test_a_learner_passes_the_quiz_inside_the_platforms_iframe_and_the_platform_gets_the_score(
    app, lti_platform, tool_url, new_page
):
    page = new_page(width=1000, height=1500)
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(lti_platform.url + "/course")
    frame = page.frame_locator("#tool")
    # signed in inside the frame: the cookie check passed, the launch landed on the quiz
    frame.locator("#quiz-form").wait_for()
    tool_frame = next(f for f in page.frames if f.url.startswith(tool_url))
    assert urlsplit(tool_frame.url).path == QUIZ_PATH
    assert urlsplit(page.url).hostname == "127.0.0.1"  # the platform's page stays on top
    # the cookie check ran in the frame (its script went on with the login: cookies work there)
    checked = [u for u in requested if "/lti/login?" in u and "lti1p3_new_window=1" in u]
    assert checked and checked[0].startswith(tool_url)
    session = [c for c in page.context.cookies(tool_url) if c["name"] == "session"]
    assert session and session[0]["sameSite"] == "None" and session[0]["secure"]
    assert session[0].get("partitionKey") == "http://127.0.0.1"  # its own jar under the platform

    with page.expect_response(lambda r: r.url.endswith("/quiz")):
        answer_the_quiz_right(frame)
    frame.locator("#result-title").wait_for()
    assert "100%" in frame.locator("#result-title").inner_text()

    scores = wait_for_scores(lti_platform)
    assert len(scores) == 1, scores
    assert scores[0]["userId"] == "learner-7" and scores[0]["scoreGiven"] == 100
    assert scores[0]["activityProgress"] == "Completed"
    # read back from the platform's results service, with a token the platform issues
    registration = DatabaseToolConf().find_registration_by_params(
        lti_platform.issuer, lti_platform.client_id
    )
    results = grades.RunConnector(registration).make_service_request(
        [RESULTS_SCOPE], lti_platform.url + "/lineitems/1/results"
    )["body"]
    assert [(r["userId"], r["resultScore"], r["resultMaximum"]) for r in results] == [
        ("learner-7", 100, 100)
    ]


def test_with_the_tools_cookies_blocked_in_the_frame_the_course_opens_in_a_new_window(
    browser, lti_platform, tool_url, tmp_path
):
    # Chromium's own setting: no cookies for the tool's site under the platform's site (the
    # browser's choice for third-party cookies, partitioned ones included); top-level, allowed
    profile = tmp_path / "profile"
    (profile / "Default").mkdir(parents=True)
    blocked = {"http://localhost:*,http://127.0.0.1:*": {"setting": 2}}
    preferences = {"profile": {"content_settings": {"exceptions": {"cookies": blocked}}}}
    (profile / "Default" / "Preferences").write_text(json.dumps(preferences))
    context = browser.browser_type.launch_persistent_context(
        str(profile), executable_path=CHROMIUM,
        args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"],
    )  # fmt: skip
    try:
        page = context.new_page()
        page.set_default_timeout(15000)
        page.goto(lti_platform.url + "/course")
        frame = page.frame_locator("#tool")
        link = frame.get_by_role("link", name="Open in a new window")
        link.wait_for()
        assert frame.locator("#quiz-form").count() == 0  # no session in the frame
        with context.expect_page() as opened:
            link.click()
        window = opened.value
        window.set_default_timeout(15000)
        # the login runs again top-level and the course opens there, signed in
        window.wait_for_url(f"{tool_url}{QUIZ_PATH}")
        window.locator("#quiz-form").wait_for()
        assert frame.get_by_text("The course is open in a new window").is_visible()
        # and the learner carries on there: the quiz, its score on the platform
        answer_the_quiz_right(window)
        window.locator("#result-title").wait_for()
        assert "100%" in window.locator("#result-title").inner_text()
        assert [s["scoreGiven"] for s in wait_for_scores(lti_platform)] == [100]
    finally:
        context.close()
