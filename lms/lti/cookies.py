"""Cookies that work inside a platform's iframe, for LTI sessions only.

A platform (Moodle, Canvas) shows the tool in an ``<iframe>``: the tool's cookies are then
third-party cookies. A browser sends them there only when they say ``SameSite=None; Secure``, and
keeps them when third-party cookies are blocked only when they are ``Partitioned`` too (CHIPS: a
jar of their own per top-level site). A session begun by an OIDC login initiation carries
``FLAG``; its cookie, and pylti1p3's state cookie, get those attributes. Every other session
keeps the configured ``SameSite=Lax``. A local login or a logout ends the flag.

``Secure`` needs HTTPS, except on ``localhost`` and loopback addresses, which browsers treat as
secure: elsewhere over plain HTTP (a development server on a LAN name) the LTI session keeps the
ordinary attributes (it then works top-level only).
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import (
    Flask,
    current_app,
    has_request_context,
    render_template,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from flask_login import user_logged_in, user_logged_out
from pylti1p3.contrib.flask import FlaskCookieService, FlaskOIDCLogin, FlaskRequest

log = logging.getLogger("lms.lti")

#: the session key of a session begun by an LTI launch
FLAG = "lti_framed"
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


def third_party_cookies_possible() -> bool:
    """Whether this request's cookies may be ``Secure`` (HTTPS, production, or a local host)."""
    if current_app.config["LMS_ENV"] == "production" or request.is_secure:
        return True
    host = urlsplit("//" + request.host).hostname or ""
    return host in LOCAL_HOSTS or host.endswith(".localhost")


def framed(data) -> bool:
    """The session (its data) was begun by an LTI launch and may live in a third-party frame."""
    return bool(data.get(FLAG)) and has_request_context() and third_party_cookies_possible()


class LtiSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with the third-party attributes for LTI sessions.

    A session that changes kind (an LTI launch in a browser that had an ordinary session, or a
    local login after a launch) also deletes the cookie of the other kind: the browser keeps a
    partitioned and an unpartitioned cookie apart and would send both.
    """

    def open_session(self, app: Flask, request):
        opened = super().open_session(app, request)
        if opened is not None:
            opened.lti_framed_at_open = framed(opened)
            opened.lti_had_cookie = self.get_cookie_name(app) in request.cookies
        return opened

    def _framed(self) -> bool:
        return has_request_context() and framed(session)

    def get_cookie_samesite(self, app: Flask) -> str | None:
        return "None" if self._framed() else super().get_cookie_samesite(app)

    def get_cookie_secure(self, app: Flask) -> bool:
        return True if self._framed() else super().get_cookie_secure(app)

    def get_cookie_partitioned(self, app: Flask) -> bool:
        return True if self._framed() else super().get_cookie_partitioned(app)

    def save_session(self, app: Flask, session_, response) -> None:
        now_framed = framed(session_)
        was_framed = getattr(session_, "lti_framed_at_open", False)
        if now_framed != was_framed and getattr(session_, "lti_had_cookie", False):
            # the other kind of cookie: Partitioned + SameSite=None, or the configured ones
            response.delete_cookie(
                self.get_cookie_name(app),
                domain=self.get_cookie_domain(app),
                path=self.get_cookie_path(app),
                secure=True if was_framed else super().get_cookie_secure(app),
                partitioned=was_framed,
                samesite="None" if was_framed else super().get_cookie_samesite(app),
                httponly=self.get_cookie_httponly(app),
            )
        super().save_session(app, session_, response)


class LtiCookieService(FlaskCookieService):
    """pylti1p3's state cookie, with the same attributes as the LTI session's."""

    def update_response(self, response):
        if not third_party_cookies_possible():
            return super().update_response(response)
        for key, cookie in self._cookie_data_to_set.items():
            response.set_cookie(key, cookie["value"], max_age=cookie["exp"], path="/",
                                secure=True, httponly=True, samesite="None",
                                partitioned=True)  # fmt: skip
        return None


def begin_lti_session() -> None:
    session[FLAG] = True


#: the endpoints that sign a platform's person in (the launch, the choice of account)
LTI_LOGIN_ENDPOINTS = ("lms_lti.launch", "lms_lti.choose_account")


def _end_on_local_login(sender, user, **extra) -> None:
    if request.endpoint not in LTI_LOGIN_ENDPOINTS:
        session.pop(FLAG, None)


def _end_on_logout(sender, user, **extra) -> None:
    session.pop(FLAG, None)


def install(app: Flask) -> None:
    """Flask's default session interface becomes ``LtiSessionInterface``; a host application's
    own interface is kept (its LTI sessions then work top-level only, in a new window)."""
    if type(app.session_interface) is SecureCookieSessionInterface:
        app.session_interface = LtiSessionInterface()
    elif not isinstance(app.session_interface, LtiSessionInterface):
        log.warning(
            "The host's session interface %s is kept: LTI launches inside a platform's iframe "
            "need its cookie to be SameSite=None; Secure; Partitioned (see lms.lti.cookies)",
            type(app.session_interface).__name__,
        )
    user_logged_in.connect(_end_on_local_login, sender=app, weak=False)
    user_logged_out.connect(_end_on_logout, sender=app, weak=False)


class LtiOIDCLogin(FlaskOIDCLogin):
    """pylti1p3's OIDC login whose cookie check is our page (translated, its script external:
    the CSP allows no inline script), shown only in a frame (``Sec-Fetch-Dest``): top-level, the
    tool's cookies are first-party. When the browser refuses the tool's cookies in the frame, the
    page offers to open the launch in a new window, where the login starts again top-level."""

    def __init__(self, conf) -> None:
        lti_request = FlaskRequest()
        super().__init__(lti_request, conf, cookie_service=LtiCookieService(lti_request))
        if request.headers.get("Sec-Fetch-Dest") in ("iframe", "frame"):
            self.enable_check_cookies()

    def get_cookies_allowed_js_check(self):
        _protocol, params = self.get_cookies_allowed_js_check_params()
        return render_template(
            "lms/lti/cookie_check.html", continue_url=url_for("lms_lti.login", **params)
        )
