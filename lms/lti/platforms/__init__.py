"""Registering LTI platforms: by hand (Admin › LTI platforms) or by LTI Dynamic Registration."""
