"""A learning-management plugin for capacity-building programmes.

``LMS(app, url_prefix="/academy")`` mounts it in any Flask app; ``create_app()`` is the standalone
application (``gunicorn 'lms:create_app()'``).
"""

from .app import create_app
from .extension import LMS

__all__ = ["LMS", "create_app"]
