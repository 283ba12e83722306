"""Signals other parts of the product listen to (certificates listen to ``course_completed``)."""

from blinker import Namespace

_signals = Namespace()

#: sent with ``enrolment=...`` once, when an enrolment becomes complete
course_completed = _signals.signal("lms.course-completed")
