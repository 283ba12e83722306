"""An existing Flask site that mounts the LMS under ``/academy``.

The site has its own pages (``/`` and ``/about``), its own database URL and secret key; the LMS
adds its pages, its ``lms_*`` tables and a ``flask lms ...`` command group, and touches nothing else.

    export DATABASE_URL=sqlite:////tmp/host.sqlite3      # or postgresql://..., optional
    export SECRET_KEY=change-me                          # optional in development
    flask --app examples/host_app.py lms demo --setup-only   # create the LMS tables + demo accounts
    flask --app examples/host_app.py run                     # http://127.0.0.1:5000/academy/
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, render_template_string, url_for

from lms import LMS
from lms.app import database_url

PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ title }} · Youth Council of Tiznit</title></head>
<body>
<nav><a href="{{ url_for('home') }}">Home</a> · <a href="{{ url_for('about') }}">About us</a>
  · <a href="{{ academy }}">Academy</a></nav>
<h1>{{ title }}</h1>
<p>{{ text }}</p>
</body>
</html>
"""


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """The host site. ``flask --app examples/host_app.py`` finds this factory by its name."""
    app = Flask(__name__)
    # A fixed development key keeps sessions across restarts; set SECRET_KEY for real use.
    app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY", "host-app-development-only")
    app.config["LMS_SITE_NAME"] = "Youth Council Academy"
    app.config.update(test_config or {})
    if "SQLALCHEMY_DATABASE_URI" not in app.config:
        if os.environ.get("DATABASE_URL"):
            url = os.environ["DATABASE_URL"]
        else:
            os.makedirs(app.instance_path, exist_ok=True)
            url = "sqlite:///" + os.path.join(app.instance_path, "host.sqlite3")
        app.config["SQLALCHEMY_DATABASE_URI"] = database_url(url)

    @app.get("/")
    def home():
        return render_template_string(
            PAGE,
            title="Home",
            text="Our council brings young people and the commune together.",
            academy=url_for("lms_core.index"),
        )

    @app.get("/about")
    def about():
        return render_template_string(
            PAGE,
            title="About us",
            text="Founded by volunteers; our academy trains young public entrepreneurs.",
            academy=url_for("lms_core.index"),
        )

    LMS(app, url_prefix="/academy")
    return app
