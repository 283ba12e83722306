"""LTI Dynamic Registration 1.0, the tool's side.

A platform's administrator pastes a one-time registration link (Admin › LTI platforms) into the
platform, which opens it with the address of its OpenID configuration and a registration token.
The tool reads that configuration, posts its own configuration (pylti1p3's
``DynamicRegistration`` data, with this site's URLs) to the platform's registration endpoint,
and keeps the answer (client id, deployment id) as a registered platform — the same row as a
registration by hand, updated when the issuer and client id are already known. Everything is
written in the request's one transaction, after the platform has answered: a refusal anywhere
leaves nothing behind, and the link stays usable.
"""

from __future__ import annotations

import ipaddress
import json
from urllib.parse import urlsplit

import requests
from flask import current_app, url_for
from flask_babel import gettext as _
from pylti1p3.dynamic_registration import DynamicRegistration
from sqlalchemy import select, update

from curriculum.db import db, utcnow
from lms.audit.operations import record
from lms.errors import InvalidInput, LMSError, NotFound
from lms.net import all_public
from lms.security import throttle

from .models import LtiPlatform, LtiRegistrationLink, web_origins
from .platforms.operations import FIELDS, create_platform, update_platform

PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
]
CLAIMS = ["iss", "sub", "name", "given_name", "family_name", "email", "locale"]
ENDPOINTS = ("authorization_endpoint", "token_endpoint", "jwks_uri", "registration_endpoint")
#: seconds to connect, seconds to read: the platform's administrator is waiting
TIMEOUT = (5, 10)
MAX_ANSWER_BYTES = 1_000_000


#: tries of one link (each makes the server call the address it is given): a link that leaked
#: cannot be used to make the server call address after address
ATTEMPTS = "10 per hour"


class TooManyAttempts(LMSError):
    status_code = 429


class RegistrationRefused(InvalidInput):
    """The link, the platform's configuration or its answer cannot be used: nothing is kept."""


class ToolRegistration(DynamicRegistration):
    """What the tool tells the platform about itself (the spec's client registration request)."""

    def get_client_name(self) -> str:
        return current_app.config["LMS_SITE_NAME"]

    def get_description(self) -> str:
        return _("Masterclasses, trainers' dashboards and certificates, opened from your courses.")

    def get_initiate_login_uri(self) -> str:
        return url_for("lms_lti.login", _external=True)

    def get_jwks_uri(self) -> str:
        return url_for("lms_lti.jwks", _external=True)

    def get_target_link_uri(self) -> str:
        return url_for("lms_lti.launch", _external=True)

    def get_redirect_uris(self) -> list[str]:
        return [self.get_target_link_uri()]

    def get_scopes(self) -> list[str]:
        return SCOPES

    def get_domain(self) -> str:
        return urlsplit(self.get_target_link_uri()).netloc

    def get_claims(self) -> list[str]:
        return CLAIMS

    def get_messages(self) -> list[dict]:
        site = self.get_client_name()
        # One launch endpoint answers both messages (a deep-linking request opens the picker).
        # ``placements`` are where Canvas shows each (Moodle and others ignore them): the course
        # menu, and the pickers of a module item, an assignment and the rich-text editor.
        return [
            {"type": "LtiResourceLinkRequest", "target_link_uri": self.get_target_link_uri(),
             "label": site, "placements": ["course_navigation"]},
            {"type": "LtiDeepLinkingRequest", "target_link_uri": self.get_target_link_uri(),
             "label": _("Choose from %(site)s", site=site),
             "placements": ["link_selection", "assignment_selection", "editor_button"]},
        ]  # fmt: skip

    def get_logo_uri(self) -> str:
        return url_for("lms_core.static", filename="icon-192.png", _external=True)

    def lti_registration_data(self) -> dict:
        data = super().lti_registration_data()
        # Canvas sends names and e-mails only to tools that ask for them
        data[TOOL_CONFIGURATION]["https://canvas.instructure.com/lti/privacy_level"] = "public"
        return data


def loopback_http_allowed() -> bool:
    """Plain http to this machine, for a platform run beside the tool (tests, development)."""
    app = current_app
    return app.testing or app.debug or app.config["LMS_ENV"] != "production"


def usable_url(url: object, allow_loopback_http: bool) -> bool:
    """An https address on the internet (or, when allowed, any https address and http to a
    loopback host), without credentials or fragment, of a sensible length."""
    if not isinstance(url, str) or len(url) > 1000 or " " in url:
        return False
    parts = urlsplit(url)
    if not parts.hostname or parts.fragment or parts.username or parts.password:
        return False
    if parts.scheme == "https":
        # the server fetches and posts to it: never a host of its own network (in production)
        return allow_loopback_http or all_public(parts.hostname, parts.port or 443) is True
    return parts.scheme == "http" and allow_loopback_http and _is_loopback(parts.hostname)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def origin(url: str) -> tuple[str, str, int | None]:
    """Scheme, host and port (default ports written out), to compare two addresses."""
    parts = urlsplit(url)
    port = parts.port or {"https": 443, "http": 80}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


def usable_link(token: str) -> LtiRegistrationLink:
    """The waiting link of ``token`` (unknown, used, revoked or expired: refused)."""
    link = db.session.scalar(
        select(LtiRegistrationLink).where(
            LtiRegistrationLink.token_hash == LtiRegistrationLink.digest(token)
        )
    )
    if link is None:
        raise NotFound(_("This registration link is unknown. Ask the administrator of the tool "
                         "for a new one."))  # fmt: skip
    state = link.state(utcnow())
    if state == "used":
        raise RegistrationRefused(_("This registration link has already been used. Ask the "
                                    "administrator of the tool for a new one."))  # fmt: skip
    if state == "revoked":
        raise RegistrationRefused(_("This registration link was revoked. Ask the administrator "
                                    "of the tool for a new one."))  # fmt: skip
    if state == "expired":
        raise RegistrationRefused(_("This registration link has expired. Ask the administrator "
                                    "of the tool for a new one."))  # fmt: skip
    return link


def _messages(step: str) -> dict[str, str]:
    """What to say when a call to the platform fails, for each step (whole sentences)."""
    if step == "configuration":
        return {
            "unreachable": _("The platform's OpenID configuration could not be read: %(reason)s."),
            "status": _("The platform's OpenID configuration answered with an error (HTTP "
                        "%(status)s). %(detail)s"),
            "json": _("The platform's OpenID configuration is not a JSON object."),
        }  # fmt: skip
    return {
        "unreachable": _("The platform's registration endpoint could not be reached: "
                         "%(reason)s."),
        "status": _("The platform refused the registration (HTTP %(status)s). %(detail)s"),
        "json": _("The platform's answer to the registration is not a JSON object."),
    }  # fmt: skip


def _call(method: str, url: str, step: str, **kwargs) -> dict:
    """The platform's JSON answer (no redirect followed: its address was checked)."""
    messages = _messages(step)
    try:
        with requests.request(method, url, timeout=TIMEOUT, allow_redirects=False, stream=True,
                              **kwargs) as response:  # fmt: skip
            body = response.raw.read(MAX_ANSWER_BYTES + 1, decode_content=True)
            status = response.status_code
    except (requests.RequestException, OSError) as error:
        reason = type(error).__name__
        raise RegistrationRefused(messages["unreachable"] % {"reason": reason}) from error
    if len(body) > MAX_ANSWER_BYTES:
        raise RegistrationRefused(_("The platform's answer is too large."))
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if not 200 <= status < 300:
        detail = ""
        if isinstance(data, dict):
            detail = str(data.get("error_description") or data.get("error") or "")[:300]
        raise RegistrationRefused(messages["status"] % {"status": status, "detail": detail})
    if not isinstance(data, dict):
        raise RegistrationRefused(messages["json"])
    return data


def platform_configuration(url: str, registration_token: str | None = None) -> dict:
    """The platform's OpenID configuration, checked: its issuer is on the same origin as the
    address it was read from (the spec's rule against a configuration that names another
    platform), and every endpoint the tool needs is a usable address."""
    allow_http = loopback_http_allowed()
    if not url:
        raise RegistrationRefused(_("The platform did not say where its OpenID configuration is "
                                    "(openid_configuration). Paste the link into the platform's "
                                    "tool registration page, not into a browser."))  # fmt: skip
    if not usable_url(url, allow_http):
        raise RegistrationRefused(
            _(
                "The platform's OpenID configuration is not at a secure (https) address: %(url)s",
                url=url[:300],
            )  # fmt: skip
        )
    headers = {"Accept": "application/json"}
    if registration_token:  # Canvas: the token also gives access to the configuration
        headers["Authorization"] = f"Bearer {registration_token}"
    config = _call("GET", url, "configuration", headers=headers)
    issuer = config.get("issuer")
    if not usable_url(issuer, allow_http) or len(issuer) > 500 or urlsplit(issuer).query:
        raise RegistrationRefused(_("The platform's OpenID configuration has no usable issuer."))
    if origin(issuer) != origin(url):
        raise RegistrationRefused(
            _("The platform's issuer (%(issuer)s) is not the site its OpenID configuration was "
              "read from (%(url)s): the registration is refused.", issuer=issuer, url=url[:300])
        )  # fmt: skip
    for key in ENDPOINTS:
        if not usable_url(config.get(key), allow_http):
            raise RegistrationRefused(
                _("The platform's OpenID configuration has no usable %(field)s.", field=key)
            )
    if not isinstance(config.get(PLATFORM_CONFIGURATION), dict):
        raise RegistrationRefused(
            _("The platform's OpenID configuration is not an LTI platform configuration.")
        )
    return config


def _registered_ids(answer: dict) -> tuple[str, str | None]:
    """The client id and deployment id the platform assigned (checked)."""
    client_id = answer.get("client_id")
    if isinstance(client_id, int) and not isinstance(client_id, bool):
        client_id = str(client_id)
    if not isinstance(client_id, str) or not client_id.strip() or len(client_id) > 200:
        raise RegistrationRefused(_("The platform's answer to the registration has no client id."))
    tool = answer.get(TOOL_CONFIGURATION)
    if not isinstance(tool, dict):
        raise RegistrationRefused(
            _("The platform's answer to the registration has no LTI tool configuration.")
        )
    deployment = tool.get("deployment_id")
    if isinstance(deployment, int) and not isinstance(deployment, bool):
        deployment = str(deployment)
    if deployment is not None and (not isinstance(deployment, str) or len(deployment) > 255):
        raise RegistrationRefused(
            _("The platform's answer to the registration has an unusable deployment id.")
        )
    return client_id.strip(), (deployment or None)


def register(token: str, configuration_url: str, registration_token: str | None,
             framed_from: str | None = None) -> LtiPlatform:  # fmt: skip
    """Register the platform that opened the link of ``token`` (or update its registration);
    the link is used up. Raises ``RegistrationRefused`` / ``NotFound`` before writing anything.

    ``framed_from`` is the page that opened the link (its ``Origin`` or ``Referer``): Canvas
    frames the tool from the institution's own domain, which its configuration does not name;
    it becomes one of the platform's frame origins."""
    link = usable_link(token)
    if not throttle().allow(ATTEMPTS, f"lti-registration-link:{link.id}"):
        raise TooManyAttempts(_("This registration link was tried too many times in the last "
                                "hour. Try again later, or ask for a new link."))  # fmt: skip
    config = platform_configuration(configuration_url, registration_token)
    headers = {"Accept": "application/json", "Content-Type": "application/json"}
    if registration_token:
        headers["Authorization"] = f"Bearer {registration_token}"
    payload = json.dumps(ToolRegistration().lti_registration_data())
    answer = _call("POST", config["registration_endpoint"], "registration", headers=headers,
                   data=payload)  # fmt: skip
    client_id, deployment = _registered_ids(answer)
    platform = _save(link, config, client_id, deployment, _frame_origin(framed_from))
    claimed = db.session.execute(
        update(LtiRegistrationLink)
        .where(
            LtiRegistrationLink.id == link.id,
            LtiRegistrationLink.used_at.is_(None),
            LtiRegistrationLink.revoked_at.is_(None),
        )  # fmt: skip
        .values(used_at=utcnow(), platform_id=platform.id)
    )
    if claimed.rowcount != 1:  # another request used it meanwhile: its registration stands
        raise RegistrationRefused(_("This registration link has already been used. Ask the "
                                    "administrator of the tool for a new one."))  # fmt: skip
    record(link.created_by, "lti.registration_link_used", "lti_registration_link", link.id,
           platform_id=platform.id, issuer=platform.issuer)  # fmt: skip
    return platform


def _frame_origin(address: str | None) -> list[str]:
    if not address or not usable_url(address, loopback_http_allowed()):
        return []
    return web_origins(address)


def _save(link: LtiRegistrationLink, config: dict, client_id: str, deployment: str | None,
          framed_from: list[str]) -> LtiPlatform:  # fmt: skip
    values = {
        "issuer": config["issuer"],
        "client_id": client_id,
        "auth_login_url": config["authorization_endpoint"],
        "auth_token_url": config["token_endpoint"],
        "key_set_url": config["jwks_uri"],
    }
    existing = db.session.scalar(
        select(LtiPlatform).where(
            LtiPlatform.issuer == values["issuer"], LtiPlatform.client_id == client_id
        )
    )
    if existing is not None:
        deployments = list(existing.deployment_ids or [])
        if deployment and deployment not in deployments:
            deployments.append(deployment)
        current = {key: getattr(existing, key) for key in FIELDS}
        frames = list(dict.fromkeys([*(existing.frame_origins or []), *framed_from]))
        return update_platform(link.created_by, existing, {**current, **values,
                               "deployment_ids": deployments, "frame_origins": frames})  # fmt: skip
    values.update(name=_name(link, config), deployment_ids=[deployment] if deployment else [],
                  frame_origins=framed_from)  # fmt: skip
    return create_platform(link.created_by, values, registered_by="dynamic")


def _name(link: LtiRegistrationLink, config: dict) -> str:
    """The label the administrator gave the link, else the product and host of the platform."""
    if link.label:
        return link.label
    product = str(config[PLATFORM_CONFIGURATION].get("product_family_code") or "").strip()
    host = urlsplit(config["issuer"]).netloc
    return (f"{product} ({host})" if product else host)[:200]
