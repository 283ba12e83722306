"""LTI 1.3 Advantage tool: platforms (Moodle, Canvas, Open edX) launch our courses (issue 18)."""
