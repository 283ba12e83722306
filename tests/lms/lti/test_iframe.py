"""The tool inside a platform's iframe: an LTI session's cookies are third-party capable
(``SameSite=None; Secure; Partitioned``) while an ordinary login keeps ``SameSite=Lax``; the pages
of an LTI session may be framed by the enabled registered platforms only; the cookie check page
(in the learner's language, no inline script) offers a new window when the frame has no cookies.
"""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from curriculum.db import db
from lms.lti.models import LtiPlatform

from .platform import LEARNER
from .test_deep_linking import open_picker
from .test_launch import _path, post, start

SESSION = "session"


@pytest.fixture
def app_config(app_config):
    # production: HTTPS, so Secure cookies (the test client sends them over http://lms.test)
    return dict(app_config, LMS_ENV="production")


def set_cookies(response) -> dict[str, set[str]]:
    """name → attributes of each cookie a response sets (the last one of a name wins)."""
    found = {}
    for header in response.headers.getlist("Set-Cookie"):
        name, rest = header.split("=", 1)
        found.setdefault(name, []).append({part.strip() for part in rest.split(";")[1:]})
    return found


THIRD_PARTY = {"Secure", "HttpOnly", "SameSite=None", "Partitioned"}


def frame_ancestors(response) -> list[str]:
    policy = response.headers["Content-Security-Policy"]
    return re.search(r"frame-ancestors ([^;]+)", policy).group(1).split()


def launch(client, platform):
    redirect = start(client, platform)
    response = post(client, platform.launch(redirect, roles=(LEARNER,)))
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def test_an_lti_session_cookie_works_in_a_frame_and_a_local_login_keeps_lax(
    client, platform, registered, make_course, make_user, login
):
    make_course()
    # the OIDC login initiation begins the LTI session: its cookie and pylti1p3's state cookie
    # must come back on the platform's cross-site POST to /lti/launch, inside the iframe
    login_response = client.get(
        _path(platform.login_url("user-1", "http://lms.test/lti/launch?target=civics"))
    )
    cookies = set_cookies(login_response)
    state = [name for name in cookies if name.startswith("lti1p3-state-")]
    assert state and cookies[state[0]][-1] >= THIRD_PARTY
    assert cookies[SESSION][-1] >= THIRD_PARTY
    form = platform.launch(login_response.location, roles=(LEARNER,))
    launched = post(client, form)
    assert launched.status_code == 302
    assert set_cookies(launched)[SESSION][-1] >= THIRD_PARTY
    assert client.get("/courses/civics").status_code == 200  # signed in

    # an ordinary login, in another browser: SameSite=Lax, not partitioned
    other = type(client)(client.application)
    user = make_user(email="salma@example.org")
    response = other.post("/login", data={"email": user.email, "password": "correct horse battery"})
    assert response.status_code == 302
    attributes = set_cookies(response)[SESSION][-1]
    assert {"Secure", "HttpOnly", "SameSite=Lax"} <= attributes
    assert "Partitioned" not in attributes and "SameSite=None" not in attributes

    # logging out ends the LTI session: the partitioned cookie is deleted; a local login then
    # gets an ordinary cookie
    response = client.post("/logout")
    assert response.status_code == 302
    deleted = [a for a in set_cookies(response)[SESSION] if "Max-Age=0" in a]
    assert deleted and deleted[0] >= THIRD_PARTY
    response = login(user)
    sent = set_cookies(response)[SESSION][-1]
    assert "SameSite=Lax" in sent and "Partitioned" not in sent


def test_lti_pages_may_be_framed_by_enabled_platforms_only(
    client, platform, registered, make_course, count_queries
):
    make_course()
    registered.frame_origins = ["https://canvas.example.edu/any/path"]
    db.session.add(
        LtiPlatform(name="Old Moodle", issuer="https://old-moodle.example.org", client_id="c",
                    deployment_ids=["1"], auth_login_url="https://old-moodle.example.org/auth",
                    auth_token_url="https://old-moodle.example.org/token",
                    key_set_url="https://old-moodle.example.org/jwks",
                    frame_origins=["https://old-frame.example.org"], enabled=False)
    )  # fmt: skip
    other = LtiPlatform(name="Another school", issuer="https://lms.other.example.org",
                        client_id="o", deployment_ids=["1"],
                        auth_login_url="https://lms.other.example.org/auth",
                        auth_token_url="https://lms.other.example.org/token",
                        key_set_url="https://lms.other.example.org/jwks")  # fmt: skip
    db.session.add(other)
    db.session.commit()
    enabled = {"http://platform.test", platform.url, "https://canvas.example.edu"}

    # a page of someone who did not come through a platform: not framable
    home = client.get("/")
    assert frame_ancestors(home) == ["'none'"] and home.headers["X-Frame-Options"] == "DENY"

    launch(client, platform)
    with count_queries() as queries:
        page = client.get("/courses/civics")
    assert page.status_code == 200
    sources = set(frame_ancestors(page))
    # the platform she came from only: not the disabled one's, not another school's, not 'none'
    assert sources == enabled
    assert "X-Frame-Options" not in page.headers  # it would contradict the CSP
    # the origins are cached: an LTI page asks nothing more about the platforms
    assert not [q for q in queries if "lms_lti_platforms" in q], queries

    # a login initiation from the other school may be framed by that school only
    other_login = type(client)(client.application).get(
        "/lti/login?iss=https://lms.other.example.org&login_hint=x&target_link_uri=http://lms.test/"
    )
    assert "https://lms.other.example.org" in frame_ancestors(other_login)
    assert platform.url not in frame_ancestors(other_login)

    # the pages of an ordinary session in another browser keep the configured policy
    assert frame_ancestors(type(client)(client.application).get("/")) == ["'none'"]

    # disabling a platform takes its origins out at once (this process's cache is emptied)
    registered.enabled = False
    db.session.commit()
    page = client.get("/courses/civics")
    assert frame_ancestors(page) == ["'none'"] and page.headers["X-Frame-Options"] == "DENY"


def login_in_frame(client, platform, language="en"):
    return client.get(
        _path(platform.login_url("user-1", "http://lms.test/lti/launch?target=civics")),
        headers={"Sec-Fetch-Dest": "iframe", "Accept-Language": language},
    )


def test_in_a_frame_the_login_checks_cookies_and_offers_a_new_window(
    client, platform, registered, make_course
):
    make_course()
    page = login_in_frame(client, platform, "fr")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'lang="fr"' in html
    assert "Ouvrir dans une nouvelle fenêtre" in html
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None  # the CSP allows no inline
    assert "/lms-static/lti-cookie-check.js" in html
    assert client.get("/lms-static/lti-cookie-check.js").status_code == 200
    assert set(frame_ancestors(page)) >= {"http://platform.test", platform.url}
    # the new window (and the check, once it passes) go on with the same login, top-level
    link = unescape(re.search(r'href="([^"]+)" target="_blank"', html).group(1))
    assert link == unescape(re.search(r'data-continue="([^"]+)"', html).group(1))
    query = parse_qs(urlsplit(link).query)
    assert query["lti1p3_new_window"] == ["1"] and query["iss"] == [platform.issuer]
    assert query["target_link_uri"] == ["http://lms.test/lti/launch?target=civics"]
    response = client.get(link, headers={"Sec-Fetch-Dest": "document"})
    assert response.status_code == 302 and response.location.startswith(platform.url + "/auth")
    assert post(client, platform.launch(response.location, roles=(LEARNER,))).status_code == 302
    # top-level, no check: straight to the platform
    top = type(client)(client.application)
    response = top.get(
        _path(platform.login_url("user-1", "http://lms.test/lti/launch?target=civics")),
        headers={"Sec-Fetch-Dest": "document"},
    )
    assert response.status_code == 302


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_cookie_check_page_speaks_the_learners_language(
    client, platform, registered, make_course, language
):
    make_course()
    html = login_in_frame(client, platform, language).get_data(as_text=True)
    expected = {"en": "Open in a new window", "ar": "افتح في نافذة جديدة"}[language]
    assert f'lang="{language}"' in html and expected in html


def test_the_deep_linking_picker_and_its_answer_may_be_framed_by_the_platform(
    client, platform, registered, make_course
):
    make_course()
    picker = open_picker(client, platform)
    assert picker.status_code == 200 and platform.url in frame_ancestors(picker)
    answer = client.post("/lti/deep-link", data={"item": ["civics/basics/check"]})
    assert answer.status_code == 200  # the page that posts the choice back, in the same frame
    assert platform.url in frame_ancestors(answer) and "'none'" not in frame_ancestors(answer)
