"""pylti1p3's tool configuration read from the registered platforms (the database)."""

from __future__ import annotations

from pylti1p3.deployment import Deployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config.abstract import ToolConfAbstract
from sqlalchemy import select

from curriculum.db import db

from .keys import current_private_key, public_pem
from .models import LtiPlatform


class DatabaseToolConf(ToolConfAbstract):
    """Registrations by issuer + client id; a disabled platform is not found (the launch is
    refused before it reads anything)."""

    def __init__(self) -> None:
        self._platforms: dict[tuple[str, str | None], LtiPlatform | None] = {}

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def platform(self, iss: str, client_id: str | None = None) -> LtiPlatform | None:
        key = (iss, client_id)
        if key not in self._platforms:
            query = select(LtiPlatform).where(LtiPlatform.issuer == iss)
            if client_id:
                query = query.where(LtiPlatform.client_id == client_id)
            self._platforms[key] = db.session.scalars(query.limit(1)).first()
        return self._platforms[key]

    def _registration(self, platform: LtiPlatform | None) -> Registration | None:
        if platform is None or not platform.enabled:
            return None
        _kid, pem = current_private_key()
        reg = Registration()
        reg.set_issuer(platform.issuer).set_client_id(platform.client_id)
        reg.set_auth_login_url(platform.auth_login_url).set_auth_token_url(
            platform.auth_token_url
        ).set_key_set_url(platform.key_set_url).set_tool_private_key(pem)
        reg.set_tool_public_key(public_pem(pem))
        return reg

    def find_registration_by_issuer(self, iss, *args, **kwargs):
        return self._registration(self.platform(iss))

    def find_registration_by_params(self, iss, client_id, *args, **kwargs):
        return self._registration(self.platform(iss, client_id))

    def find_deployment(self, iss, deployment_id):
        return self._deployment(self.platform(iss), deployment_id)

    def find_deployment_by_params(self, iss, deployment_id, client_id, *args, **kwargs):
        return self._deployment(self.platform(iss, client_id), deployment_id)

    @staticmethod
    def _deployment(platform: LtiPlatform | None, deployment_id: str) -> Deployment | None:
        if platform is None or deployment_id not in (platform.deployment_ids or []):
            return None
        return Deployment().set_deployment_id(deployment_id)
