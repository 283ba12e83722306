"""Reading and writing SCORM CMI data (pure functions: no database, no request).

``read_commit`` takes the CMI object scorm-again commits (``renderCommitCMI``: SCORM 1.2's
``cmi.core.*`` or SCORM 2004's ``cmi.*``) and returns the values the LMS keeps. ``is_finished``
and ``percent`` say when the lesson is done and with which score. ``resume_cmi`` is what the
runtime is loaded with at the next launch, so the package resumes where the learner left it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

MAX_SUSPEND_DATA = 64000  # SCORM 2004's largest (1.2 says 4096; authoring tools exceed it)
MAX_LOCATION = 1000
STATUSES_12 = {"passed", "completed", "failed", "incomplete", "browsed", "not attempted"}
COMPLETION_2004 = {"completed", "incomplete", "not attempted", "unknown"}
SUCCESS_2004 = {"passed", "failed", "unknown"}
_TIME_12 = re.compile(r"^(\d{2,4}):(\d{2}):(\d{2})(\.\d{1,2})?$")
_DURATION = re.compile(
    r"^P(?:(?P<y>\d+(?:\.\d+)?)Y)?(?:(?P<mo>\d+(?:\.\d+)?)M)?(?:(?P<d>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<mi>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


@dataclass
class CmiValues:
    location: str = ""
    suspend_data: str = ""
    lesson_status: str = ""
    completion_status: str = ""
    success_status: str = ""
    score_raw: float | None = None
    score_min: float | None = None
    score_max: float | None = None
    score_scaled: float | None = None
    session_time: str = ""
    session_seconds: int = 0


def _text(value: Any, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def seconds_of(session_time: str) -> int:
    """Seconds of a SCORM 1.2 time (``HHHH:MM:SS.SS``) or a 2004 duration (``PT1H2M3.5S``)."""
    text = session_time.strip()
    match = _TIME_12.match(text)
    if match:
        hours, minutes, seconds = (int(match[i]) for i in (1, 2, 3))
        return hours * 3600 + minutes * 60 + seconds
    match = _DURATION.match(text)
    if match and text not in ("P", "PT"):
        factors = {"y": 365 * 86400, "mo": 30 * 86400, "d": 86400, "h": 3600, "mi": 60, "s": 1}
        return int(sum(float(match[name] or 0) * factor for name, factor in factors.items()))
    return 0


def read_commit(version: str, cmi: dict[str, Any]) -> CmiValues:
    """The values the LMS keeps from one commit; unknown or malformed values are left out."""
    values = CmiValues(suspend_data=_text(cmi.get("suspend_data"), MAX_SUSPEND_DATA))
    if version == "1.2":
        core = _mapping(cmi.get("core"))
        score = _mapping(core.get("score"))
        values.location = _text(core.get("lesson_location"), MAX_LOCATION)
        status = _text(core.get("lesson_status"), 20)
        values.lesson_status = status if status in STATUSES_12 else ""
        values.session_time = _text(core.get("session_time"), 40)
    else:
        score = _mapping(cmi.get("score"))
        values.location = _text(cmi.get("location"), MAX_LOCATION)
        completion = _text(cmi.get("completion_status"), 20)
        success = _text(cmi.get("success_status"), 20)
        values.completion_status = completion if completion in COMPLETION_2004 else ""
        values.success_status = success if success in SUCCESS_2004 else ""
        values.score_scaled = _number(score.get("scaled"))
        values.session_time = _text(cmi.get("session_time"), 40)
    values.score_raw = _number(score.get("raw"))
    values.score_min = _number(score.get("min"))
    values.score_max = _number(score.get("max"))
    values.session_seconds = seconds_of(values.session_time)
    return values


def is_finished(version: str, values) -> bool:
    """SCORM 1.2: lesson_status passed or completed. SCORM 2004: success_status passed, or
    completion_status completed and not failed. (``values``: a ``CmiValues`` or an attempt.)"""
    if version == "1.2":
        return values.lesson_status in ("passed", "completed")
    if values.success_status == "passed":
        return True
    return values.completion_status == "completed" and values.success_status != "failed"


def percent(values) -> int | None:
    """The score in percent: 2004's scaled score, else the raw score within min and max (0-100
    when the package gives no range)."""
    scaled = getattr(values, "score_scaled", None)
    if scaled is not None:
        return max(0, min(100, round(scaled * 100)))
    if values.score_raw is None:
        return None
    low = values.score_min if values.score_min is not None else 0.0
    high = values.score_max if values.score_max is not None else 100.0
    if high <= low:
        return None
    return max(0, min(100, round(100 * (values.score_raw - low) / (high - low))))


def _shown(number: float | None) -> str | None:
    if number is None:
        return None
    return str(int(number)) if number == int(number) else str(number)


def _time_12(seconds: int) -> str:
    return f"{seconds // 3600:04d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def resume_cmi(
    version: str,
    attempt,
    learner_id: str,
    learner_name: str,
    mastery_score: int | None = None,
    language: str = "",
) -> dict[str, Any]:
    """What the runtime is loaded with before the package starts (``attempt`` may be None: a
    first launch). Only values the package may read are given; write-only ones (exit, session
    time) start empty, as SCORM wants. ``language``: the learner's, as the learner preference
    (a package may show itself in it)."""
    started = attempt is not None and attempt.started
    score = {}
    if attempt is not None:
        for name in ("raw", "min", "max") + (("scaled",) if version != "1.2" else ()):
            shown = _shown(getattr(attempt, f"score_{name}"))
            if shown is not None:
                score[name] = shown
    if version == "1.2":
        core: dict[str, Any] = {
            "student_id": learner_id,
            "student_name": learner_name,
            "entry": "resume" if started else "ab-initio",
            "total_time": _time_12(attempt.total_seconds if attempt else 0),
        }
        if attempt is not None:
            core["lesson_location"] = attempt.location
            if attempt.lesson_status:
                core["lesson_status"] = attempt.lesson_status
        if score:
            core["score"] = score
        cmi: dict[str, Any] = {"core": core}
        if mastery_score is not None:
            cmi["student_data"] = {"mastery_score": str(mastery_score)}
        if language:
            cmi["student_preference"] = {"language": language}
    else:
        cmi = {
            "learner_id": learner_id,
            "learner_name": learner_name,
            "entry": "resume" if started else "ab-initio",
            "total_time": f"PT{attempt.total_seconds if attempt else 0}S",
        }
        if attempt is not None:
            cmi["location"] = attempt.location
            for name in ("completion_status", "success_status"):
                if getattr(attempt, name):
                    cmi[name] = getattr(attempt, name)
        if score:
            cmi["score"] = score
        if language:
            cmi["learner_preference"] = {"language": language}
    if attempt is not None and attempt.suspend_data:
        cmi["suspend_data"] = attempt.suspend_data
    return cmi
