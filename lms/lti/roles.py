"""What a platform's roles make a person here, the same for a launch and for a roster (NRPS):
a context's instructor or teaching assistant trains the cohort the context maps to; anyone else
(learner, mentor, content developer, a context's administrator, no role at all) learns. Nothing
a platform says ever makes an administrator here.

Only context (membership) roles count, in each form platforms send them: the LTI 1.3 URNs
(``.../membership#Instructor``, the sub-roles ``.../membership/Instructor#TeachingAssistant``),
the short names the specification allows (``Instructor``) and the LTI 1.1 URNs
(``urn:lti:role:ims/lis/Instructor``). An institution role (``.../institution/person#Instructor``:
a member of the faculty) says nothing of this course: a professor who follows it learns."""

from __future__ import annotations

from collections.abc import Iterable

MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership"
LTI11 = "urn:lti:role:ims/lis/"
TRAINING = ("Instructor", "TeachingAssistant")


def trains(role: str) -> bool:
    """One role string is a context's instructor or teaching assistant (or a sub-role of them)."""
    role = role.strip()
    for name in TRAINING:
        if role in (name, f"{MEMBERSHIP}#{name}", f"{LTI11}{name}"):
            return True
        if role.startswith((f"{MEMBERSHIP}/{name}#", f"{LTI11}{name}/")):
            return True
    return False


def is_trainer_role(roles: Iterable[str] | None) -> bool:
    """Whether these roles make their holder a trainer of the context's cohort."""
    return any(trains(str(role)) for role in roles or ())
