"""The standalone application: ``lms.create_app()``."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask
from flask.cli import FlaskGroup
from flask_migrate import Migrate
from sqlalchemy.orm import configure_mappers
from werkzeug.middleware.proxy_fix import ProxyFix

import lms.models  # noqa: F401 — every table, so the mappers below are complete
from curriculum.db import db

from .config import from_environment
from .extension import LMS
from .migrate import MIGRATIONS_DIR


def database_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` as PostgreSQL with psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _development_secret(instance_path: str) -> str:
    """A secret key generated once into the instance folder (never committed)."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def create_app(
    test_config: dict[str, Any] | None = None, instance_path: str | None = None
) -> Flask:
    """The standalone app. ``instance_path`` (or ``LMS_INSTANCE_PATH``) holds the SQLite
    database, the secret key, the signing keys and the uploads."""
    app = Flask(
        "lms",
        instance_path=instance_path or os.environ.get("LMS_INSTANCE_PATH") or None,
        instance_relative_config=True,
        static_folder=None,
    )
    os.makedirs(app.instance_path, exist_ok=True)

    app.config.update(from_environment())
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = database_url(os.environ["DATABASE_URL"])
    if os.environ.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    if test_config:
        app.config.update(test_config)
    if "SQLALCHEMY_DATABASE_URI" in app.config:
        app.config["SQLALCHEMY_DATABASE_URI"] = database_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if (
        not app.config.get("SECRET_KEY")
        and app.config.get("LMS_ENV", "development") != "production"
    ):
        app.config["SECRET_KEY"] = _development_secret(app.instance_path)

    LMS(app, cli_group=None, standalone=True)
    Migrate(app, db, directory=MIGRATIONS_DIR)
    if app.config["LMS_PROXY_FIX"]:
        # Behind N reverse proxies: the client's address (login throttling) and scheme come
        # from their X-Forwarded-* headers, trusted that many hops deep and no further.
        hops = app.config["LMS_PROXY_FIX"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)
    # The standalone app owns every model: relate them now (half a second), not in the first
    # request each worker serves. (A host app mounting the plugin does this for its own models.)
    configure_mappers()
    return app


def main() -> None:
    """The ``lms`` console script: Flask's commands and the product's, over ``create_app``."""
    cli = FlaskGroup(create_app=create_app, help="Capacity-building LMS: serve, migrate, manage.")
    cli.main(prog_name="lms")
