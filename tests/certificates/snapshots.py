"""A complete certificate snapshot, as the issuance code freezes it, for the rendering tests."""

from __future__ import annotations

import copy
from typing import Any

SERIAL = "SPP-2026-7K3M-Q9XD"
VERIFY_URL = f"https://lms.example.org/verify/{SERIAL}"
LATIN_NAME = "Fatima Zahra Ait Benhaddou"
ARABIC_NAME = "فاطمة الزهراء آيت بنحدو"

_SAMPLE: dict[str, Any] = {
    "serial": SERIAL,
    "learner": {"name": LATIN_NAME},
    "course": {
        "slug": "solving-public-problems",
        "titles": {
            "fr": "Résoudre les problèmes publics",
            "en": "Solving Public Problems",
            "ar": "حل المشكلات العمومية",
        },
        "hours": 24,
    },
    "languages": ["fr", "ar"],
    "wording": {
        "fr": "a suivi avec succès la masterclass",
        "en": "has successfully completed the masterclass",
        "ar": "تقديرًا لإتمام الماستر كلاس بنجاح",
    },
    "completed_on": "2026-11-20",
    "issued_at": "2026-11-25T17:00:00+00:00",
    "expires_on": None,
    "scores": {"quiz_average": 86, "attendance": 100},
    "signatories": [
        {
            "name": "Nadia El Amrani",
            "title": {
                "fr": "Directrice de l’Académie citoyenne",
                "en": "Director, Citizen Academy",
                "ar": "مديرة الأكاديمية المواطنة",
            },
        }
    ],
    "issuer": {"name": "Académie citoyenne", "url": "https://lms.example.org"},
    "logos": [],
    "verify_url": VERIFY_URL,
    "template": "default",
    "template_version": "1",
    "key_id": "0123456789abcdef",
}


def sample_snapshot(**changes: Any) -> dict[str, Any]:
    """A fresh copy of the sample; ``learner_name=...`` is a shortcut for the learner's name."""
    snapshot = copy.deepcopy(_SAMPLE)
    if "learner_name" in changes:
        snapshot["learner"] = {"name": changes.pop("learner_name")}
    snapshot.update(changes)
    return snapshot
