"""Every model module, imported so that the metadata knows every table (Alembic, tests)."""

import certificates.credentials.models  # noqa: F401
import certificates.models  # noqa: F401
import curriculum.models  # noqa: F401
import lms.audit.models  # noqa: F401
import lms.circles.consultations.models  # noqa: F401
import lms.circles.indicators.models  # noqa: F401
import lms.circles.journal.models  # noqa: F401
import lms.circles.milestone_models  # noqa: F401
import lms.circles.models  # noqa: F401
import lms.cohorts.models  # noqa: F401
import lms.jobs.models  # noqa: F401
import lms.learning.models  # noqa: F401
import lms.lti.models  # noqa: F401
import lms.mail.models  # noqa: F401
import lms.messages.models  # noqa: F401
import lms.offline.models  # noqa: F401
import lms.push.models  # noqa: F401
import lms.records.models  # noqa: F401
import lms.scorm.models  # noqa: F401
import lms.sessions.models  # noqa: F401
import lms.users.models  # noqa: F401


def import_all_models() -> None:
    """Kept for callers (migrations' env, tests): importing this module is what loads them."""
