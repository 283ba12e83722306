"""Why a login initiation or a launch was refused, in the reader's language.

pylti1p3 says why in English, for developers (and sometimes with a URL or a key id): that text is
logged, and the page says one of our own translated reasons instead, chosen by the kind of
failure. A failure nobody foresaw gets a general reason (and its text still goes to the log)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask_babel import gettext as _

from lms.errors import InvalidInput

log = logging.getLogger("lms.lti")


class BadLaunch(InvalidInput):
    """A launch the tool refuses (its message says why)."""


def _again() -> str:
    return _("Open the link again from your platform.")


#: (a piece of pylti1p3's message, lower case) → our reason; the first that matches wins
LAUNCH_REASONS: list[tuple[tuple[str, ...], Callable[[], str]]] = [
    (("signature has expired",),
     lambda: _("The platform's message has expired (it is valid only a few minutes).")),
    (("invalid nonce", '"nonce" field', "state not found", "missing state", "missing cookie"),
     lambda: _("This launch was already used, or it did not start in this browser.")),
    (('"deployment_id" field',),
     lambda: _("The launch does not say which deployment of the tool it comes from.")),
    (("deployment",), lambda: _("This deployment of the tool is not registered here.")),
    (("registration not found", "client id not registered", "invalid audience"),
     lambda: _("This platform (or this client ID) is not registered here.")),
    (("signature verification failed", "unable to find public key", "jwt kid", "jwt alg",
      "public key", "pem format"),
     lambda: _("The platform's signature could not be checked.")),
    (("must have a user",), lambda: _("The platform did not say who is launching (no subject).")),
    (("incorrect version",), lambda: _("This launch is not an LTI 1.3 launch (its version is missing or wrong).")),
    (("missing roles claim",), lambda: _("The platform did not send the person's roles.")),
    (("message type", "validator conflict"),
     lambda: _("This kind of LTI message is not supported here.")),
    (("resource link id",), lambda: _("The launch does not say which link was opened.")),
    (("deep linking", "presentation type", "placement types"),
     lambda: _("The platform's request to add content is incomplete.")),
    (("id_token", "jwt", "decode"), lambda: _("The platform's message is not a valid LTI token.")),
]  # fmt: skip

LOGIN_REASONS: list[tuple[tuple[str, ...], Callable[[], str]]] = [
    (("registration",), lambda: _("This platform (or this client ID) is not registered here.")),
    (
        ("issuer", "login hint", "launch url"),
        lambda: _("This login request misses the issuer, the login hint or the target."),
    ),
]


def _reason(error: Exception, reasons, fallback: Callable[[], str], what: str) -> str:
    text = str(error)
    log.info("LTI %s refused: %s: %s", what, type(error).__name__, text)
    lowered = text.lower()
    for pieces, reason in reasons:
        if any(piece in lowered for piece in pieces):
            return reason()
    return fallback()


def launch_refusal(error: Exception) -> str:
    """The page's message for a launch pylti1p3 refused."""
    reason = _reason(error, LAUNCH_REASONS,
                     lambda: _("The platform's message could not be checked."), "launch")  # fmt: skip
    return _("This launch was refused: %(reason)s", reason=reason) + " " + _again()


def login_refusal(error: Exception) -> str:
    """The page's message for a login initiation pylti1p3 refused."""
    reason = _reason(error, LOGIN_REASONS,
                     lambda: _("The platform's request could not be checked."), "login")  # fmt: skip
    return _("The login request was refused: %(reason)s", reason=reason)
