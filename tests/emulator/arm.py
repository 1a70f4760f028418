"""Azure Resource Manager: tenants, subscriptions and resource groups, behind bearer-token checks.

Resource group delete is a long-running operation, as in Azure: 202 with a Location header, then 200.
"""
import re
import secrets

import jwt

from . import data
from .wire import Response, arm_error

ARM_AUDIENCES = ("https://management.core.windows.net/", "https://management.core.windows.net",
                 "https://management.azure.com/", "https://management.azure.com")

_SUBSCRIPTION = r"/subscriptions/(?P<sub>[^/]+)"
_ROUTES = [
    ("tenants", re.compile(r"^/tenants$")),
    ("subscriptions", re.compile(r"^/subscriptions$")),
    ("subscription", re.compile(rf"^{_SUBSCRIPTION}$")),
    ("groups", re.compile(rf"^{_SUBSCRIPTION}/resourcegroups$")),
    ("group", re.compile(rf"^{_SUBSCRIPTION}/resourcegroups/(?P<rg>[^/]+)$")),
    ("operation", re.compile(rf"^{_SUBSCRIPTION}/operationresults/(?P<op>[^/]+)$")),
    ("provider", re.compile(rf"^{_SUBSCRIPTION}/providers/(?P<namespace>[^/]+)$")),
    # A read-only POST action (az eventhubs namespace exists): answered, nothing changes.
    ("name-check", re.compile(rf"^{_SUBSCRIPTION}/providers/(?P<namespace>[^/]+)/checknameavailability$")),
    ("resources", re.compile(rf"^{_SUBSCRIPTION}/resources$")),
    # Subscription-scope deployments (az deployment sub ...): validated and "run" at once, nothing deployed.
    ("deployments", re.compile(rf"^{_SUBSCRIPTION}/providers/microsoft\.resources/deployments$")),
    ("deployment", re.compile(rf"^{_SUBSCRIPTION}/providers/microsoft\.resources/deployments/(?P<name>[^/]+)"
                              r"(?P<validate>/validate)?$")),
    # Any other resource in a group: nothing is stored, but the request is logged and answered as ARM would.
    ("resource", re.compile(rf"^{_SUBSCRIPTION}/resourcegroups/(?P<rg>[^/]+)/providers/.+$")),
]
SEED_GROUPS = ("rg1",)
# Resources that exist in every subscription's rg1 (az vm show, az resource list): (type, name) -> properties.
SEED_RESOURCES = {("Microsoft.Compute/virtualMachines", "vm1"): {"provisioningState": "Succeeded",
                                                                 "hardwareProfile": {"vmSize": "Standard_B1s"}}}


def _location_of(body):
    """A deployment's location. az splices the template text into the body unquoted (`template:{...}`), so the
    body is not JSON: read the one field needed."""
    match = re.search(rb'"location"\s*:\s*"([^"]*)"', body or b"")
    return match.group(1).decode() if match else None


class Arm:
    def __init__(self, issuer, base_url):
        self.issuer = issuer
        self.base_url = base_url
        self.groups = {}
        self.operations = set()
        self.deployments = {}
        self.reset()

    def reset(self):
        self.groups = {(s.subscription_id, name): {"name": name, "location": "westeurope", "tags": {}}
                       for s in data.SUBSCRIPTIONS for name in SEED_GROUPS}
        self.operations = set()
        self.deployments = {}

    def route(self, path):
        lowered = path.lower()
        for name, pattern in _ROUTES:
            match = pattern.match(lowered)
            if match:
                return name, match.groupdict()
        return None, None

    def handle(self, request):
        response = self._handle(request)
        caller = getattr(request, "caller", None)
        if caller:  # who asked, for tests that check the tenant and identity a command used
            response.note.update({"tenant": caller.get("tid"), "caller": caller.get("oid") or caller.get("appid")})
        return response

    def _handle(self, request):
        name, params = self.route(request.path)
        caller, error = self._authenticate(request)
        if error:
            return error
        request.caller = caller
        if name == "tenants":
            return Response(200, {"value": [self._tenant_json(t) for t in self._tenants_of(caller)]})
        if name == "subscriptions":
            subs = [s for s in data.SUBSCRIPTIONS if s.tenant_id == caller["tid"] and self._may_use(caller, s)]
            return Response(200, {"value": [self._subscription_json(s) for s in subs]})
        sub, error = self._subscription_for(caller, params["sub"])
        if error:
            return error
        if name == "subscription":
            return Response(200, self._subscription_json(sub))
        if name == "provider":
            return Response(200, self._provider_json(sub, params["namespace"]))
        if name == "resource":
            return self._seeded_resource(request, sub) or self._generic_resource(request)
        if name == "resources":
            return Response(200, {"value": [self._resource_json(sub, *key) for key in SEED_RESOURCES]})
        if name == "name-check":
            if request.method != "POST":
                return arm_error(405, "MethodNotAllowed", f"{request.method} is not supported here.")
            return Response(200, {"nameAvailable": True, "reason": None, "message": None})
        if name in ("deployments", "deployment"):
            return self._subscription_deployments(request, sub, params)
        return self._resource_groups(request, name, sub, params)

    # --- authentication -------------------------------------------------------------------------
    def _authenticate(self, request):
        token = request.bearer()
        if not token:
            return None, arm_error(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' "
                                                                "header is missing.")
        try:
            claims = self.issuer.verify(token)
        except jwt.ExpiredSignatureError:
            return None, arm_error(401, "ExpiredAuthenticationToken",
                                   "The access token expiry UTC time is earlier than current UTC time.")
        except jwt.PyJWTError as exc:
            return None, arm_error(401, "InvalidAuthenticationToken", f"The access token is invalid: {exc}")
        if claims.get("aud") not in ARM_AUDIENCES + (self.base_url, self.base_url + "/"):
            return None, arm_error(401, "InvalidAuthenticationTokenAudience",
                                   f"The access token has been obtained for wrong audience or resource "
                                   f"'{claims.get('aud')}'.")
        return claims, None

    @staticmethod
    def _identity(caller):
        if caller.get("idtyp") == "user":
            return data.user_by_object_id(caller["oid"])
        return data.service_principal(caller.get("appid", ""))

    def _may_use(self, caller, subscription):
        identity = self._identity(caller)
        return identity is not None and subscription.subscription_id in identity.subscriptions

    def _tenants_of(self, caller):
        identity = self._identity(caller)
        tenant_ids = getattr(identity, "tenant_ids", None) or (caller["tid"],)
        return [t for t in data.TENANTS if t.tenant_id in tenant_ids]

    def _subscription_for(self, caller, subscription_id):
        sub = data.subscription(subscription_id)
        if sub is None:
            return None, arm_error(404, "SubscriptionNotFound", f"The subscription '{subscription_id}' could not "
                                                                "be found.")
        if sub.tenant_id != caller["tid"]:
            return None, arm_error(401, "InvalidAuthenticationTokenTenant",
                                   f"The access token is from the wrong issuer. It must match the tenant "
                                   f"'{sub.tenant_id}' associated with this subscription.")
        if not self._may_use(caller, sub):
            return None, arm_error(403, "AuthorizationFailed", f"The client does not have authorization over "
                                                               f"subscription '{sub.subscription_id}'.")
        return sub, None

    # --- JSON shapes ----------------------------------------------------------------------------
    @staticmethod
    def _tenant_json(tenant):
        return {"id": f"/tenants/{tenant.tenant_id}", "tenantId": tenant.tenant_id, "tenantCategory": "Home",
                "displayName": tenant.display_name, "defaultDomain": tenant.default_domain,
                "domains": [tenant.default_domain], "tenantType": "AAD"}

    @staticmethod
    def _subscription_json(sub):
        return {"id": f"/subscriptions/{sub.subscription_id}", "subscriptionId": sub.subscription_id,
                "tenantId": sub.tenant_id, "displayName": sub.display_name, "state": "Enabled",
                "subscriptionPolicies": {"locationPlacementId": "Public_2014-09-01", "quotaId": "PayAsYouGo_2014-09-01",
                                         "spendingLimit": "Off"},
                "authorizationSource": "RoleBased", "managedByTenants": [], "tags": {}}

    @staticmethod
    def _group_json(sub, group):
        return {"id": f"/subscriptions/{sub.subscription_id}/resourceGroups/{group['name']}",
                "name": group["name"], "type": "Microsoft.Resources/resourceGroups",
                "location": group["location"], "tags": group["tags"],
                "properties": {"provisioningState": "Succeeded"}}

    @staticmethod
    def _provider_json(sub, namespace):
        """Enough of a resource provider for az to pick an api-version (az resource ... --ids)."""
        types = [{"resourceType": t, "locations": ["West Europe"], "apiVersions": ["2024-04-01"]}
                 for t in ("sites", "virtualNetworks", "vaults", "storageAccounts", "virtualMachines")]
        return {"id": f"/subscriptions/{sub.subscription_id}/providers/{namespace}", "namespace": namespace,
                "registrationState": "Registered", "resourceTypes": types}

    @staticmethod
    def _resource_json(sub, resource_type, name):
        return {"id": f"/subscriptions/{sub.subscription_id}/resourceGroups/rg1/providers/{resource_type}/{name}",
                "name": name, "type": resource_type, "location": "westeurope", "tags": {},
                "properties": dict(SEED_RESOURCES[(resource_type, name)])}

    def _seeded_resource(self, request, sub):
        """GET of a seeded resource; None for anything else (the generic answer)."""
        prefix = f"/subscriptions/{sub.subscription_id}/resourcegroups/rg1/providers/".lower()
        for resource_type, name in SEED_RESOURCES:
            if request.method == "GET" and request.path.lower() == f"{prefix}{resource_type}/{name}".lower():
                return Response(200, self._resource_json(sub, resource_type, name))
        return None

    @staticmethod
    def _generic_resource(request):
        if request.method == "DELETE":
            return Response(200, None)
        return arm_error(404, "ResourceNotFound", f"The Resource '{request.path}' was not found.")

    # --- subscription deployments ---------------------------------------------------------------
    def _subscription_deployments(self, request, sub, params):
        if "name" not in params:
            mine = [d for (sid, _), d in sorted(self.deployments.items()) if sid == sub.subscription_id]
            return Response(200, {"value": mine})
        key = (sub.subscription_id, params["name"])
        if params.get("validate") or request.method == "PUT":
            deployment = self._deployment_json(sub, request.path.split("/")[6], _location_of(request.body))
            if request.method == "PUT" and not params.get("validate"):
                existed = key in self.deployments
                self.deployments[key] = deployment
                return Response(200 if existed else 201, deployment)
            return Response(200, deployment)
        if key not in self.deployments:
            return arm_error(404, "DeploymentNotFound", f"Deployment '{params['name']}' could not be found.")
        if request.method == "DELETE":
            del self.deployments[key]
            return Response(200, None)
        return Response(200, self.deployments[key])

    @staticmethod
    def _deployment_json(sub, name, location):
        return {"id": f"/subscriptions/{sub.subscription_id}/providers/Microsoft.Resources/deployments/{name}",
                "name": name, "type": "Microsoft.Resources/deployments", "location": location,
                "properties": {"provisioningState": "Succeeded", "mode": "Incremental", "outputs": {},
                               "timestamp": "2026-01-01T00:00:00Z", "correlationId": secrets.token_hex(8)}}

    # --- resource groups ------------------------------------------------------------------------
    def _resource_groups(self, request, name, sub, params):
        if name == "groups":
            groups = [g for (sid, _), g in sorted(self.groups.items()) if sid == sub.subscription_id]
            return Response(200, {"value": [self._group_json(sub, g) for g in groups]})
        if name == "operation":
            done = params["op"] in self.operations
            return Response(200, {"status": "Succeeded"}) if done else arm_error(404, "NotFound", "No such operation.")
        key = (sub.subscription_id, params["rg"])
        group = self.groups.get(key)
        method = request.method
        if method == "PUT":
            body = request.json()
            existed = group is not None
            group = {"name": request.path.rsplit("/", 1)[1], "location": body.get("location", "westeurope"),
                     "tags": body.get("tags") or {}}
            self.groups[key] = group
            return Response(200 if existed else 201, self._group_json(sub, group))
        if group is None:
            return arm_error(404, "ResourceGroupNotFound", f"Resource group '{params['rg']}' could not be found.")
        if method in ("GET", "HEAD"):
            return Response(204 if method == "HEAD" else 200, None if method == "HEAD" else self._group_json(sub, group))
        if method == "PATCH":
            group["tags"] = request.json().get("tags", group["tags"])
            return Response(200, self._group_json(sub, group))
        if method == "DELETE":
            del self.groups[key]
            operation = secrets.token_hex(8)
            self.operations.add(operation)
            location = (f"{self.base_url}/subscriptions/{sub.subscription_id}/operationresults/{operation}"
                        "?api-version=2024-11-01")
            return Response(202, None, {"Location": location, "Retry-After": "0"})
        return arm_error(405, "MethodNotAllowed", f"{method} is not supported here.")
