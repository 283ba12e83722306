"""Signals other parts of the product listen to (certificates listen to ``course_completed``)."""

from blinker import Namespace

_signals = Namespace()

#: sent with ``enrolment=...`` once, when an enrolment becomes complete
course_completed = _signals.signal("lms.course-completed")

#: sent with ``enrolment=...`` when an already completed enrolment records more progress (a better
#: quiz score, a session attended): the certificate's rule may hold now
completed_enrolment_progressed = _signals.signal("lms.completed-enrolment-progressed")

#: sent with ``user=...`` when an account that had no password gets one (a learner created by a
#: roster opens the invitation's link): their cohort invitations are accepted with it
account_activated = _signals.signal("lms.account-activated")
