"""Where the LMS's migrations are, and bringing a database to their latest revision.

A leaf module: the standalone app (Flask-Migrate's directory), the ``lms`` commands and a host
app (``from lms.migrate import upgrade_database`` in an app context) all use it.
"""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")


def upgrade_database() -> None:
    """Bring the database to the latest revision (Alembic, version table alembic_version_lms).

    Alembic is called directly rather than through Flask-Migrate, whose ``upgrade`` needs the app's
    Migrate extension: a host app mounting the LMS has its own (or none).
    """
    config = Config(os.path.join(MIGRATIONS_DIR, "alembic.ini"))
    config.set_main_option("script_location", MIGRATIONS_DIR)
    command.upgrade(config, "head")
