"""The tool's endpoints: its JWKS, OIDC login initiation and the launch (thin: pylti1p3 checks
the messages, ``operations`` applies them). A refused launch is an error page that says why,
with status 400/403, so the request's transaction rolls back and nothing is created."""

from __future__ import annotations

import jwt
from flask import jsonify, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_user
from pylti1p3.contrib.flask import FlaskMessageLaunch, FlaskOIDCLogin, FlaskRequest
from pylti1p3.exception import LtiException, OIDCException

from lms.errors import LMSError, error_response

from . import keys, operations
from .tool_config import DatabaseToolConf


def jwks():
    response = jsonify(keys.jwks())
    response.cache_control.max_age = 300
    return response


def _refused(message: str, status: int = 400):
    return error_response(status, message)


def login():
    """OIDC login initiation (GET or POST from the platform)."""
    conf = DatabaseToolConf()
    values = request.values
    issuer, client_id = values.get("iss"), values.get("client_id")
    if not issuer or not values.get("login_hint") or not values.get("target_link_uri"):
        return _refused(_("This login request misses the issuer, the login hint or the target."))
    platform = conf.platform(issuer, client_id)
    if platform is None:
        return _refused(_("This platform is not registered here: %(issuer)s", issuer=issuer))
    if not platform.enabled:
        return _refused(_("This platform is disabled: ask its administrator."), 403)
    try:
        oidc = FlaskOIDCLogin(FlaskRequest(), conf)
        return oidc.redirect(url_for("lms_lti.launch", _external=True))
    except (LtiException, OIDCException) as error:
        return _refused(_("The login request was refused: %(reason)s", reason=str(error)))


def _forget_nonce(claims: dict) -> None:
    """A nonce serves once: a replayed id_token finds it gone."""
    session.pop(f"lti1p3-nonce-{claims.get('nonce')}", None)


def launch():
    conf = DatabaseToolConf()
    try:
        message = FlaskMessageLaunch(FlaskRequest(), conf)
        claims = message.get_launch_data()
    except (LtiException, OIDCException, KeyError, ValueError) as error:
        if _from_disabled_platform(conf):
            return _refused(_("This platform is disabled: ask its administrator."), 403)
        return _refused(_("This launch was refused: %(reason)s", reason=str(error)))
    platform = conf.platform(claims.get("iss"), _audience(claims))
    if platform is None or not platform.enabled:
        return _refused(_("This platform is disabled: ask its administrator."), 403)
    _forget_nonce(claims)
    try:
        user, target = operations.apply_launch(platform, claims)
    except LMSError as error:
        return _refused(error.message, error.status_code)
    login_user(user)
    session["lti_platform_id"] = platform.id
    return redirect(_landing(target))


def _from_disabled_platform(conf: DatabaseToolConf) -> bool:
    """The unverified token names a platform that is registered but disabled (only to choose
    the message: nothing else is read from a token that failed its checks)."""
    try:
        body = jwt.decode(request.form.get("id_token", ""), options={"verify_signature": False})
    except jwt.PyJWTError:
        return False
    platform = conf.platform(str(body.get("iss", "")), _audience(body))
    return platform is not None and not platform.enabled


def _audience(claims: dict) -> str | None:
    aud = claims.get("aud")
    return aud[0] if isinstance(aud, list) and aud else aud


def _landing(target: operations.Target) -> str:
    if target.lesson is not None:
        return url_for("lms_learning.lesson", course_slug=target.course.slug,
                       module_slug=target.module.slug, lesson_slug=target.lesson.slug)  # fmt: skip
    url = url_for("lms_learning.course", course_slug=target.course.slug)
    return url + (f"#module-{target.module.slug}" if target.module is not None else "")


login.csrf_exempt = True  # the platform posts it (the OIDC state and nonce protect it)
launch.csrf_exempt = True
