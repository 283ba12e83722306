"""The push notifications' outbox for administrators: what waits, what failed and why, what was
sent; "send now" and "send again" (as the xAPI outbox page, ``lms/records/``)."""
