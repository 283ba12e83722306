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
    "LMS_LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS": "5 per 15 minutes",
    "LMS_LOGIN_LIMIT_PER_ADDRESS": "20 per 15 minutes",
    "LMS_LOGIN_LIMIT_PER_ACCOUNT": "50 per hour",
    "LMS_REMEMBER_DAYS": 30,
    "LMS_HSTS_SECONDS": 365 * 24 * 3600,
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
    "LMS_SCORM_FOLDER": None,
    "LMS_SCORM_UPLOAD_MAX_MB": 200,
    "LMS_SCORM_MAX_UNZIPPED_MB": 500,
    "LMS_GLOSSARY_PATH": None,
    "LMS_KEY_FOLDER": None,
    "LMS_CELERY_BROKER_URL": None,
    "LMS_CELERY_QUEUE": "lms-jobs",
    "LMS_JOBS_BATCH_SIZE": 20,
    "LMS_JOBS_THREADS": 1,
    "LMS_JOBS_STALE_AFTER": 300,
    "LMS_USERS_PER_PAGE": 25,
    "LMS_CERTIFICATE_LOGOS": [],
    "LMS_UPLOAD_REQUEST_MAX_MB": 100,
    "LMS_PROXY_FIX": 0,
    "LMS_XAPI_ENDPOINT": None,
    "LMS_XAPI_USERNAME": None,
    "LMS_XAPI_PASSWORD": None,
    "LMS_XAPI_ACTOR": "account",
    "LMS_XAPI_BATCH_SIZE": 500,
    "LMS_XAPI_BACKOFF_SECONDS": 30,
    "LMS_CONSULTATION_ANSWER_LIMIT": "30 per hour",
    "LMS_PUSH_CONTACT": None,
    "LMS_PUSH_INSECURE_ENDPOINTS": False,
}

#: The type of the keys whose default is ``None`` (the others take the type of their default).
TYPES: dict[str, type] = {
    "LMS_PUBLIC_URL": str,
    "LMS_SMTP_HOST": str,
    "LMS_SMTP_USERNAME": str,
    "LMS_SMTP_PASSWORD": str,
    "LMS_UPLOAD_FOLDER": str,
    "LMS_GLOSSARY_PATH": str,
    "LMS_SCORM_FOLDER": str,
    "LMS_KEY_FOLDER": str,
    "LMS_CELERY_BROKER_URL": str,
    "LMS_PROXY_FIX": int,
    "LMS_XAPI_ENDPOINT": str,
    "LMS_XAPI_USERNAME": str,
    "LMS_XAPI_PASSWORD": str,
    "LMS_PUSH_CONTACT": str,
}

#: ``LMS_*`` environment variables that are not configuration keys: they are read by the
#: command line, the test suite or the benchmarks.
NOT_CONFIGURATION = ("LMS_INSTANCE_PATH", "LMS_DEMO_PASSWORD")
NOT_CONFIGURATION_PREFIXES = ("LMS_TEST_", "LMS_BENCH_", "LMS_LOAD_", "LMS_SCREENSHOTS")

ENVIRONMENTS = ("development", "production")


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
    if config["LMS_ENV"] not in ENVIRONMENTS:
        raise ConfigError(f"LMS_ENV={config['LMS_ENV']!r} must be one of {', '.join(ENVIRONMENTS)}")
    if config["LMS_XAPI_ACTOR"] not in ("account", "mbox"):
        raise ConfigError(f"LMS_XAPI_ACTOR={config['LMS_XAPI_ACTOR']!r} must be account or mbox")
    if config["LMS_DEFAULT_LANGUAGE"] not in config["LMS_LANGUAGES"]:
        raise ConfigError(
            f"LMS_DEFAULT_LANGUAGE={config['LMS_DEFAULT_LANGUAGE']!r} is not one of "
            f"LMS_LANGUAGES={config['LMS_LANGUAGES']!r}"
        )


def from_environment(environ: os._Environ | dict[str, str] | None = None) -> dict[str, Any]:
    """Every ``LMS_*`` key set in the environment, parsed to the type of its default.

    Numbers are integers, booleans ``true``/``false`` (also ``1``/``0``, ``yes``/``no``), lists
    comma-separated (``LMS_LANGUAGES=fr,ar``). A misspelt ``LMS_*`` variable stops the app and
    is named, as a misspelt key in the configuration does.
    """
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for key in sorted(k for k in environ if k.startswith("LMS_")):
        if key in NOT_CONFIGURATION or key.startswith(NOT_CONFIGURATION_PREFIXES):
            continue
        if key not in DEFAULTS:
            close = difflib.get_close_matches(key, DEFAULTS, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise ConfigError(f"Unknown environment variable {key}{hint}")
        values[key] = _parse(key, environ[key])
    return values


def _parse(key: str, text: str) -> Any:
    default = DEFAULTS[key]
    kind = TYPES.get(key) or type(default)
    text = text.strip()
    if kind is bool:
        lowered = text.lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise ConfigError(f"The environment variable {key}={text!r} must be true or false")
    if kind is list:
        return [item.strip() for item in text.split(",") if item.strip()]
    if kind is int:
        try:
            return int(text)
        except ValueError:
            raise ConfigError(
                f"The environment variable {key}={text!r} is not a whole number"
            ) from None
    return text


def uses_celery(app) -> bool:
    """Long jobs and mail batches go to Celery workers (a broker is configured)."""
    return bool(app.config.get("LMS_CELERY_BROKER_URL"))
