"""The ``LMS_*`` configuration keys, their defaults, and the check that rejects misspelt keys."""

from __future__ import annotations

import difflib
import os
from typing import Any

from .errors import ConfigError

#: Every key the product reads, with its default. The README documents each one.
DEFAULTS: dict[str, Any] = {
    "LMS_SITE_NAME": "Académie citoyenne",
    "LMS_ENV": "development",
    "LMS_PUBLIC_URL": None,
    "LMS_LANGUAGES": ["fr", "en", "ar"],
    "LMS_DEFAULT_LANGUAGE": "fr",
    "LMS_PASSWORD_MIN_LENGTH": 10,
    "LMS_RESET_TOKEN_MAX_AGE": 3600,
    "LMS_INVITATION_MAX_AGE": 7 * 24 * 3600,
    "LMS_RATELIMIT_STORAGE_URI": "memory://",
    "LMS_LOGIN_LIMIT_PER_ACCOUNT": "5 per 15 minutes",
    "LMS_LOGIN_LIMIT_PER_ADDRESS": "20 per 15 minutes",
    "LMS_VERIFY_LIMIT": "30 per minute",
    "LMS_RESET_LIMIT": "5 per hour",
    "LMS_FRAME_ANCESTORS": "'none'",
    "LMS_MAIL_SENDER": "no-reply@localhost",
    "LMS_SMTP_HOST": None,
    "LMS_SMTP_PORT": 587,
    "LMS_SMTP_USERNAME": None,
    "LMS_SMTP_PASSWORD": None,
    "LMS_SMTP_STARTTLS": True,
    "LMS_UPLOAD_FOLDER": None,
    "LMS_UPLOAD_MAX_MB": 10,
    "LMS_PACK_UPLOAD_MAX_MB": 20,
    "LMS_KEY_FOLDER": None,
    "LMS_CELERY_BROKER_URL": None,
    "LMS_CELERY_QUEUE": "lms-jobs",
    "LMS_JOBS_BATCH_SIZE": 20,
    "LMS_JOBS_THREADS": 1,
    "LMS_JOBS_STALE_AFTER": 300,
    "LMS_USERS_PER_PAGE": 25,
    "LMS_CERTIFICATE_LOGOS": [],
}

#: Keys that ``create_app`` also reads from the environment (os.environ), with their type.
ENVIRONMENT_KEYS: dict[str, type] = {
    "LMS_SITE_NAME": str,
    "LMS_ENV": str,
    "LMS_PUBLIC_URL": str,
    "LMS_RATELIMIT_STORAGE_URI": str,
    "LMS_FRAME_ANCESTORS": str,
    "LMS_MAIL_SENDER": str,
    "LMS_SMTP_HOST": str,
    "LMS_SMTP_PORT": int,
    "LMS_SMTP_USERNAME": str,
    "LMS_SMTP_PASSWORD": str,
    "LMS_UPLOAD_FOLDER": str,
    "LMS_KEY_FOLDER": str,
    "LMS_CELERY_BROKER_URL": str,
    "LMS_CELERY_QUEUE": str,
    "LMS_JOBS_BATCH_SIZE": int,
    "LMS_JOBS_THREADS": int,
    "LMS_JOBS_STALE_AFTER": int,
}


def apply_defaults(config: dict[str, Any]) -> None:
    """Fill in the defaults, then refuse any ``LMS_*`` key the product does not know."""
    unknown = sorted(k for k in config if k.startswith("LMS_") and k not in DEFAULTS)
    if unknown:
        key = unknown[0]
        close = difflib.get_close_matches(key, DEFAULTS, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise ConfigError(f"Unknown configuration key {key}{hint}")
    for key, value in DEFAULTS.items():
        config.setdefault(key, value)
    if config["LMS_DEFAULT_LANGUAGE"] not in config["LMS_LANGUAGES"]:
        raise ConfigError(
            f"LMS_DEFAULT_LANGUAGE={config['LMS_DEFAULT_LANGUAGE']!r} is not one of "
            f"LMS_LANGUAGES={config['LMS_LANGUAGES']!r}"
        )


def from_environment(environ: os._Environ | dict[str, str] | None = None) -> dict[str, Any]:
    """The known ``LMS_*`` keys set in the environment (others, like LMS_TEST_*, are ignored)."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for key, kind in ENVIRONMENT_KEYS.items():
        if key in environ:
            try:
                values[key] = kind(environ[key])
            except ValueError as error:
                raise ConfigError(
                    f"The environment variable {key}={environ[key]!r} is not a valid {kind.__name__}"
                ) from error
    return values
