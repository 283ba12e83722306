"""A real LTI 1.3 platform (the ``lti1p3platform`` package, another team's implementation) for
the tests: its JWKS served on a loopback port, its OIDC login and launch driven by the test."""

from __future__ import annotations

import json
import threading
from urllib.parse import parse_qsl, urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"


def new_private_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def public_of(private_pem: str) -> str:
    key = serialization.load_pem_private_key(private_pem.encode(), None)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


class _Conf(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, **kwargs):
        self._registration = kwargs["registration"]

    def get_registration_by_params(self, **kwargs):
        return self._registration


class _Login(OIDCLoginAbstract):
    def set_lti_message_hint(self, **kwargs):
        self._lti_message_hint = kwargs.get("hint", "resource-link")

    def get_redirect(self, url):
        return url


class _Launch(LTIAdvantageMessageLaunchAbstract):
    def __init__(self, preflight: dict, conf):
        super().__init__(None, conf)
        self._preflight = preflight

    def get_preflight_response(self):
        return self._preflight

    def render_launch_form(self, launch_data, **kwargs):
        return launch_data


class TestPlatform:
    """``login(sub, roles, ...)`` → the tool's OIDC login URL; ``launch(query, ...)`` → the form
    the platform's browser posts to the tool (``state``, ``id_token``, ``launch_url``)."""

    issuer = "http://platform.test"
    client_id = "tool-client-1"
    deployment_id = "deployment-1"
    #: answer several requests at once (one at a time by default)
    threaded = False

    def __init__(self, tool_url: str):
        self.private_key = new_private_key()
        self.tool_url = tool_url
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=self.threaded)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.registration = self._registration(self.private_key)

    def _registration(self, private_key: str) -> Registration:
        reg = Registration()
        reg.set_iss(self.issuer).set_client_id(self.client_id).set_deployment_id(
            self.deployment_id
        ).set_launch_url(self.tool_url + "/lti/launch").set_oidc_login_url(
            self.tool_url + "/lti/login"
        ).set_platform_public_key(public_of(private_key)).set_platform_private_key(private_key)
        reg.set_tool_key_set_url(self.tool_url + "/lti/jwks.json")
        return reg

    def _wsgi(self, environ, start_response):
        request = Request(environ)
        if request.path == "/jwks":
            keys = {"keys": self.registration.get_jwks()}
            return Response(json.dumps(keys), mimetype="application/json")(environ, start_response)
        return Response("not found", status=404)(environ, start_response)

    def platform_fields(self) -> dict:
        return {
            "name": "Test platform",
            "issuer": self.issuer,
            "client_id": self.client_id,
            "deployment_ids": [self.deployment_id],
            "auth_login_url": self.url + "/auth",
            "auth_token_url": self.url + "/token",
            "key_set_url": self.url + "/jwks",
        }

    def login_url(self, sub: str = "user-1", target_link_uri: str | None = None) -> str:
        login = _Login(None, _Conf(registration=self.registration))
        login.set_lti_message_hint()
        if target_link_uri:
            login.set_launch_url(target_link_uri)
        return login.initiate_login(sub)

    def launch(self, auth_redirect: str, sub: str = "user-1", roles=(LEARNER,), name="Amina Tazi",
               email="amina@example.org", context=("ctx-1", "Civic education 2026"),
               custom=None, key: str | None = None, target: str = "civics", expiration: int = 300,
               deployment_id: str | None = None, aud: str | None = None,
               extra: dict | None = None, drop: tuple = (),
               resource_link: str = "link-1") -> dict:  # fmt: skip
        """The platform's answer to the tool's authentication request (its redirect URL)."""
        preflight = dict(parse_qsl(urlsplit(auth_redirect).query))
        reg = self._registration(key or self.private_key)
        if deployment_id:
            reg.set_deployment_id(deployment_id)
        launch = _Launch(preflight, _Conf(registration=reg))
        launch.set_launch_url(f"{self.tool_url}/lti/launch?target={target}")
        launch.set_user_data(sub, list(roles), full_name=name, email_address=email)
        if context:
            launch.set_launch_context_claim(context[0], context_title=context[1])
        launch.set_resource_link_claim(resource_link)
        if custom:
            launch.set_custom_parameters_claim(custom)
        launch.set_id_token_expiration(expiration)
        claims = dict(extra or {})
        if aud:
            claims["aud"] = aud
        launch.set_extra_claims(claims)
        if drop:
            original = launch.get_launch_message

            def without(include_extra_claims=True):
                message = original(include_extra_claims)
                for name_ in drop:
                    message.pop(name_, None)
                return message

            launch.get_launch_message = without
        if key and key != self.private_key:
            # the header's kid names the platform's real key: only the signature is wrong
            reg.get_kid = lambda: self.registration.get_kid()
        return launch.lti_launch()

    def close(self) -> None:
        self._server.shutdown()
