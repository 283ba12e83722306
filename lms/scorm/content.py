"""Serving a SCORM package's files to its sandboxed frame.

The lesson page plays the package in an ``<iframe sandbox="allow-scripts ...">`` **without**
``allow-same-origin``, and every file of the package is served with a ``Content-Security-Policy``
whose ``sandbox`` directive does the same, even if the file is opened on its own in a tab. The
package's documents therefore run in an opaque origin: they cannot read the LMS's cookies
(``document.cookie`` throws), its pages or the CSRF token of the lesson page, and the browser does
not send the LMS's ``SameSite=Lax`` cookies with the requests they make. (The other way, a second
origin for packages, needs a second host name and certificate; this one needs no set-up.)

Since cookies do not come with those requests, the files are reached through a **grant**: a
token signed with the app's secret key (itsdangerous), bound to the learner, the lesson, the
attempt and the package, that expires after a day, in the URL's path
(``/scorm/content/<grant>/index.html``), so the package's relative links stay inside it.
Responses say ``Referrer-Policy: no-referrer``, so a link out of the package does not carry it.

Each HTML file is served with the runtime put first in its ``<head>`` (see
``lms/static/scorm/bridge.js``): scorm-again, then the attempt's CMI data as a JSON island.
"""

from __future__ import annotations

import json
import mimetypes
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import Response, current_app, request, send_file, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.security import safe_join

from curriculum.scorm import package_folder
from lms.errors import NotFound

GRANT_MAX_AGE = 24 * 3600
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
#: what the package may do in its frame (and, through the CSP, when opened on its own)
SANDBOX = "allow-scripts allow-forms allow-popups allow-modals allow-downloads"
CONTENT_POLICY = (
    f"sandbox {SANDBOX}; "
    "default-src 'self' data: blob:; "
    # authoring tools' output runs inline scripts and eval (Storyline, Captivate, iSpring)
    "script-src 'self' 'unsafe-inline' 'unsafe-eval' blob:; "
    "style-src 'self' 'unsafe-inline' data: blob:; "
    "img-src 'self' data: blob: https:; media-src 'self' data: blob: https:; "
    "font-src 'self' data:; connect-src 'self'; "
    "frame-src 'self' https://www.youtube-nocookie.com https://player.vimeo.com; "
    "object-src 'none'; base-uri 'self'; form-action 'self'"
)
_HEAD = re.compile(rb"<head(?:\s[^>]*)?>", re.I)
_HTML = re.compile(rb"<html(?:\s[^>]*)?>", re.I)


@dataclass(frozen=True)
class Grant:
    user_id: int
    #: None for a preview (a trainer or an administrator): nothing is recorded
    enrolment_id: int | None
    lesson_id: int
    number: int
    package: str
    version: str


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="lms.scorm.content")


def make_grant(grant: Grant) -> str:
    return _serializer().dumps(
        [grant.user_id, grant.enrolment_id or 0, grant.lesson_id, grant.number,
         grant.package, grant.version]
    )  # fmt: skip


def read_grant(token: str) -> Grant:
    """The grant of a content URL (404 when forged, damaged or expired)."""
    try:
        values = _serializer().loads(token, max_age=GRANT_MAX_AGE)
        user_id, enrolment_id, lesson_id, number, package, version = values
    except (BadSignature, ValueError, TypeError) as error:
        raise NotFound() from error
    if not re.fullmatch(r"[0-9a-f]{64}", str(package)) or version not in ("1.2", "2004"):
        raise NotFound()
    return Grant(int(user_id), int(enrolment_id) or None, int(lesson_id), int(number),
                 package, version)  # fmt: skip


def content_url(grant: Grant, launch: str) -> str:
    path, _, query = launch.partition("?")
    url = url_for("lms_scorm.content", grant=make_grant(grant), path=path)
    return f"{url}?{query}" if query else url


def _file_of(grant: Grant, path: str) -> Path:
    folder = package_folder(grant.package)
    found = safe_join(str(folder), path)
    if found is None or not Path(found).is_file() or Path(found).name == ".complete":
        raise NotFound()
    return Path(found)


def _island(state: dict) -> bytes:
    """JSON that cannot close its <script> element (ASCII only, so any page encoding reads it)."""
    text = json.dumps(state, ensure_ascii=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").encode()


def _with_runtime(html: bytes, grant: Grant, cmi: dict) -> bytes:
    runtime = "scorm12.min.js" if grant.version == "1.2" else "scorm2004.min.js"
    state = {
        "version": grant.version,
        "cmi": cmi,
        # a key per launch: the LMS tells the sessions of an attempt apart with it
        "session": secrets.token_hex(8),
        "origin": request.host_url.rstrip("/"),
    }
    scripts = (
        (
            f'<script src="{url_for("lms_core.static", filename="vendor/scorm-again/" + runtime)}">'
            "</script>"
            '<script type="application/json" id="lms-scorm-state">'
        ).encode()
        + _island(state)
        + (
            "</script>"
            f'<script src="{url_for("lms_core.static", filename="scorm/bridge.js")}"></script>'
        ).encode()
    )
    for pattern in (_HEAD, _HTML):
        match = pattern.search(html)
        if match:
            return html[: match.end()] + scripts + html[match.end() :]
    return scripts + html


def serve(grant: Grant, path: str, cmi_for_html) -> Response:
    """One file of the package; an HTML file with the runtime and ``cmi_for_html()`` in it."""
    file = _file_of(grant, path)
    if file.suffix.lower() in HTML_SUFFIXES:
        body = _with_runtime(file.read_bytes(), grant, cmi_for_html())
        # no charset: the page's own <meta charset> says it (packages are not all UTF-8)
        response = Response(body, headers={"Content-Type": "text/html"})
        response.headers["Cache-Control"] = "no-store"
    else:
        mimetype = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        response = send_file(file, mimetype=mimetype, conditional=True, max_age=3600)
        response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["Content-Security-Policy"] = CONTENT_POLICY
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
