"""Typed domain errors, and the one place that turns any error into a page or JSON."""

from __future__ import annotations

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from curriculum.db import db


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
    if status >= 500:
        db.session.rollback()
    title = _titles().get(status, _("Error"))
    message = message or _explanations().get(status, "")
    if wants_json():
        return jsonify({"error": title, "message": message, "status": status}), status
    return render_template("lms/error.html", status=status, title=title, message=message), status


def handle_domain_error(error: LMSError):
    db.session.rollback()
    return error_response(error.status_code, error.message)


def handle_http_error(error: HTTPException):
    # An unhandled exception reaches here as an InternalServerError: Flask has already logged it,
    # and error_response rolls the session back before the page is rendered.
    if isinstance(error, CSRFError):
        response = make_response(error_response(400, _(
            "The form expired or was not sent from this site. Please try again.")))  # fmt: skip
        # the service worker keeps such a form in the offline queue instead (lms/csrf.py)
        response.headers["X-LMS-Refused"] = "csrf"
        return response
    message = None
    if error.code == 429:
        message = _("Too many attempts. Please wait a few minutes and try again.")
    return error_response(error.code or 500, message)


def register_error_handlers(app: Flask, blueprint_names: set[str] | None = None) -> None:
    """Errors answer HTML or JSON by the request's Accept.

    Standalone (``blueprint_names`` is None) this covers every URL. In a host app only errors
    raised in the LMS's own views are handled, so the host keeps its own error pages (404, 500...)
    for its own pages; the handlers are recorded per blueprint exactly as
    ``Blueprint.register_error_handler`` would, for blueprints that are already registered.
    """
    handlers = {LMSError: handle_domain_error, HTTPException: handle_http_error}
    if blueprint_names is None:
        for exception_class, handler in handlers.items():
            app.register_error_handler(exception_class, handler)
        return
    for name in blueprint_names:
        for exception_class, handler in handlers.items():
            app.error_handler_spec[name][None][exception_class] = handler
