"""The Flask extension: ``LMS(app, url_prefix="/academy")`` or ``LMS().init_app(app)``."""

from __future__ import annotations

import hmac
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, redirect, request, url_for
from flask.cli import AppGroup
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from sqlalchemy import event, select

import certificates.bulk  # noqa: F401 — registers the certificates' kinds of job
import certificates.credentials.jobs  # noqa: F401 — and the credentials' back-fill
from certificates.blueprint import bp as certificates_bp
from certificates.listeners import connect as connect_certificate_listeners
from curriculum.db import db
from curriculum.signals import pack_imported
from lms.audit.operations import record_pack_import
from lms.circles.blueprint import bp as circles_bp
from lms.circles.consultations.blueprint import bp as consultations_bp
from lms.circles.indicators.blueprint import bp as indicators_bp
from lms.circles.journal.blueprint import bp as journal_bp
from lms.circles.showcase.blueprint import bp as showcase_bp
from lms.cohorts.blueprint import bp as cohorts_bp
from lms.cohorts.invitations import accept_on_activation
from lms.core.blueprint import bp as core_bp
from lms.core.navigation import template_globals
from lms.glossary.blueprint import bp as glossary_bp
from lms.jobs.blueprint import bp as jobs_bp
from lms.learning.blueprint import bp as learning_bp
from lms.lti import cookies as lti_cookies
from lms.lti import frames as lti_frames
from lms.lti.blueprint import bp as lti_bp
from lms.lti.grades import connect as connect_lti_grades
from lms.lti.platforms.blueprint import bp as lti_platforms_bp
from lms.lti.roster import connect as connect_lti_roster
from lms.lti.scores_admin.blueprint import bp as lti_scores_bp
from lms.messages.blueprint import bp as messages_bp
from lms.messages.queries import unread_count_column
from lms.offline.blueprint import bp as offline_bp
from lms.packs.blueprint import bp as packs_bp
from lms.push.blueprint import bp as push_bp
from lms.records.blueprint import bp as records_bp
from lms.records.listeners import connect as connect_records_listeners
from lms.reviews.blueprint import bp as reviews_bp
from lms.scorm.blueprint import bp as scorm_bp
from lms.sessions.blueprint import bp as sessions_bp
from lms.users.blueprint import bp as users_bp
from lms.users.models import User

from . import config as lms_config
from . import csrf
from .access import is_safe_redirect
from .boundary import end_of_request
from .cli import product_commands
from .errors import ConfigError, error_response, register_error_handlers, wants_json
from .i18n import TRANSLATIONS_DIR, select_locale
from .security import Throttle, security_headers
from .signals import account_activated
from .uploads import upload_request_limit

PACKAGE_DIR = Path(__file__).resolve().parent


@dataclass
class LMSState:
    """What the extension keeps per application (``app.extensions["lms"]``)."""

    url_prefix: str
    limiter: Limiter
    throttle: Throttle
    blueprint_names: set[str] = field(default_factory=set)
    instance_path: str = ""
    standalone: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    #: the threads that run jobs when no Celery broker is configured (created on first use)
    job_executor: ThreadPoolExecutor | None = None
    #: ``send_task(app, name, **options)``: hands a task to the Celery workers
    send_task: Callable[..., None] | None = None
    #: ``frame_ancestors(configured)``: the ``frame-ancestors`` sources of this response
    frame_ancestors: Callable[[str], str] | None = None


def _blueprints() -> list[Blueprint]:
    return [core_bp, users_bp, learning_bp, packs_bp, certificates_bp, cohorts_bp, sessions_bp,
            reviews_bp, messages_bp, jobs_bp, glossary_bp, scorm_bp, circles_bp,
            consultations_bp, offline_bp, lti_bp, records_bp,
            journal_bp, indicators_bp, showcase_bp, push_bp,
            lti_platforms_bp, lti_scores_bp]  # fmt: skip


def send_task(app: Flask, name: str, **options) -> None:
    """Hand a task to the Celery workers. Registered on the state, so that the job runner and the
    mail queue reach Celery without importing it (it is optional: only with a broker)."""
    from lms.jobs.celery_app import celery_for  # optional dependency: Celery

    celery_for(app).send_task(name, queue=app.config["LMS_CELERY_QUEUE"], **options)


class LMS:
    """The learning-management plugin.

    ``cli_group``: the name of the command group the product's commands are registered under in a
    host app (``flask lms ...``); ``None`` puts them at the top level (the standalone ``lms``).
    ``standalone``: the LMS is the whole site, so its error pages and security headers apply to
    every URL; in a host app they apply to the LMS's own views only.
    """

    def __init__(
        self,
        app: Flask | None = None,
        url_prefix: str = "",
        cli_group: str | None = "lms",
        standalone: bool = False,
    ):
        self.url_prefix = url_prefix.rstrip("/")
        self.cli_group = cli_group
        self.standalone = standalone
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask, url_prefix: str | None = None) -> None:
        prefix = self.url_prefix if url_prefix is None else url_prefix.rstrip("/")
        lms_config.apply_defaults(app.config)
        self._check_secrets(app)
        app.config.setdefault(
            "SQLALCHEMY_DATABASE_URI",
            "sqlite:///" + os.path.join(app.instance_path, "lms.sqlite3"),
        )
        # The largest upload the LMS accepts, plus room for the other form fields.
        largest_mb = max(app.config["LMS_UPLOAD_MAX_MB"], app.config["LMS_PACK_UPLOAD_MAX_MB"])
        if app.config.get("MAX_CONTENT_LENGTH") is None:  # Flask's default is None, not absent
            app.config["MAX_CONTENT_LENGTH"] = largest_mb * 1024 * 1024 + 64 * 1024

        if "sqlalchemy" not in app.extensions:
            db.init_app(app)
        with app.app_context():
            for engine in db.engines.values():
                if engine.dialect.name == "sqlite" and not event.contains(
                    engine, "connect", sqlite_pragmas
                ):
                    event.listen(engine, "connect", sqlite_pragmas)
                    event.listen(engine, "savepoint", sqlite_begin_before_savepoint)
        self._init_login(app)
        self._init_babel(app)
        lti_cookies.install(app)  # LTI sessions' cookies work inside a platform's iframe

        limiter = Limiter(
            get_remote_address,
            app=app,
            storage_uri=app.config["LMS_RATELIMIT_STORAGE_URI"],
            strategy="moving-window",
            default_limits=[],
        )
        state = LMSState(
            url_prefix=prefix,
            limiter=limiter,
            throttle=Throttle(limiter, key_prefix=app.config.get("RATELIMIT_KEY_PREFIX", "")),
            instance_path=app.instance_path,
            standalone=self.standalone,
            send_task=send_task,
            frame_ancestors=lti_frames.frame_ancestors,
        )
        app.extensions["lms"] = state

        for bp in _blueprints():
            app.register_blueprint(bp, url_prefix=prefix + (bp.url_prefix or ""))
            state.blueprint_names.add(bp.name)

        register_error_handlers(app, None if self.standalone else state.blueprint_names)
        app.before_request(upload_request_limit)  # before anything reads the form
        csrf.install(app)  # the token's lifetime, and its check on every LMS view
        # After-request functions run in reverse order: the commit (or rollback) comes last, once
        # the headers are set (they read the user, whom a commit would expire and reload).
        app.after_request(end_of_request)
        app.after_request(security_headers)
        if self.standalone:
            app.context_processor(template_globals)
        else:  # on the LMS's pages only, after (so over) the host's own context processors
            for name in state.blueprint_names:
                app.template_context_processors[name].append(template_globals)
        self._connect_signals(app)
        self._register_cli(app)

    # -- set-up helpers ------------------------------------------------------------------------

    @staticmethod
    def _check_secrets(app: Flask) -> None:
        production = app.config["LMS_ENV"] == "production"
        if production:
            if not app.config.get("SECRET_KEY"):
                raise ConfigError("SECRET_KEY must be set when LMS_ENV=production")
            # E-mailed links (password reset, invitations) must not follow a forged Host header.
            if not app.config.get("LMS_PUBLIC_URL"):
                raise ConfigError("LMS_PUBLIC_URL must be set when LMS_ENV=production")
            # Flask's own defaults (False / None) are already in the config, so setdefault
            # would change nothing: production means HTTPS, the session cookie is Secure.
            app.config["SESSION_COOKIE_SECURE"] = True
            app.config.setdefault("REMEMBER_COOKIE_SECURE", True)
        app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
        if app.config.get("SESSION_COOKIE_SAMESITE") is None:
            app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
        app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
        # Flask-Login's default is a year; the cookie stops working earlier when the account's
        # session token changes (logout, "log out everywhere", a new password).
        app.config.setdefault(
            "REMEMBER_COOKIE_DURATION", timedelta(days=app.config["LMS_REMEMBER_DAYS"])
        )
        app.config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")

    @staticmethod
    def _init_login(app: Flask) -> None:
        if getattr(app, "login_manager", None) is not None:
            return
        manager = LoginManager(app)
        manager.login_view = "lms_users.login"
        manager.login_message = None
        manager.session_protection = "basic"

        @manager.unauthorized_handler
        def unauthorized():
            # HTML: to the login page and back; JSON clients get a plain 401.
            if wants_json():
                return error_response(401)
            target = request.full_path.rstrip("?")
            return redirect(
                url_for("lms_users.login", next=target if is_safe_redirect(target) else None)
            )

        @manager.user_loader
        def load_user(session_id: str):
            # The unread-notification count of the menu comes in the same query as the user.
            # "<id>.<session token>": a new token (logout, "log out everywhere", a new password)
            # ends every session and remember-me cookie of the account.
            user_id, _dot, token = session_id.partition(".")
            if not user_id.isdigit():
                return None
            row = (
                db.session.execute(
                    select(User, unread_count_column()).where(User.id == int(user_id))
                )
                .unique()
                .first()
            )
            if row is None or not hmac.compare_digest(
                row[0].session_token.encode(), token.encode()
            ):
                return None
            user, row_unread = row
            user.unread_notifications = row_unread
            return user

    @staticmethod
    def _init_babel(app: Flask) -> None:
        app.config.setdefault("BABEL_DEFAULT_LOCALE", app.config["LMS_DEFAULT_LANGUAGE"])
        babel = app.extensions.get("babel")
        if babel is None:
            app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS_DIR))
            Babel(app, locale_selector=select_locale)
        else:
            # A host with its own Flask-Babel: add our catalogues after the host's.
            babel.translation_directories.append(str(TRANSLATIONS_DIR))

    @staticmethod
    def _connect_signals(app: Flask) -> None:
        connect_certificate_listeners(app)
        connect_records_listeners(app)
        connect_lti_grades(app)
        connect_lti_roster(app)
        pack_imported.connect(record_pack_import, sender=app, weak=False)
        account_activated.connect(accept_on_activation, sender=app, weak=False)

    def _register_cli(self, app: Flask) -> None:
        commands = product_commands()
        if self.cli_group is None:
            for command in commands:
                app.cli.add_command(command)
        else:
            group = AppGroup(self.cli_group, help="The learning-management plugin's commands.")
            for command in commands:
                group.add_command(command)
            app.cli.add_command(group)


def sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """SQLite: enforce foreign keys; write-ahead log for files (readers never block the writer)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode")
    if cursor.fetchone()[0] != "memory":
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def sqlite_begin_before_savepoint(connection, name) -> None:
    """SQLite: open the transaction before a SAVEPOINT (``begin_nested``).

    Python's sqlite3 only sends BEGIN before an INSERT/UPDATE/DELETE. A SAVEPOINT sent first
    starts a transaction of its own, and releasing it COMMITS: the request could no longer be
    rolled back. An explicit BEGIN makes the savepoint nest inside the request's transaction.
    """
    dbapi_connection = connection.connection.dbapi_connection
    if not dbapi_connection.in_transaction:
        dbapi_connection.execute("BEGIN")
