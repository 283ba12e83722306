"""A file handed to the browser as a download (a CSV of learners, a certificate, a ZIP):
personal data, so never stored by a shared phone's browser or a proxy."""

from __future__ import annotations

from flask import Response


def attachment(data, content_type: str, filename: str) -> Response:
    """``data``: the bytes, or an iterable of chunks (streamed)."""
    response = Response(data, content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
