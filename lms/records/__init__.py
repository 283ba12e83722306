"""Learning records: learning events as xAPI 1.0.3 statements, sent to a learning record store
through an outbox (issue 19)."""
