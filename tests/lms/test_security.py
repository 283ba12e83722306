"""Security: CSRF on every form, login throttling, safe redirects, security headers, error pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from limits import parse
from sqlalchemy import func, select

from curriculum.db import db
from curriculum.models import CourseAsset
from lms.access import is_safe_redirect
from lms.config import DEFAULTS
from lms.mail.models import OutboxMessage
from lms.users.models import User
from lms.users.operations import create_user
from tests.conftest import PASSWORD

TEMPLATES = Path(__file__).resolve().parents[2] / "lms" / "templates"
CSRF_MESSAGE = "The form expired or was not sent from this site. Please try again."
THROTTLE_MESSAGE = "Too many attempts. Please wait a few minutes and try again."


def placeholder_url(app, rule) -> str:
    """A URL for the rule with a made-up value for each argument: CSRF is checked before any
    object is looked up, so the values do not matter."""
    values = {}
    for name in rule.arguments - set(rule.defaults or {}):
        converter = rule._converters[name].__class__.__name__
        values[name] = 1 if converter in ("IntegerConverter", "NumberConverter") else "x"
    with app.test_request_context():
        return app.url_for(rule.endpoint, **values)


# -- CSRF ---------------------------------------------------------------------------------------


@pytest.fixture
def app_config(app_config, request):
    config = {**app_config, **getattr(request, "param", {})}
    return config


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}], indirect=True)
def test_every_post_of_the_app_without_a_csrf_token_is_refused(app, client, make_user, login):
    user = make_user(roles=("admin", "trainer", "learner"))
    with client.session_transaction() as session:  # logged in, so a view could act if reached
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    rules = [r for r in app.url_map.iter_rules() if "POST" in r.methods]
    assert len(rules) >= 6
    users_before = db.session.scalar(select(func.count()).select_from(User))
    for rule in rules:
        url = placeholder_url(app, rule)
        if rule.endpoint.startswith("lms_lti.") and getattr(
            app.view_functions[rule.endpoint], "csrf_exempt", False
        ):
            # Posted by an LTI platform from its own site: no CSRF token can exist there. The
            # OIDC state, nonce and signed id_token protect it, so a forged post is refused.
            response = client.post(url, data={"iss": "https://evil.example", "id_token": "x"})
            assert response.status_code in (400, 403), url
            assert CSRF_MESSAGE not in response.get_data(as_text=True), url
            continue
        if getattr(app.view_functions[rule.endpoint], "csrf_exempt", False):
            # JSON only (the offline queue, which the service worker also sends): a form, which
            # another site can post, is refused before anything is read; a cross-site JSON post
            # needs a CORS preflight that is never answered, and its Origin is refused.
            response = client.post(url, data={"items": "[]"})
            assert response.status_code == 400, url
            json = client.post(url, json={"items": []}, headers={"Origin": "https://evil.example"})
            assert json.status_code == 403, url
            continue
        response = client.post(url, data={"language": "ar", "roles": ["learner"], "name": "X"})
        assert response.status_code == 400, url
        assert CSRF_MESSAGE in response.get_data(as_text=True), url
        json = client.post(url, headers={"Accept": "application/json"})
        assert json.status_code == 400 and json.get_json()["message"] == CSRF_MESSAGE, url
    assert db.session.scalar(select(func.count()).select_from(User)) == users_before
    assert client.get("/account").status_code == 200  # nothing logged the user out either


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}], indirect=True)
def test_a_form_with_its_token_goes_through(client, make_user):
    user = make_user()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    forged = client.post("/logout", data={"csrf_token": token + "x"})
    assert forged.status_code == 400
    page = client.get("/account").get_data(as_text=True)
    logout_token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/logout", data={"csrf_token": logout_token}).status_code == 302
    assert client.get("/account").status_code == 302


# -- login throttling ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "app_config",
    [
        {
            "LMS_LOGIN_LIMIT_PER_ACCOUNT": "3 per 15 minutes",
            "LMS_LOGIN_LIMIT_PER_ADDRESS": "5 per 15 minutes",
        }
    ],
    indirect=True,
)
def test_too_many_failures_for_one_account_answer_429_even_from_other_addresses(client, make_user):
    user = make_user()
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        response = client.post(
            "/login",
            data={"email": user.email, "password": "wrong password"},
            environ_base={"REMOTE_ADDR": address},
        )
        assert response.status_code == 401
    blocked = client.post(
        "/login",
        data={"email": user.email.upper(), "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.4"},
    )
    assert blocked.status_code == 429
    assert THROTTLE_MESSAGE in blocked.get_data(as_text=True)
    assert client.get("/account").status_code == 302  # even the right password did not get in
    json = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD},
        headers={"Accept": "application/json"},
    )
    assert json.status_code == 429 and json.get_json()["message"] == THROTTLE_MESSAGE
    # another account is not affected
    other = make_user()
    assert (
        client.post("/login", data={"email": other.email, "password": PASSWORD}).status_code == 302
    )


@pytest.mark.parametrize(
    "app_config",
    [
        {
            "LMS_LOGIN_LIMIT_PER_ACCOUNT": "3 per 15 minutes",
            "LMS_LOGIN_LIMIT_PER_ADDRESS": "5 per 15 minutes",
        }
    ],
    indirect=True,
)
def test_too_many_failures_from_one_address_answer_429(client, make_user):
    user = make_user()
    for n in range(5):
        response = client.post(
            "/login", data={"email": f"guess{n}@example.org", "password": "wrong password"}
        )
        assert response.status_code == 401
    assert (
        client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 429
    )
    other_place = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.9.9.9"},
    )
    assert other_place.status_code == 302


@pytest.mark.parametrize(
    "app_config", [{"LMS_LOGIN_LIMIT_PER_ACCOUNT": "2 per 15 minutes"}], indirect=True
)
def test_successful_logins_do_not_count(client, make_user):
    user = make_user()
    for _ in range(5):
        assert (
            client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code
            == 302
        )
        client.post("/logout")
    assert (
        client.post("/login", data={"email": user.email, "password": "wrong password"}).status_code
        == 401
    )


def log_in(client, email: str, password: str, address: str):
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_five_wrong_passwords_from_one_place_do_not_lock_the_owner_out(app, client, make_user):
    trainer = make_user(roles=("trainer",))
    for _ in range(5):
        assert log_in(client, trainer.email, "wrong password", "10.0.0.66").status_code == 401
    assert log_in(client, trainer.email, PASSWORD, "10.0.0.66").status_code == 429

    owner = app.test_client()
    assert log_in(owner, trainer.email, PASSWORD, "10.0.0.7").status_code == 302


def test_the_per_account_limit_is_much_higher_than_the_per_pair_limit():
    per_pair = parse(DEFAULTS["LMS_LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS"])
    per_account = parse(DEFAULTS["LMS_LOGIN_LIMIT_PER_ACCOUNT"])
    assert (per_pair.amount, per_account.amount) == (5, 50)


def test_a_locked_out_user_resets_the_password_by_e_mail_and_logs_in(app, client, make_user):
    app.config["LMS_LOGIN_LIMIT_PER_ACCOUNT"] = "6 per hour"
    user = make_user()
    for n in range(6):  # an attacker, from three places
        assert log_in(client, user.email, f"guess {n}", f"10.0.0.{n % 3 + 1}").status_code == 401
    owner = app.test_client()
    locked = log_in(owner, user.email, PASSWORD, "10.1.1.1")
    assert locked.status_code == 429
    assert 'href="/password/forgot"' in locked.get_data(as_text=True)  # the way out, on the page

    asked = owner.post(
        "/password/forgot", data={"email": user.email}, environ_base={"REMOTE_ADDR": "10.1.1.1"}
    )
    assert asked.status_code == 302
    body = db.session.scalar(select(OutboxMessage.body))
    path = re.search(r"http://lms\.test(/password/reset/\S+)", body).group(1)
    new = {"password": "a brand new passphrase", "confirm": "a brand new passphrase"}
    assert owner.post(path, data=new, environ_base={"REMOTE_ADDR": "10.1.1.1"}).status_code == 302

    assert log_in(owner, user.email, new["password"], "10.1.1.1").status_code == 302


# -- redirects after login ----------------------------------------------------------------------

OFF_SITE = [
    "https://evil.example",
    "//evil.example",
    "/\\evil.example",
    "/\t/evil.example",
    "http:/evil.example",
    "",
]


def test_login_never_redirects_off_site(client, make_user):
    user = make_user()
    for target in OFF_SITE:
        response = client.post(
            "/login",
            query_string={"next": target},
            data={"email": user.email, "password": PASSWORD},
        )
        assert response.status_code == 302 and response.headers["Location"] == "/", target
        # already logged in: the login page redirects too, with the same rule
        assert client.get("/login", query_string={"next": target}).headers["Location"] == "/", (
            target
        )
        client.post("/logout")


def test_login_goes_back_to_the_page_asked_for(client, make_user):
    user = make_user()
    response = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "next": "/account/password?from=menu"},
    )
    assert response.headers["Location"] == "/account/password?from=menu"


def test_language_switcher_never_redirects_off_site(client):
    for target in OFF_SITE:
        response = client.post("/language", query_string={"next": target}, data={"language": "ar"})
        assert response.headers["Location"] == "/", target


def test_safe_redirects_are_paths_of_this_site():
    assert is_safe_redirect("/courses/civics?tab=1#top")
    for target in [*OFF_SITE, None, "javascript:alert(1)", "evil.example", "/\r\nSet-Cookie: x=1"]:
        assert not is_safe_redirect(target), target


# -- security headers ---------------------------------------------------------------------------


def test_pages_carry_the_security_headers(client):
    headers = client.get("/login").headers
    csp = dict(part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";"))
    assert (
        csp["script-src"] == "'self'" and "unsafe-inline" not in headers["Content-Security-Policy"]
    )
    assert csp["default-src"] == "'self'" and csp["object-src"] == "'none'"
    assert csp["frame-ancestors"] == "'none'"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["X-Frame-Options"] == "DENY"


def test_pages_of_a_logged_in_user_are_never_stored(app, client, make_user, login, make_course):
    """Shared phones are common: what a logged-in user saw must not stay in the browser's cache
    (nor a proxy's). Public things keep their caching."""
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    course = make_course()
    db.session.add(
        CourseAsset(
            course_id=course.id,
            path="assets/logo.png",
            mimetype="image/png",
            data=b"png",
            sha256="x",
        )
    )
    db.session.commit()
    login(make_user())
    for url in ("/my", "/account", "/", "/no-such-page", f"/courses/{course.slug}"):
        assert client.get(url).headers["Cache-Control"] == "no-store", url
    asset = client.get(f"/courses/{course.slug}/assets/logo.png")
    assert asset.headers["Cache-Control"] == "public, max-age=86400"
    stylesheet = client.get("/lms-static/lms.css")
    assert stylesheet.status_code == 200 and "no-store" not in stylesheet.headers["Cache-Control"]


@pytest.mark.parametrize(
    "app_config", [{"LMS_FRAME_ANCESTORS": "https://moodle.example.org"}], indirect=True
)
def test_frame_ancestors_is_configurable(client):
    headers = client.get("/").headers
    assert "frame-ancestors https://moodle.example.org" in headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in headers  # it would forbid the framing the CSP allows


def test_no_template_has_inline_script_or_style():
    """The CSP forbids inline code: it must not be needed on any page (the certificate's own PDF
    template and the ``*_pdf.html`` templates, such as a consultation's poster, are not web
    pages: WeasyPrint reads their styles)."""
    certificate_pages = TEMPLATES.parents[1] / "certificates" / "templates"
    pdf_template = certificate_pages / "certificates" / "default.html"
    offenders = []
    for path in [*TEMPLATES.rglob("*.html"), *certificate_pages.rglob("*.html")]:
        source = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", source) or re.search(r"\son[a-z]+=", source):
            offenders.append(path.name)
        is_pdf = path == pdf_template or path.name.endswith("_pdf.html")
        if not is_pdf and (re.search(r"\sstyle=", source) or "<style" in source):
            offenders.append(path.name)
    assert offenders == []
    assert pdf_template.exists()


# -- error pages --------------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "status"), [("/no-such-page", 404), ("/admin/users", 403)])
def test_error_pages_answer_html_or_json_by_accept(client, make_user, login, url, status):
    login(make_user())
    page = client.get(url)
    assert page.status_code == status and page.mimetype == "text/html"
    assert '<html lang="en" dir="ltr">' in page.get_data(as_text=True)
    data = client.get(url, headers={"Accept": "application/json"})
    assert data.status_code == status and data.mimetype == "application/json"
    assert data.get_json()["status"] == status and data.get_json()["message"]


@pytest.fixture
def failing_app(app):
    """The app with a view that writes, then fails (as a bug would), shown as visitors see it."""
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def half_done():
        create_user("ghost@example.org", "Ghost", PASSWORD)
        db.session.flush()
        create_user("ghost2@example.org", "Ghost", PASSWORD)
        # a second row with the same unique key: on PostgreSQL the transaction is now aborted
        db.session.execute(
            User.__table__.insert().values(
                email="x", email_key="ghost@example.org", name="x", active=True
            )
        )
        return "unreachable"

    app.add_url_rule("/half-done", view_func=half_done)
    return app


def test_a_server_error_rolls_back_and_still_renders_its_page(
    failing_app, client, make_user, login, caplog
):
    user = make_user(locale="ar")
    login(user)  # rendering the error page needs the user again: the session must be usable
    page = client.get("/half-done")
    assert page.status_code == 500
    html = page.get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html and "IntegrityError" not in html
    assert "ghost" not in html
    data = client.get("/half-done", headers={"Accept": "application/json"})
    assert data.status_code == 500 and data.get_json()["status"] == 500
    assert db.session.scalar(select(func.count()).select_from(User)) == 1  # nothing half-written
    assert "IntegrityError" in caplog.text  # the details go to the log, once per failure
    assert caplog.text.count("Exception on /half-done") == 2


def test_a_new_password_logs_out_every_other_device(app, make_user):
    user = make_user(email="device@example.org")
    phone, laptop = app.test_client(), app.test_client()
    for device in (phone, laptop):
        device.post("/login", data={"email": user.email, "password": "correct horse battery"})
        assert device.get("/account").status_code == 200
    response = phone.post(
        "/account/password",
        data={
            "current": "correct horse battery",
            "password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
        },
    )
    assert response.status_code == 302
    assert phone.get("/account").status_code == 200  # this device stays logged in
    assert laptop.get("/account").status_code == 302  # the other one is logged out


def test_anonymous_json_requests_get_401_not_a_redirect(app, client):
    response = client.get("/my", headers={"Accept": "application/json"})
    assert response.status_code == 401
    assert response.get_json()["status"] == 401


def test_password_reset_requests_are_throttled_per_address(app, client):
    app.config["LMS_RESET_LIMIT"] = "2 per hour"
    statuses = [
        client.post("/password/forgot", data={"email": "x@example.org"}).status_code
        for _ in range(3)
    ]
    assert statuses == [302, 302, 429]


def test_production_refuses_to_start_without_a_public_url(tmp_path):
    import pytest as _pytest

    from lms import create_app
    from lms.errors import ConfigError

    with _pytest.raises(ConfigError, match="LMS_PUBLIC_URL"):
        create_app(
            {
                "LMS_ENV": "production",
                "SECRET_KEY": "s",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db",
            },
            instance_path=str(tmp_path),
        )
