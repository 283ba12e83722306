"""LinkedIn's "Add to profile" link for a certificate (the add-to-profile URL documented at
https://addtoprofile.linkedin.com/): the certificate's name, the organisation, the issue date,
the serial as certificate id and the verify page as URL."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

ADD_TO_PROFILE = "https://www.linkedin.com/profile/add"


def add_to_profile_url(name: str, organisation: str, issued_at: datetime, serial: str,
                       verify_url: str, expires_at: datetime | None = None) -> str:  # fmt: skip
    params = {
        "startTask": "CERTIFICATION_NAME",
        "name": name,
        "organizationName": organisation,
        "issueYear": issued_at.year,
        "issueMonth": issued_at.month,
        "certId": serial,
        "certUrl": verify_url,
    }
    if expires_at is not None:
        params.update(expirationYear=expires_at.year, expirationMonth=expires_at.month)
    return f"{ADD_TO_PROFILE}?{urlencode(params)}"


def for_certificate(certificate, language: str) -> str:
    """The link for one of our certificates (its title in ``language``)."""
    snapshot = certificate.snapshot
    titles = snapshot["course"].get("titles") or {}
    name = titles.get(language) or next(iter(titles.values()), snapshot["course"]["slug"])
    return add_to_profile_url(name, snapshot["issuer"]["name"], certificate.issued_at,
                              certificate.serial, snapshot["verify_url"], certificate.expires_at)  # fmt: skip
