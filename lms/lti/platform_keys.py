"""The platforms' public keys (their JWKS), kept by this process (per application) for a while
instead of fetched at every launch. A token naming a key the kept set lacks (the platform rotated its keys) makes
the set fetched again, at most once every ``REFETCH`` seconds per platform (a stream of forged
tokens cannot turn the tool into a flood on the platform). A deep-linking request whose platform
accepts no resource link is let through the checks: the picker says why nothing can be chosen,
in the instructor's language (``deep_linking.refusal``), where pylti1p3 would refuse the launch
in English."""

from __future__ import annotations

import threading
import time

from flask import current_app
from pylti1p3.contrib.flask import FlaskMessageLaunch
from pylti1p3.exception import LtiException
from pylti1p3.message_validators.deep_link import DeepLinkMessageValidator

from .http import PlatformSession

#: how long a fetched key set serves (a rotation is noticed sooner: by its unknown kid)
KEEP = 3600.0
REFETCH = 10.0

STATE_KEY = "lti_platform_key_sets"
MESSAGE_TYPE = "https://purl.imsglobal.org/spec/lti/claim/message_type"
SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
_lock = threading.Lock()


def _sets() -> dict[str, tuple[float, dict]]:
    """Key set URL → (when fetched, the set), for this application."""
    return current_app.extensions["lms"].extra.setdefault(STATE_KEY, {})


def forget(key_set_url: str) -> None:
    """Drop the kept key set of one platform."""
    with _lock:
        _sets().pop(key_set_url, None)


def _kept(key_set_url: str) -> tuple[float, dict] | None:
    with _lock:
        return _sets().get(key_set_url)


class DeepLinkRequestValidator(DeepLinkMessageValidator):
    """pylti1p3's checks of a deep-linking request, but for its ``accept_types`` (left to the
    picker)."""

    def validate(self, jwt_body) -> bool:
        self.run_common_validators(jwt_body)
        if not isinstance(jwt_body.get(SETTINGS), dict) or not jwt_body[SETTINGS]:
            raise LtiException("Missing Deep Linking Settings")
        return True


class ToolMessageLaunch(FlaskMessageLaunch):
    """pylti1p3's Flask launch, with the platforms' key sets kept between launches (and fetched
    with a time limit)."""

    def __init__(self, request, tool_config, **kwargs) -> None:
        kwargs.setdefault("requests_session", PlatformSession())
        super().__init__(request, tool_config, **kwargs)

    def validate_message(self):
        body = self._get_jwt_body()
        if body.get(MESSAGE_TYPE) == "LtiDeepLinkingRequest":  # no other validator takes it
            DeepLinkRequestValidator().validate(body)
            return self
        return super().validate_message()

    def fetch_public_key(self, key_set_url: str):
        kept = _kept(key_set_url)
        if kept is not None and time.monotonic() - kept[0] < KEEP:
            return kept[1]
        key_set = super().fetch_public_key(key_set_url)
        with _lock:
            _sets()[key_set_url] = (time.monotonic(), key_set)
        return key_set

    def get_public_key(self):
        try:
            return super().get_public_key()
        except LtiException:
            url = self._registration.get_key_set_url() if self._registration else None
            kept = _kept(url) if url else None
            if kept is None or time.monotonic() - kept[0] < REFETCH:
                raise  # the set is fresh: the key is really unknown
            forget(url)
            self._registration.set_key_set(None)
            return super().get_public_key()
