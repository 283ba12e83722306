"""An OpenBadgeCredential from a certificate's frozen snapshot.

Names and descriptions are given in the certificate's languages (its snapshot's ``languages``),
joined with " · " (Open Badges 3.0 names are plain strings); ``inLanguage`` is the first. The
learner is named as on the certificate and identified by a salted SHA-256 of her e-mail, never
the e-mail itself. The criteria narrative says the rule the certificate was issued under (frozen in
its snapshot), with the project's stage named in each language.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _

from certificates.models import Certificate
from certificates.rules import STAGE_NAMES
from lms.urls import absolute_url

from . import status
from .contexts import OB_V3, VC_V2

JOIN = " · "


def _stamp(value: str | datetime) -> str:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _in_languages(languages: list[str], make) -> str:
    texts = []
    for language in languages:
        with force_locale(language):
            text = make(language)
        if text and text not in texts:
            texts.append(text)
    return JOIN.join(texts)


def _title(snapshot: dict, language: str) -> str:
    titles = snapshot["course"].get("titles") or {}
    return titles.get(language) or next(iter(titles.values()), snapshot["course"]["slug"])


def criteria_text(criteria: dict) -> str:
    """The rule's criteria (:func:`certificates.rules.criteria`) in words, in the current locale."""
    parts = [_("Complete every required lesson of the course.")]
    if criteria.get("required_lessons"):
        parts = [_("Complete the %(count)d required lessons.", count=criteria["required_lessons"])]
    if criteria.get("min_quiz_average") is not None:
        parts.append(
            _("Reach a quiz average of at least %(value)d%%.", value=criteria["min_quiz_average"])
        )
    if criteria.get("min_attendance") is not None:
        parts.append(
            _("Attend at least %(value)d%% of the sessions.", value=criteria["min_attendance"])
        )
    stage = criteria.get("project_stage")
    if stage:
        parts.append(_("Carry the circle's project to the stage: %(stage)s.",
                       stage=STAGE_NAMES().get(stage, stage)))  # fmt: skip
    return " ".join(parts)


def _evidence(snapshot: dict, languages: list[str]) -> list[dict]:
    scores = snapshot.get("scores") or {}
    facts = []
    if snapshot["course"].get("hours"):
        facts.append(("hours", lambda _l: _("%(hours)s hours of learning",
                                           hours=snapshot["course"]["hours"])))  # fmt: skip
    if scores.get("quiz_average") is not None:
        facts.append(("quiz", lambda _l: _("Quiz average: %(value)d%%",
                                          value=scores["quiz_average"])))  # fmt: skip
    if scores.get("attendance") is not None:
        facts.append(("attendance", lambda _l: _("Attendance: %(value)d%%",
                                                value=scores["attendance"])))  # fmt: skip
    project = (snapshot.get("project") or {}).get("title")
    if project:
        facts.append(("project", lambda _l: _("Circle project: %(title)s", title=project)))
    return [
        {
            "id": f"{snapshot['verify_url']}#evidence-{name}",
            "type": ["Evidence"],
            "name": _in_languages(languages, make),
        }
        for name, make in facts
    ]


def identity_hash(email: str, salt: str) -> str:
    normalised = email.strip().lower()
    return "sha256$" + hashlib.sha256((normalised + salt).encode("utf-8")).hexdigest()


def credential(certificate: Certificate, issuer_did: str, criteria: dict) -> dict[str, Any]:
    """The unsigned credential of ``certificate`` (its snapshot, its learner's e-mail hashed), its
    rule's ``criteria`` as :func:`certificates.rules.criteria` gives them."""
    snapshot = certificate.snapshot
    languages = list(snapshot.get("languages") or ["fr"])
    verify_url = snapshot["verify_url"]
    badge = absolute_url("lms_certificates.badge_image")
    salt = secrets.token_hex(8)
    course_url = absolute_url("lms_learning.course", course_slug=snapshot["course"]["slug"])
    document: dict[str, Any] = {
        "@context": [VC_V2, OB_V3],
        "id": verify_url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": _in_languages(languages, lambda lang: _title(snapshot, lang)),
        "issuer": {
            "id": issuer_did,
            "type": ["Profile"],
            "name": snapshot["issuer"]["name"],
            "url": snapshot["issuer"]["url"],
            "image": {"id": badge, "type": "Image"},
        },
        "validFrom": _stamp(snapshot["issued_at"]),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "name": snapshot["learner"]["name"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": identity_hash(certificate.user.email, salt),
                    "identityType": "emailAddress",
                    "hashed": True,
                    "salt": salt,
                }
            ],
            "activityEndDate": _stamp(snapshot["completed_on"] + "T00:00:00"),
            "achievement": {
                "id": course_url,
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": _in_languages(languages, lambda lang: _title(snapshot, lang)),
                "description": _in_languages(
                    languages,
                    lambda lang: _(
                        "Certificate of the masterclass “%(title)s”", title=_title(snapshot, lang)
                    ),  # fmt: skip
                ),
                "criteria": {
                    "narrative": _in_languages(languages, lambda _l: criteria_text(criteria))
                },
                "image": {"id": badge, "type": "Image"},
                "inLanguage": languages[0],
            },
        },
        "evidence": _evidence(snapshot, languages),
        "credentialStatus": status.entry(certificate.id),
    }
    if snapshot.get("expires_on"):
        document["validUntil"] = _stamp(snapshot["expires_on"] + "T23:59:59")
    if not document["evidence"]:
        del document["evidence"]
    return document
