"""Forms of the LTI platforms' administration: field validation only (uniqueness and the
checks that need the database are in ``platforms``)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError


def strip(value):
    return value.strip() if isinstance(value, str) else value


def lines(text: str | None) -> list[str]:
    """The non-empty lines of a text area, without duplicates, in order."""
    seen: list[str] = []
    for line in (text or "").splitlines():
        line = line.strip()
        if line and line not in seen:
            seen.append(line)
    return seen


def is_web_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in value


class WebUrl:
    """An http(s) address with a host."""

    def __call__(self, form, field):
        if field.data and not is_web_url(field.data):
            raise ValidationError(_l("Enter a full web address starting with https://"))


class Origins:
    """One web origin a line (scheme, host and port only)."""

    def __call__(self, form, field):
        for line in lines(field.data):
            parts = urlsplit(line)
            if not is_web_url(line) or parts.path not in ("", "/") or parts.query:
                raise ValidationError(
                    _l("Not a web origin (like https://school.example.org): %(line)s", line=line)
                )


class DeploymentIds:
    def __call__(self, form, field):
        ids = lines(field.data)
        if not ids:
            raise ValidationError(_l("Enter at least one deployment id (one a line)."))
        if any(len(item) > 255 for item in ids):
            raise ValidationError(_l("A deployment id has at most 255 characters."))


class PlatformForm(FlaskForm):
    name = StringField(_l("Name"), filters=[strip], validators=[DataRequired(), Length(max=200)])
    issuer = StringField(
        _l("Issuer"), filters=[strip], validators=[DataRequired(), Length(max=500), WebUrl()]
    )
    client_id = StringField(
        _l("Client id"), filters=[strip], validators=[DataRequired(), Length(max=200)]
    )
    deployment_ids = TextAreaField(_l("Deployment ids (one a line)"), validators=[DeploymentIds()])
    auth_login_url = StringField(
        _l("OIDC authentication URL"),
        filters=[strip],
        validators=[DataRequired(), Length(max=1000), WebUrl()],
    )
    auth_token_url = StringField(
        _l("Access token URL"),
        filters=[strip],
        validators=[DataRequired(), Length(max=1000), WebUrl()],
    )
    key_set_url = StringField(
        _l("Public keyset (JWKS) URL"),
        filters=[strip],
        validators=[DataRequired(), Length(max=1000), WebUrl()],
    )
    frame_origins = TextAreaField(
        _l("Other origins that show the tool in a frame (one a line)"), validators=[Origins()]
    )

    def values(self) -> dict:
        """The platform's fields, from the submitted form."""
        return {
            "name": self.name.data,
            "issuer": self.issuer.data,
            "client_id": self.client_id.data,
            "deployment_ids": lines(self.deployment_ids.data),
            "auth_login_url": self.auth_login_url.data,
            "auth_token_url": self.auth_token_url.data,
            "key_set_url": self.key_set_url.data,
            "frame_origins": [line.rstrip("/") for line in lines(self.frame_origins.data)],
        }

    def fill(self, platform) -> None:
        for name in ("name", "issuer", "client_id", "auth_login_url", "auth_token_url"):
            getattr(self, name).data = getattr(platform, name)
        self.key_set_url.data = platform.key_set_url
        self.deployment_ids.data = "\n".join(platform.deployment_ids or [])
        self.frame_origins.data = "\n".join(platform.frame_origins or [])


class RegistrationLinkForm(FlaskForm):
    label = StringField(
        _l("Name of the platform (optional)"), filters=[strip], validators=[Length(max=200)]
    )
