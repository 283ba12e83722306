"""Certificates: issuance rules, issuance, PDF rendering, signing, storage, verification and
revocation. Reacts to ``lms.signals.course_completed``."""
