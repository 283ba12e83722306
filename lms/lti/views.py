"""The tool's endpoints: its JWKS, LTI Dynamic Registration, OIDC login initiation and the launch
(thin: pylti1p3 checks the messages, ``operations`` and ``registration`` apply them), and the
page of a launch waiting for its person's choice of account (``accounts``). A refused launch is
an error page that says why (``refusals``: in the reader's language), with status 400/403, so the
request's transaction rolls back and nothing is created."""

from __future__ import annotations

from urllib.parse import urlsplit

import jwt
from flask import (
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from pylti1p3.contrib.flask import FlaskRequest
from pylti1p3.exception import LtiException, OIDCException

from lms.access import STAFF, role_required
from lms.boundary import attempt
from lms.cohorts.queries import managed_cohort
from lms.errors import InvalidInput, LMSError, error_response
from lms.i18n import current_language

from . import accounts, deep_linking, keys, nonces, operations, refusals, registration, roster
from .cookies import LtiOIDCLogin, begin_lti_session
from .forms import ChooseAccountForm
from .frames import frame_ancestors, registration_frame_ancestors
from .platform_keys import ToolMessageLaunch
from .tool_config import DatabaseToolConf


def jwks():
    response = jsonify(keys.jwks())
    response.cache_control.max_age = 300
    return response


def _refused(message: str, status: int = 400):
    return error_response(status, message)


def register(token: str):
    """LTI Dynamic Registration: the platform opens the one-time link (in a frame or a window)
    with the address of its OpenID configuration and its registration token."""
    try:
        platform = registration.register(token, request.args.get("openid_configuration", ""),
                                         request.args.get("registration_token"),
                                         request.headers.get("Origin") or request.referrer)  # fmt: skip
    except LMSError as error:
        response = make_response(_refused(error.message, error.status_code))
    else:
        response = make_response(render_template("lms/lti/registered.html", platform=platform))
    # framed by the platform that opened it: the origin of the configuration it named, only
    ancestors = registration_frame_ancestors(request.args.get("openid_configuration"))
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors {ancestors}"
    )
    response.headers["Cache-Control"] = "no-store"
    return response


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
        oidc = LtiOIDCLogin(conf)
        begin_lti_session()  # its cookies work in the platform's frame (lms/lti/cookies.py)
        return oidc.redirect(url_for("lms_lti.launch", _external=True))
    except (LtiException, OIDCException) as error:
        return _refused(refusals.login_refusal(error))


def _forget_nonce(claims: dict) -> None:
    """A nonce serves once (on the server too: ``nonces``): the session forgets it as well."""
    session.pop(f"lti1p3-nonce-{claims.get('nonce')}", None)


def launch():
    conf = DatabaseToolConf()
    try:
        message = ToolMessageLaunch(FlaskRequest(), conf)
        claims = message.get_launch_data()
    except (LtiException, OIDCException, KeyError, ValueError) as error:
        if _from_disabled_platform(conf):
            return _refused(_("This platform is disabled: ask its administrator."), 403)
        return _refused(refusals.launch_refusal(error))
    platform = conf.platform(claims.get("iss"), _audience(claims))
    if platform is None or not platform.enabled:
        return _refused(_("This platform is disabled: ask its administrator."), 403)
    try:
        nonces.use_once(platform, claims)
        _forget_nonce(claims)
        if message.is_deep_link_launch():
            deployment_id = str(claims.get(operations.CLAIM + "deployment_id"))
            deep_linking.start(platform, claims, deployment_id)
            return redirect(url_for("lms_lti.deep_link"))
        launched = operations.apply_launch(platform, claims)
    except LMSError as error:
        return _refused(error.message, error.status_code)
    if launched.user is None and current_user.is_authenticated:
        logout_user()  # whoever used this browser before: not the person who chooses now
    begin_lti_session()
    session["lti_platform_id"] = platform.id
    if launched.user is None:  # the platform's e-mail has an account here: the person chooses
        session[accounts.PENDING_KEY] = launched.pending
        return redirect(url_for("lms_lti.choose_account"))
    return _signed_in(launched)


def _signed_in(launched: operations.Launch):
    login_user(launched.user)
    begin_lti_session()
    if launched.note:
        flash(launched.note, "info")
    return redirect(_landing(launched.target))


def choose_account():
    """Link the account that has the platform's e-mail (its password), or a new account."""
    pending = accounts.pending_launch(session.get(accounts.PENDING_KEY))
    form, status = ChooseAccountForm(), 200
    if form.validate_on_submit():
        password = form.password.data if form.link.data else None
        with attempt(form.password) as done:
            user = accounts.choose(pending, password, request.remote_addr)
        if done:
            session.pop(accounts.PENDING_KEY, None)
            return _signed_in(operations.finish_launch(pending.platform, pending.claims, user))
        status = done.status
    elif form.errors:
        status = 400
    return render_template("lms/lti/choose_account.html", form=form, pending=pending,
                           too_many=status == 429), status  # fmt: skip


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


def deep_link():
    """The picker (GET, searchable) and the signed answer to the platform (POST)."""
    pending = deep_linking.pending()
    language = current_language()
    query = request.args.get("q", "")[:100]
    if request.method == "GET":
        return _picker(pending, language, query)
    try:
        items = deep_linking.chosen_items(pending, request.form.getlist("item"), language)
    except InvalidInput as error:
        return _picker(pending, language, query, error.message), 400
    return_url, token = deep_linking.response(pending, items)
    session.pop(deep_linking.SESSION_KEY, None)
    response = make_response(render_template("lms/lti/deep_link_return.html",
                                             return_url=return_url, token=token, items=items))  # fmt: skip
    # the form posts to the platform: only its return URL's origin is added to form-action
    parts = urlsplit(return_url)
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"object-src 'none'; base-uri 'self'; form-action 'self' {parts.scheme}://{parts.netloc}; "
        f"frame-ancestors {frame_ancestors(current_app.config['LMS_FRAME_ANCESTORS'])}"
    )
    return response


def _picker(pending: dict, language: str, query: str, error: str | None = None):
    """The catalogue to choose from; only why not, where the platform takes no resource link."""
    refused = deep_linking.refusal(pending)
    items = [] if refused else deep_linking.catalogue(language, query)
    return render_template("lms/lti/deep_link.html", query=query, error=error or refused,
                           refused=bool(refused), context_title=pending["title"], items=items,
                           multiple=deep_linking.accepts_multiple(pending))  # fmt: skip


def lti_roster_available(cohort) -> bool:
    """The roster page offers the platform's members to a trainer who launched from it."""
    platform_id = session.get("lti_platform_id")
    return platform_id is not None and roster.has_members_service(cohort, platform_id)


@role_required(*STAFF)
def import_roster(cohort_id: int):
    """Import the platform's members into the cohort: to the roster preview (confirm there)."""
    cohort = managed_cohort(cohort_id, current_user)
    context = roster.linked_context(cohort, session.get("lti_platform_id"))
    imported = roster.import_members(current_user, cohort, context)
    return redirect(url_for("lms_cohorts.roster_preview", cohort_id=cohort.id,
                            import_id=imported.id))  # fmt: skip


login.csrf_exempt = True  # the platform posts it (the OIDC state and nonce protect it)
launch.csrf_exempt = True
