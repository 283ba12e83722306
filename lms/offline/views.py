"""The offline part's URLs: the web app manifest, the service worker (served under the LMS's
prefix so that it controls every LMS page, also inside a host app), the offline page, what a
module's download holds, and the endpoint the phone sends its queue of offline actions to."""

from __future__ import annotations

import hashlib
import json

from flask import current_app, jsonify, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.errors import InvalidInput, NotAllowed
from lms.i18n import available_languages, current_language, text_direction
from lms.uploads import accepts_large_uploads

from . import operations, queries
from .queries import STATIC

THEME_COLOUR = "#0b5d57"
BACKGROUND_COLOUR = "#f6f7f9"


def scope() -> str:
    """The URL prefix the service worker controls: the LMS's own, also inside a host app."""
    return current_app.extensions["lms"].url_prefix + "/"


def short_name(name: str) -> str:
    """A home-screen label (about 12 characters): the site's name, or its first word."""
    return name if len(name) <= 12 else name.split()[0][:12]


def manifest():
    name = current_app.config["LMS_SITE_NAME"]
    language = current_language()
    icon = "lms_core.static"
    data = {
        "id": scope(),
        "name": name,
        "short_name": short_name(name),
        "description": _("Masterclasses on your phone, also without a connection."),
        "lang": language,
        "dir": text_direction(language),
        "start_url": url_for("lms_learning.my_learning"),
        "scope": scope(),
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            {
                "src": url_for(icon, filename=f"icon-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any",
            }  # fmt: skip
            for size in (192, 512)
        ]
        + [
            {
                "src": url_for(icon, filename="icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            }
        ],  # fmt: skip
    }
    response = current_app.response_class(
        json.dumps(data, ensure_ascii=False), mimetype="application/manifest+json"
    )
    response.headers["Cache-Control"] = "no-cache"
    response.vary.add("Cookie")
    response.vary.add("Accept-Language")
    return response


def service_worker():
    """``static/sw.js`` with the URLs it needs. Its version is that of the files it keeps, so a
    new release installs a new worker, which drops the old shell."""
    static_root = url_for("lms_core.static", filename="x")[:-1]
    files = ("sw.js", "offline-db.js", "offline.js", "lms.css")
    version = hashlib.sha256(
        "".join(queries.static_digest(name)[0] for name in files).encode()
    ).hexdigest()[:12]
    config = {
        "scope": scope(),
        "version": version,
        "offline": url_for("lms_offline.offline_page"),
        "static": static_root,
        "shell": [
            static_root + name
            for name in ("lms.css", "offline.js", "offline-db.js", "icon-192.png")
        ],  # fmt: skip
        "languages": available_languages(),
    }
    source = (STATIC / "sw.js").read_text(encoding="utf-8")
    body = f"self.LMS = {json.dumps(config)};\n{source}"
    response = current_app.response_class(body, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = scope()
    response.headers["Cache-Control"] = "no-cache"
    return response


def offline_page():
    """Shown by the service worker for a page that is not on the phone. The same for everyone
    (it is kept in the shared shell), in the language asked for (``?lang=``)."""
    language = request.args.get("lang")
    if language not in available_languages():
        language = current_language()
    with force_locale(language):
        html = render_template(
            "lms/offline/offline.html",
            page_lang=language,
            page_dir=text_direction(language),
            site_name=current_app.config["LMS_SITE_NAME"],
        )
    response = current_app.response_class(html, mimetype="text/html")
    response.headers["Cache-Control"] = "public, max-age=0, must-revalidate"
    return response


@login_required
def module_download(course_slug: str, module_slug: str):
    download = queries.module_download(course_slug, module_slug, current_user)
    return jsonify(download.as_json(current_user))


def _same_origin() -> bool:
    """The queue comes from a page of this site (the endpoint takes JSON, not a form, so a
    cross-site page cannot send it without a CORS preflight we never answer; this says no
    earlier)."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("Origin")
    return origin is None or origin == request.host_url.rstrip("/")


@accepts_large_uploads  # journal photos and assignment files travel in the JSON, in base64
@login_required
def sync():
    if not _same_origin():
        raise NotAllowed(_("Offline actions are only accepted from this site's pages."))
    try:
        payload = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the parser goes: no queue looks like that
        payload = None
    if not isinstance(payload, dict):
        raise InvalidInput(_("The offline queue must be sent as JSON."))
    results = operations.apply_items(current_user, payload.get("items"))
    return jsonify(
        {
            "results": [result.as_json() for result in results],
            "applied": sum(1 for r in results if r.status == "applied"),
            "refused": sum(1 for r in results if r.status == "refused"),
        }
    )


sync.csrf_exempt = True
