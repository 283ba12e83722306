"""Typed domain errors, and the one place that turns any error into a page or JSON."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException


class LMSError(Exception):
    """A domain error: the user asked for something the rules do not allow."""

    status_code = 400

    def __init__(self, message: str = "", **details):
        super().__init__(message)
        self.message = message
        self.details = details


class ConfigError(LMSError, RuntimeError):
    """The application is misconfigured (raised at start-up)."""


class NotAllowed(LMSError):
    status_code = 403


class NotFound(LMSError):
    status_code = 404


class Conflict(LMSError):
    status_code = 409


class InvalidInput(LMSError):
    status_code = 400


def wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" or request.path.endswith(".json")


def _titles() -> dict[int, str]:
    return {
        400: _("Bad request"),
        401: _("Please log in"),
        403: _("Access denied"),
        404: _("Page not found"),
        405: _("Method not allowed"),
        413: _("File too large"),
        429: _("Too many attempts"),
        500: _("Something went wrong"),
        503: _("Service unavailable"),
    }


def _explanations() -> dict[int, str]:
    return {
        403: _("You do not have access to this page."),
        404: _("This page does not exist, or it is not yours to see."),
        413: _("The file you sent is larger than allowed."),
        429: _("Too many attempts. Please wait a few minutes and try again."),
        500: _("The error has been logged. Please try again later."),
    }


def error_response(status: int, message: str | None = None):
    from curriculum.db import db

    if status >= 500:
        db.session.rollback()
    title = _titles().get(status, _("Error"))
    message = message or _explanations().get(status, "")
    if wants_json():
        return jsonify({"error": title, "message": message, "status": status}), status
    return render_template("lms/error.html", status=status, title=title, message=message), status


def register_error_handlers(app: Flask, blueprint_names: set[str] | None = None) -> None:
    """Errors raised in the LMS's own views answer HTML or JSON by the request's Accept.

    In a host app only the LMS blueprints are handled (``blueprint_names``), so the host keeps its
    own error pages.
    """

    def ours() -> bool:
        return blueprint_names is None or request.blueprint in blueprint_names

    @app.errorhandler(LMSError)
    def handle_domain_error(error: LMSError):
        from curriculum.db import db

        db.session.rollback()
        return error_response(error.status_code, error.message)

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        if not ours():
            return error
        message = None
        if error.code == 400 and error.description and "CSRF" in str(error.description):
            message = _("The form expired or was not sent from this site. Please try again.")
        if error.code == 429:
            message = _("Too many attempts. Please wait a few minutes and try again.")
        return error_response(error.code or 500, message)

    @app.errorhandler(500)
    def handle_server_error(error):
        original = getattr(error, "original_exception", None)
        if original is not None:
            app.logger.exception("Unhandled error", exc_info=original)
        return error_response(500)
