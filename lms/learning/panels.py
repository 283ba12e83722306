"""Lesson kinds that another area plays in the lesson page (the SCORM player, ``lms/scorm``).

The area registers a function giving its panel's template values from the lesson's context, so
the learning area renders the page without importing it (the area imports learning, not the other
way round). The lesson template includes ``lms/<kind>/_player.html`` with them as ``panel``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: lesson kind -> function(LessonContext) -> the panel's template values
LESSON_PANELS: dict[str, Callable[[Any], dict[str, Any]]] = {}
