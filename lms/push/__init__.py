"""Web Push (opt-in): a learner's browsers subscribe, announcements and session changes reach them
as notifications in her language, through an outbox delivered by a job (never in the request)."""
