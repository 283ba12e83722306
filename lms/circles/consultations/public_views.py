"""The public page of a consultation (``/c/<code>``): no account, no personal data asked, no
script, a light page for a phone on a weak connection.

One answer per device: the device keeps a random cookie (``lms_device``); the database keeps only
a keyed hash of it with the consultation (unique per consultation), so that the cookie says
nothing to anyone who reads the table. A limited number of answers per address (the counter is
taken before the answer is written, atomically, so a burst of requests cannot slip past it).
A consultation that is not published answers 404, one that is not open yet 403, a closed one
410, each with a page that says so; nothing is written.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import current_app, make_response, redirect, render_template, request, url_for

from curriculum.db import utcnow
from lms.boundary import attempt
from lms.errors import NotFound

from . import answers, operations, queries
from .models import Consultation

DEVICE_COOKIE = "lms_device"
DEVICE_COOKIE_DAYS = 400


def device_token() -> tuple[str, bool]:
    """The device's token, and whether it is new (then the answer sets the cookie)."""
    token = request.cookies.get(DEVICE_COOKIE, "")
    if 16 <= len(token) <= 64 and token.isascii():
        return token, False
    return secrets.token_urlsafe(24), True


def device_hash(consultation: Consultation, token: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    message = f"consultation:{consultation.id}:{token}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _page(consultation: Consultation, status: int = 200, read=None, message: str = "",
          state: str = "open", commune: str = ""):  # fmt: skip
    response = make_response(
        render_template(
            "lms/consultations/public.html",
            consultation=consultation,
            read=read or answers.ReadAnswers(),
            message=message,
            state=state,
            commune=commune,
        ),
        status,  # fmt: skip
    )
    response.headers["Cache-Control"] = "no-store"  # the form carries a per-visitor token
    return response


def _load(code: str) -> Consultation:
    consultation = queries.by_code(code)
    if consultation is None:
        raise NotFound()
    return consultation


def public(code: str):
    consultation = _load(code)
    if request.method == "POST":
        return _answer(consultation)
    today = utcnow().date()
    with attempt() as allowed:
        operations.refuse_unless_open(consultation, today)
    if not allowed:
        return _page(consultation, allowed.status, message=allowed.message, state="refused")
    token, new = device_token()
    if not new and queries.device_answered(consultation, device_hash(consultation, token)):
        return _page(consultation, state="answered")
    return _page(consultation)


def _answer(consultation: Consultation):
    today = utcnow().date()
    read = answers.read_form(consultation.questions, request.form)
    commune = request.form.get("commune", "").strip()
    token, new = device_token()
    with attempt() as done:
        operations.record_online_answer(consultation, read, device_hash(consultation, token),
                                        commune, request.remote_addr, today)  # fmt: skip
    if not done:
        status = done.status
        if status in (404, 403, 410):
            return _page(consultation, status, message=done.message, state="refused")
        if status == 409:
            return _page(consultation, status, message=done.message, state="answered")
        # a wrong answer or too many from this address: the form again, as it was typed
        message = "" if not read.ok else done.message
        return _page(consultation, status, read=read, message=message, commune=commune)
    response = redirect(url_for("lms_consultations.thanks", code=consultation.code), 303)
    if new:
        response.set_cookie(
            DEVICE_COOKIE, token, max_age=DEVICE_COOKIE_DAYS * 86400, httponly=True,
            samesite="Lax", secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        )  # fmt: skip
    return response


def thanks(code: str):
    consultation = _load(code)
    if consultation.status == "draft":
        raise NotFound()
    return _page(consultation, state="thanks")
