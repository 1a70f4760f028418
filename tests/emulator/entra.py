"""Microsoft Entra ID v2 endpoints: discovery, JWKS, device code, token (client_credentials,
device_code, refresh_token). Device codes are approved at once, as if the user had signed in."""
import re
import secrets

from . import data
from .wire import Response, oauth_error
from .tokens import client_info

_PATH = re.compile(r"^/(?P<tenant>[^/]+)/(?P<rest>v2\.0/\.well-known/openid-configuration|discovery/v2\.0/keys"
                   r"|oauth2/v2\.0/(?:token|devicecode|authorize))$")
_OIDC_SCOPES = {"openid", "profile", "offline_access"}
_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


class Entra:
    def __init__(self, issuer, settings):
        self.issuer = issuer
        self.settings = settings
        self._device_codes = {}  # device_code -> (user, scope asked for at the devicecode endpoint)
        self._refresh_tokens = {}  # refresh token -> (user, client_id)

    def handles(self, path):
        return _PATH.match(path) is not None

    def handle(self, request):
        match = _PATH.match(request.path)
        tenant_ref, rest = match.group("tenant"), match.group("rest")
        if tenant_ref not in ("organizations", "common") and data.tenant_by_ref(tenant_ref) is None:
            return oauth_error(400, "invalid_request", 90002, f"Tenant '{tenant_ref}' not found.")
        if rest.endswith("openid-configuration"):
            return Response(200, self._openid_configuration(tenant_ref))
        if rest.endswith("keys"):
            return Response(200, self.issuer.jwks())
        if request.method != "POST":
            return oauth_error(405, "invalid_request", 900561, "The endpoint only accepts POST requests.")
        if rest.endswith("devicecode"):
            return self._device_code(request.form())
        if rest.endswith("token"):
            return self._token(tenant_ref, request.form())
        return oauth_error(400, "invalid_request", 50011, "Interactive sign-in is not emulated; use device code.")

    def _openid_configuration(self, tenant_ref):
        tenant = data.tenant_by_ref(tenant_ref)
        base = f"{self.issuer.base_url}/{tenant_ref}"
        return {
            "issuer": self.issuer.issuer(tenant.tenant_id if tenant else "{tenantid}"),
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
            "jwks_uri": f"{base}/discovery/v2.0/keys",
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "tenant_region_scope": "WW",
        }

    def _device_code(self, form):
        device_code = secrets.token_urlsafe(24)
        # Auto-approved: the one emulated user signs in. The token request that follows carries no scope.
        self._device_codes[device_code] = (data.ALICE, form.get("scope", ""))
        user_code = secrets.token_hex(4).upper()
        verification = f"{self.issuer.base_url}/devicelogin"
        return Response(200, {
            "device_code": device_code, "user_code": user_code, "verification_uri": verification,
            "expires_in": 900, "interval": 1,
            "message": f"To sign in, use a web browser to open the page {verification} and enter the code "
                       f"{user_code} to authenticate. (The tokenguard emulator approves it at once.)"},
            note={"client_id": form.get("client_id")})

    def _token(self, tenant_ref, form):
        grant = form.get("grant_type", "")
        note = {"grant_type": grant, "client_id": form.get("client_id"), "scope": form.get("scope"),
                "claims": "claims" in form}
        handlers = {"client_credentials": self._client_credentials,
                    "urn:ietf:params:oauth:grant-type:device_code": self._device_code_grant,
                    "device_code": self._device_code_grant,
                    "refresh_token": self._refresh_token_grant}
        handler = handlers.get(grant)
        if handler is None:
            response = oauth_error(400, "unsupported_grant_type", 70003, f"Grant type '{grant}' is not supported.")
        else:
            response = handler(tenant_ref, form)
        response.note.update(note)
        return response

    def _resource_and_scopes(self, scope_text):
        """Split an OAuth scope string into (resource, [permissions]) the way Entra does."""
        scopes = [s for s in scope_text.split() if s not in _OIDC_SCOPES]
        if not scopes:
            return None, []
        first = scopes[0]
        if first.endswith("/.default"):
            return first[:-len("/.default")], [".default"]
        resource, _, permission = first.rpartition("/")
        permissions = [s.rpartition("/")[2] for s in scopes if s.startswith(resource + "/")]
        return (resource, permissions) if resource else (None, [permission])

    @staticmethod
    def _known_resource(resource):
        """Entra answers AADSTS500011 for a resource it has no service principal for, e.g. a URL with a path."""
        if _GUID.match(resource):
            return True
        match = re.match(r"^https://[^/]+/?$", resource)
        return match is not None

    def _resolve_resource(self, scope_text):
        resource, permissions = self._resource_and_scopes(scope_text or "")
        if resource is None:
            return None, None, oauth_error(400, "invalid_scope", 70011,
                                           f"The provided value for scope '{scope_text}' is not valid.")
        if not self._known_resource(resource):
            return None, None, oauth_error(400, "invalid_resource", 500011,
                                           f"The resource principal named {resource} was not found in the "
                                           "tenant. This can happen if the application has not been installed "
                                           "by the administrator of the tenant.")
        return resource, permissions, None

    def _client_credentials(self, tenant_ref, form):
        sp = data.service_principal(form.get("client_id", ""))
        tenant = data.tenant_by_ref(tenant_ref)
        if sp is None or tenant is None or sp.tenant_id != tenant.tenant_id:
            return oauth_error(400, "unauthorized_client", 700016,
                               f"Application with identifier '{form.get('client_id')}' was not found in the "
                               f"directory '{tenant_ref}'.")
        if not secrets.compare_digest(form.get("client_secret", ""), sp.secret):
            return oauth_error(401, "invalid_client", 7000215, "Invalid client secret provided.")
        resource, permissions, error = self._resolve_resource(form.get("scope"))
        if error:
            return error
        if permissions != [".default"]:
            return oauth_error(400, "invalid_scope", 1002012,
                               "The provided value for scope is not valid. Client credential flows must have a "
                               "scope value with /.default suffixed to the resource identifier.")
        lifetime = self.settings.token_lifetime
        token = self.issuer.access_token(tenant_id=tenant.tenant_id, audience=resource, client_id=sp.app_id,
                                         object_id=sp.object_id, lifetime=lifetime, roles=sp.roles)
        return Response(200, {"token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime,
                              "access_token": token}, note={"identity": sp.app_id, "aud": resource})

    def _device_code_grant(self, tenant_ref, form):
        user, scope = self._device_codes.pop(form.get("device_code", ""), (None, None))
        if user is None:
            return oauth_error(400, "expired_token", 70020, "The provided device code has expired or is unknown.")
        return self._user_tokens(tenant_ref, {**form, "scope": form.get("scope") or scope}, user)

    def _refresh_token_grant(self, tenant_ref, form):
        entry = self._refresh_tokens.get(form.get("refresh_token", ""))
        if entry is None:
            return oauth_error(400, "invalid_grant", 700082, "The refresh token has expired or was revoked.")
        user, client_id = entry
        if client_id != form.get("client_id"):
            return oauth_error(400, "invalid_grant", 70000, "The refresh token was issued to another client.")
        return self._user_tokens(tenant_ref, form, user)

    def _user_tokens(self, tenant_ref, form, user):
        tenant_id = user.home_tenant_id if tenant_ref in ("organizations", "common") else \
            data.tenant_by_ref(tenant_ref).tenant_id
        if tenant_id not in user.tenant_ids:
            return oauth_error(400, "invalid_grant", 50020, f"User account '{user.username}' does not exist in "
                                                            f"tenant '{tenant_ref}'.")
        resource, permissions, error = self._resolve_resource(form.get("scope"))
        if error:
            return error
        client_id = form.get("client_id", data.AZ_CLI_CLIENT_ID)
        lifetime = self.settings.token_lifetime
        scp = "user_impersonation" if permissions == [".default"] else " ".join(permissions)
        refresh_token = "tg-emu-rt." + secrets.token_urlsafe(48)
        self._refresh_tokens[refresh_token] = (user, client_id)
        body = {
            "token_type": "Bearer", "scope": " ".join(s for s in (form.get("scope") or "").split()),
            "expires_in": lifetime, "ext_expires_in": lifetime,
            "access_token": self.issuer.access_token(tenant_id=tenant_id, audience=resource, client_id=client_id,
                                                     object_id=user.object_id, lifetime=lifetime, scp=scp,
                                                     user=user),
            "refresh_token": refresh_token,
            "id_token": self.issuer.id_token(tenant_id=tenant_id, client_id=client_id, user=user,
                                             lifetime=lifetime),
            "client_info": client_info(user),
        }
        return Response(200, body, note={"identity": user.username, "aud": resource, "tenant": tenant_id})

