"""The test platform (``lti1p3platform``) as the platform side of LTI Dynamic Registration 1.0,
which that package lacks: its OpenID configuration with the LTI platform configuration, and a
registration endpoint that checks the Bearer registration token and the tool's client metadata,
assigns a client id and a deployment id and answers with the registration. Launches then go
through the registration the tool asked for (its login, launch and JWKS URLs)."""

from __future__ import annotations

import json
from html import escape
from importlib.metadata import version
from urllib.parse import urlencode, urlsplit

from werkzeug.wrappers import Request, Response

from .platform import TestPlatform

PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
]
MESSAGES = ["LtiResourceLinkRequest", "LtiDeepLinkingRequest"]


class RegisteringPlatform(TestPlatform):
    """``registration_url(link)``: what the platform opens when its administrator pastes the
    tool's registration link. ``failure`` makes the registration endpoint misbehave ("status",
    "json", "no_client_id"); ``advertised_issuer`` makes the configuration name another issuer;
    ``reuse_client`` answers with the client id of the previous registration."""

    registration_token = "registration-token-of-the-platform"

    def __init__(self, tool_url: str):
        super().__init__(tool_url)
        self.issuer = self.url  # the spec: the issuer is the site that serves the configuration
        self.client_id = "not-registered-yet"
        self.deployment_id = "not-registered-yet"
        self.tool: dict | None = None
        self.registration = self._registration(self.private_key)
        self.failure: str | None = None
        self.advertised_issuer: str | None = None
        self.reuse_client = False
        self.requests: list[dict] = []  # the registration requests the tool sent (JSON bodies)
        self._registered = 0

    @property
    def openid_configuration_url(self) -> str:
        return self.url + "/.well-known/openid-configuration"

    def registration_url(self, link: str, registration_token: str | None = None) -> str:
        query = {"openid_configuration": self.openid_configuration_url,
                 "registration_token": registration_token or self.registration_token}  # fmt: skip
        separator = "&" if "?" in link else "?"
        return link + separator + urlencode(query)

    def _registration(self, private_key: str):
        reg = super()._registration(private_key)
        if getattr(self, "tool", None):  # launches follow what the tool registered
            reg.set_oidc_login_url(self.tool["initiate_login_uri"])
            reg.set_launch_url(self.tool[TOOL_CONFIGURATION]["target_link_uri"])
            reg.set_tool_key_set_url(self.tool["jwks_uri"])
        return reg

    def _wsgi(self, environ, start_response):
        request = Request(environ)
        if request.path == "/.well-known/openid-configuration" and request.method == "GET":
            response = self._json(self.configuration())
        elif request.path == "/register" and request.method == "POST":
            response = self._register(request)
        elif request.path == "/admin/tool-registration":
            response = Response(self._registration_page(request.args["link"]), mimetype="text/html")
        else:
            return super()._wsgi(environ, start_response)
        return response(environ, start_response)

    def _registration_page(self, link: str) -> str:
        """The platform's page that frames the tool's registration link (as Moodle and Canvas
        do) and removes the frame when the tool posts the spec's close message."""
        return f"""<!doctype html><html lang="en"><title>Register a tool</title>
<p id="state">registering</p>
<iframe id="tool" title="tool" width="800" height="500"
  src="{escape(self.registration_url(link))}"></iframe>
<script>
window.addEventListener("message", function (event) {{
  if (event.data && event.data.subject === "org.imsglobal.lti.close") {{
    document.getElementById("tool").remove();
    document.getElementById("state").textContent = "closed by " + event.origin;
  }}
}});
</script></html>"""

    @staticmethod
    def _json(body, status: int = 200) -> Response:
        return Response(json.dumps(body), status=status, mimetype="application/json")

    def configuration(self) -> dict:
        return {
            "issuer": self.advertised_issuer or self.issuer,
            "authorization_endpoint": self.url + "/auth",
            "token_endpoint": self.url + "/token",
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
            "jwks_uri": self.url + "/jwks",
            "registration_endpoint": self.url + "/register",
            "scopes_supported": ["openid", *SCOPES],
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public", "pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "claims_supported": ["sub", "iss", "name", "given_name", "family_name", "email"],
            PLATFORM_CONFIGURATION: {
                "product_family_code": "lti1p3platform",
                "version": version("lti1p3platform"),
                "messages_supported": [{"type": kind} for kind in MESSAGES],
                "variables": ["ResourceLink.id", "Context.id", "Person.name.full"],
            },
        }

    def _register(self, request: Request) -> Response:
        if request.headers.get("Authorization") != f"Bearer {self.registration_token}":
            return self._json({"error": "invalid_token"}, 401)
        try:
            metadata = json.loads(request.get_data(as_text=True))
        except ValueError:
            return self._json({"error": "invalid_client_metadata"}, 400)
        self.requests.append(metadata)
        problem = self._metadata_problem(metadata)
        if problem:
            return self._json({"error": "invalid_client_metadata", "error_description": problem},
                              400)  # fmt: skip
        if self.failure == "status":
            return self._json({"error": "server_error",
                               "error_description": "The registration store is down."}, 503)  # fmt: skip
        if self.failure == "json":
            return Response("<html>Registered!</html>", mimetype="text/html")
        if not self.reuse_client or not self._registered:
            self.client_id = f"dynamic-client-{self._registered + 1}"
        self._registered += 1
        self.deployment_id = f"dynamic-deployment-{self._registered}"
        answer = {**metadata, "client_id": self.client_id,
                  "scope": " ".join(s for s in metadata["scope"].split() if s in SCOPES)}  # fmt: skip
        answer[TOOL_CONFIGURATION] = {**metadata[TOOL_CONFIGURATION],
                                      "deployment_id": self.deployment_id}  # fmt: skip
        if self.failure == "no_client_id":
            del answer["client_id"]
            return self._json(answer)
        self.tool = metadata
        self.registration = self._registration(self.private_key)
        return self._json(answer)

    @staticmethod
    def _metadata_problem(metadata: dict) -> str | None:
        """What the spec requires of the tool's registration request, as a platform checks it."""
        tool = metadata.get(TOOL_CONFIGURATION) or {}
        required = ("initiate_login_uri", "redirect_uris", "jwks_uri", "client_name", "scope")
        if missing := [key for key in required if not metadata.get(key)]:
            return f"missing {', '.join(missing)}"
        if metadata.get("application_type") != "web":
            return "application_type must be web"
        if "id_token" not in metadata.get("response_types", []):
            return "response_types must include id_token"
        if not {"implicit", "client_credentials"} <= set(metadata.get("grant_types", [])):
            return "grant_types must include implicit and client_credentials"
        if metadata.get("token_endpoint_auth_method") != "private_key_jwt":
            return "token_endpoint_auth_method must be private_key_jwt"
        if not tool.get("domain") or not tool.get("target_link_uri"):
            return "the LTI tool configuration needs a domain and a target_link_uri"
        uris = [tool["target_link_uri"], metadata["initiate_login_uri"], *metadata["redirect_uris"]]
        if any(urlsplit(uri).netloc != tool["domain"] for uri in uris):
            return "every URI must be on the tool's domain"
        for message in tool.get("messages", []):
            if message.get("type") not in MESSAGES:
                return f"unsupported message {message.get('type')}"
            if message.get("target_link_uri") not in (None, *metadata["redirect_uris"]):
                return "a message's target_link_uri must be a redirect URI"
        return None
