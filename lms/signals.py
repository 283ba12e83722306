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

#: sent with ``roster=..., accounts=[(user, link), ...]`` when a roster's confirmation creates
#: accounts from rows that carry a ``link`` (an LTI platform's members: the platform's user id)
roster_accounts_created = _signals.signal("lms.roster-accounts-created")

# -- learning events: what learning records (xAPI), grade passback (LTI) and the offline sync
# listen to. Each is sent inside the request's transaction, after the change is flushed; a
# listener that sends something out of the process writes an outbox row, never a network call.

#: sent with ``enrolment=...`` when an enrolment is created
enrolled = _signals.signal("lms.enrolled")

#: sent with ``enrolment=..., lesson=..., opening=...`` when a learner opens a lesson page
#: (``opening``: the ``LessonOpen`` row that records it)
lesson_opened = _signals.signal("lms.lesson-opened")

#: sent with ``progress=...`` once, when a lesson becomes done (whatever made it done: the
#: learner, a passed quiz, an accepted assignment, attendance at a session)
lesson_completed = _signals.signal("lms.lesson-completed")

#: sent with ``enrolment=..., lesson=..., attempt=..., correct=..., passed=...`` when a quiz
#: attempt is recorded (``correct`` maps question keys to True when answered exactly right)
quiz_attempted = _signals.signal("lms.quiz-attempted")

#: sent with ``enrolment=..., session=..., attendance=...`` when attendance is recorded
attendance_recorded = _signals.signal("lms.attendance-recorded")

#: sent with ``certificate=...`` when a certificate is issued (also a corrected one)
certificate_issued = _signals.signal("lms.certificate-issued")

#: sent with ``certificate=...`` when a certificate is revoked
certificate_revoked = _signals.signal("lms.certificate-revoked")

#: sent with ``project=...`` when a circle's project changes stage (certificates whose rule asks
#: for a project stage are issued to its members when it is reached)
project_stage_changed = _signals.signal("lms.project-stage-changed")
