"""LTI Dynamic Registration against a real platform (lti1p3platform, extended with the spec's
platform side): an administrator's one-time link, pasted into the platform, registers it — then
its launches work; a used, expired, revoked or unknown link, a platform that answers badly or
names another issuer: a page that says what failed, and nothing written. Admins only; CSRF."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from urllib.parse import urlencode, urlsplit

import pytest
from sqlalchemy import func, select

from curriculum.db import db, utcnow
from lms.lti.models import LtiPlatform, LtiRegistrationLink
from lms.lti.platforms.operations import create_registration_link
from lms.lti.registration import usable_url
from tests.conftest import PASSWORD

from .platform import LEARNER
from .registering_platform import SCOPES, TOOL_CONFIGURATION, RegisteringPlatform
from .test_launch import post, start

LINKS = "/admin/lti/platforms/registration-links"
CSRF = r'name="csrf_token" type="hidden" value="([^"]+)"'


@pytest.fixture
def app_config(app_config, request):
    return {**app_config, **getattr(request, "param", {})}


@pytest.fixture
def platform(app):
    test_platform = RegisteringPlatform("http://lms.test")
    yield test_platform
    test_platform.close()


@pytest.fixture
def admin(make_user, login):
    user = make_user(email="admin@example.org", name="Nadia Admin", roles=("admin",))
    login(user)
    return user


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def new_link(client, label: str = "") -> str:
    """An administrator creates a link on the admin page; the page shows its address once."""
    response = client.post(LINKS, data={"label": label})
    assert response.status_code == 200, response.get_data(as_text=True)
    html = response.get_data(as_text=True)
    return unescape(re.search(r'<code dir="ltr" id="registration-url">([^<]+)</code>', html)[1])


def frame_ancestors(response) -> list[str]:
    policy = response.headers["Content-Security-Policy"]
    return re.search(r"frame-ancestors ([^;]+)", policy).group(1).split()


def link_of(user) -> str:
    """A link made by the operation (the admin page is tested once, above)."""
    _link, token = create_registration_link(user)
    db.session.commit()
    return f"http://lms.test/lti/register/{token}"


def platform_opens(app, platform, link: str, headers=None, **options):
    """The platform's administrator's browser (not logged in here) opens the link."""
    browser = type(app.test_client())(app)
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return browser.get(_path(platform.registration_url(link, **options)), headers=headers)


def platforms() -> list[LtiPlatform]:
    db.session.expire_all()
    return list(db.session.scalars(select(LtiPlatform).order_by(LtiPlatform.id)))


def link_states() -> list[str]:
    db.session.expire_all()
    links = db.session.scalars(select(LtiRegistrationLink).order_by(LtiRegistrationLink.id))
    return [link.state(utcnow()) for link in links]


def test_registration_through_the_link_then_a_launch_from_the_platform(
    app, client, admin, platform, make_course
):
    page = client.get("/admin/lti/platforms").get_data(as_text=True)
    assert f'href="{LINKS}"' in page
    link = new_link(client, "Moodle of the university")
    assert link.startswith("http://lms.test/lti/register/")
    token = link.rsplit("/", 1)[1]
    stored = db.session.scalar(select(LtiRegistrationLink))
    assert stored.token_hash == LtiRegistrationLink.digest(token) and token not in stored.token_hash

    response = platform_opens(app, platform, link)
    assert response.status_code == 200, response.get_data(as_text=True)
    html = response.get_data(as_text=True)
    assert "The platform is registered" in html and "You may close this window" in html
    assert "lti-registered.js" in html  # posts {subject: 'org.imsglobal.lti.close'} to the opener
    # only the platform that opened it may frame it (the origin of its configuration)
    assert frame_ancestors(response) == ["'self'", platform.url]
    script = client.get("/lms-static/lti-registered.js").get_data(as_text=True)
    assert "org.imsglobal.lti.close" in script and "window.opener" in script

    # what the tool told the platform, as the platform received it
    [sent] = platform.requests
    assert sent["client_name"] == app.config["LMS_SITE_NAME"]
    assert sent["jwks_uri"] == "http://lms.test/lti/jwks.json"
    assert sent["initiate_login_uri"] == "http://lms.test/lti/login"
    assert sent["redirect_uris"] == ["http://lms.test/lti/launch"]
    assert set(sent["scope"].split()) == set(SCOPES)
    tool = sent[TOOL_CONFIGURATION]
    assert tool["domain"] == "lms.test" and tool["target_link_uri"] == "http://lms.test/lti/launch"
    assert [m["type"] for m in tool["messages"]] == ["LtiResourceLinkRequest",
                                                     "LtiDeepLinkingRequest"]  # fmt: skip
    # where Canvas offers the tool: the course menu; the module, assignment and editor pickers
    assert [m["placements"] for m in tool["messages"]] == [
        ["course_navigation"], ["link_selection", "assignment_selection", "editor_button"]]  # fmt: skip
    assert {"sub", "name", "email"} <= set(tool["claims"])

    [row] = platforms()
    assert (row.issuer, row.client_id, row.deployment_ids) == (
        platform.url, "dynamic-client-1", ["dynamic-deployment-1"])  # fmt: skip
    assert row.auth_login_url == platform.url + "/auth"
    assert row.auth_token_url == platform.url + "/token"
    assert row.key_set_url == platform.url + "/jwks"
    assert row.registered_by == "dynamic" and row.enabled and row.name == "Moodle of the university"
    assert link_states() == ["used"]
    listed = client.get(LINKS).get_data(as_text=True)
    assert "Used" in listed and "Moodle of the university" in listed and "Revoke" not in listed

    # the platform's learners can now launch the tool
    make_course()
    learner = type(client)(app)
    form = platform.launch(start(learner, platform), roles=(LEARNER,))
    response = post(learner, form)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert _path(response.location) == "/courses/civics"


def test_a_link_serves_once(app, admin, platform):
    link = link_of(admin)
    assert platform_opens(app, platform, link).status_code == 200
    again = platform_opens(app, platform, link)
    assert again.status_code == 400 and "already been used" in again.get_data(as_text=True)
    assert len(platforms()) == 1 and len(platform.requests) == 1


@pytest.mark.parametrize("case", ["expired", "revoked", "unknown"])
def test_an_expired_revoked_or_unknown_link_is_refused(app, client, admin, platform, case):
    link = link_of(admin)
    if case == "expired":
        stored = db.session.scalar(select(LtiRegistrationLink))
        stored.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    elif case == "revoked":
        stored = db.session.scalar(select(LtiRegistrationLink))
        assert client.post(f"{LINKS}/{stored.id}/revoke").status_code == 302
        assert link_states() == ["revoked"]
    else:
        link = link[:-4] + "xxxx"
    response = platform_opens(app, platform, link)
    expected = {"expired": (400, "has expired"), "revoked": (400, "was revoked"),
                "unknown": (404, "is unknown")}[case]  # fmt: skip
    assert (response.status_code, expected[1] in response.get_data(as_text=True)) == (
        expected[0], True)  # fmt: skip
    assert platforms() == [] and platform.requests == []  # the platform was not even asked


@pytest.mark.parametrize(
    "failure, message",
    [
        ("status", "The platform refused the registration (HTTP 503). The registration store"),
        ("json", "is not a JSON object"),
        ("no_client_id", "has no client id"),
        ("token", "The platform refused the registration (HTTP 401). invalid_token"),
    ],
)
def test_a_platform_that_answers_badly_creates_nothing(app, admin, platform, failure, message):
    link = link_of(admin)
    platform.failure = failure
    options = {"registration_token": "a-wrong-token"} if failure == "token" else {}
    response = platform_opens(app, platform, link, **options)
    assert response.status_code == 400
    assert message in unescape(response.get_data(as_text=True))
    assert platforms() == [] and link_states() == ["waiting"]
    # the same link works once the platform is fixed: nothing was half-written
    platform.failure = None
    assert platform_opens(app, platform, link).status_code == 200
    assert len(platforms()) == 1 and link_states() == ["used"]


def test_a_configuration_that_names_another_issuer_is_refused(app, admin, platform):
    link = link_of(admin)
    platform.advertised_issuer = "https://other-platform.example.org"
    response = platform_opens(app, platform, link)
    assert response.status_code == 400
    html = unescape(response.get_data(as_text=True))
    assert "issuer (https://other-platform.example.org) is not the site" in html
    assert platforms() == [] and platform.requests == [] and link_states() == ["waiting"]


def test_a_link_opened_without_the_platform_parameters_is_explained(app, client, admin):
    link = link_of(admin)
    response = client.get(_path(link))
    assert response.status_code == 400
    assert "Paste the link into the platform" in unescape(response.get_data(as_text=True))
    arabic = client.get(_path(link), headers={"Accept-Language": "ar"})
    assert "الصق الرابط في صفحة تسجيل الأدوات" in arabic.get_data(as_text=True)
    assert link_states() == ["waiting"]


def test_registering_again_updates_the_platform_instead_of_duplicating_it(app, admin, platform):
    assert platform_opens(app, platform, link_of(admin)).status_code == 200
    platform.reuse_client = True  # the platform's administrator registers the tool once more
    assert platform_opens(app, platform, link_of(admin)).status_code == 200
    [row] = platforms()
    assert row.client_id == "dynamic-client-1"
    assert row.deployment_ids == ["dynamic-deployment-1", "dynamic-deployment-2"]
    assert link_states() == ["used", "used"]


def test_only_an_https_configuration_outside_tests_and_development():
    # an address on the internet (written as one, so that no name needs resolving here)
    assert usable_url("https://93.184.216.34/mod/lti/openid-configuration.php", False)
    # never a host of the server's own network: it would fetch and post to its neighbours
    for inside in ("https://127.0.0.1/x", "https://localhost/x", "https://10.0.0.5/x",
                   "https://192.168.1.20:8443/x", "https://169.254.169.254/latest/meta-data",
                   "https://[::1]/x", "https://[fd00::1]/x"):  # fmt: skip
        assert not usable_url(inside, False), inside
    assert not usable_url("http://127.0.0.1:8000/.well-known/openid-configuration", False)
    assert usable_url("http://127.0.0.1:8000/.well-known/openid-configuration", True)
    assert usable_url("http://localhost/x", True)
    assert not usable_url("http://moodle.example.org/x", True)  # plain http only to loopback
    assert not usable_url("https://user:pw@moodle.example.org/x", True)
    assert not usable_url("file:///etc/passwd", True) and not usable_url(None, True)


@pytest.mark.parametrize("role", ["learner", "trainer"])
def test_only_administrators_open_the_links_page(client, make_user, login, role):
    login(make_user(roles=(role,)))
    assert client.get(LINKS).status_code == 403
    assert client.post(LINKS, data={"label": "x"}).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(LtiRegistrationLink)) == 0


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}], indirect=True)
def test_the_create_link_form_needs_its_csrf_token(client, make_user):
    user = make_user(email="admin@example.org", roles=("admin",))
    token = re.search(CSRF, client.get("/login").get_data(as_text=True))[1]
    login = {"email": user.email, "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=login).status_code == 302
    assert client.post(LINKS, data={"label": "Forged"}).status_code == 400
    assert link_states() == []
    token = re.search(CSRF, client.get(LINKS).get_data(as_text=True))[1]
    assert client.post(LINKS, data={"label": "Moodle", "csrf_token": token}).status_code == 200
    assert link_states() == ["waiting"]


def test_a_link_tried_over_and_over_is_held_back(app, client, admin, platform):
    """Each try makes the server call the address it is given: a leaked link cannot be used to
    make it call address after address."""
    link = link_of(admin)
    browser = type(app.test_client())(app)
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    for _ in range(10):
        assert browser.get(_path(link) + "?openid_configuration=").status_code == 400
    held = browser.get(_path(link) + "?openid_configuration=")
    assert held.status_code == 429 and "too many times" in held.get_data(as_text=True)
    assert platform_opens(app, platform, link).status_code == 429
    assert platforms() == [] and link_states() == ["waiting"]


def test_the_page_that_framed_the_registration_may_frame_the_launches(app, admin, platform):
    """Canvas frames the tool from the institution's own domain, which its configuration does
    not name: the origin of the page that opened the link becomes a frame origin."""
    school = {"Referer": "https://ecole.instructure.example/accounts/1/developer_keys"}
    assert platform_opens(app, platform, link_of(admin), headers=school).status_code == 200
    [row] = platforms()
    assert row.frame_origins == ["https://ecole.instructure.example"]
    # registered again from the same page: kept once; a page on no usable address is ignored
    assert platform_opens(app, platform, link_of(admin), headers=school).status_code == 200
    odd = {"Origin": "file://"}
    assert platform_opens(app, platform, link_of(admin), headers=odd).status_code == 200
    assert platforms()[0].frame_origins == ["https://ecole.instructure.example"]


@pytest.mark.parametrize(
    ("configuration", "ancestors"),
    [
        ("https://moodle.example.org/mod/lti/openid-configuration.php",
         ["'self'", "https://moodle.example.org"]),
        ("https://Canvas.Example.EDU:8443/api/lti/security/openid-configuration?x=1",
         ["'self'", "https://canvas.example.edu:8443"]),
        ("http://127.0.0.1:8081/openid", ["'self'", "http://127.0.0.1:8081"]),
        ("", ["'self'"]),  # the parameter given empty, or not at all
        (None, ["'self'"]),
        ("http://moodle.example.org/openid", ["'self'"]),  # plain http: only to this machine
        ("https://evil.example;script-src/", ["'self'"]),  # nothing added to the policy
        ("https://user:secret@moodle.example.org/openid", ["'self'"]),
        ("https://a.example https://b.example", ["'self'"]),
        ("javascript:alert(1)", ["'self'"]),
    ],
)  # fmt: skip
def test_only_the_platform_that_opened_the_link_may_frame_the_page(
    app, admin, configuration, ancestors
):
    """Before the platform is registered, its OpenID configuration's address is all the tool
    knows of it: its origin may frame the page (the link's answer, a refusal too), no other."""
    browser = type(app.test_client())(app)
    query = (
        "" if configuration is None else "?" + urlencode({"openid_configuration": configuration})
    )
    response = browser.get("/lti/register/unknown-token" + query)  # refused before any call
    assert response.status_code == 404
    assert frame_ancestors(response) == ancestors
