"""Admin › LTI scores: the AGS outbox (``lms_lti_scores``) for administrators: what waits, what
failed and why, what was sent; "send now" and "send again" (as the other outbox pages)."""
