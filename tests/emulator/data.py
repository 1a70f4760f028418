"""The emulator's directory: two tenants, three subscriptions, two service principals, one user.

Tests import these constants to know what to expect; the secrets are fake and only valid here.
"""
from dataclasses import dataclass, field

AZ_CLI_CLIENT_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"  # az's public client id


@dataclass(frozen=True)
class Tenant:
    tenant_id: str
    display_name: str
    default_domain: str


@dataclass(frozen=True)
class Subscription:
    subscription_id: str
    display_name: str
    tenant_id: str


@dataclass(frozen=True)
class ServicePrincipal:
    app_id: str
    object_id: str
    display_name: str
    tenant_id: str
    secret: str
    roles: tuple = ()
    subscriptions: tuple = ()


@dataclass(frozen=True)
class User:
    username: str
    object_id: str
    display_name: str
    home_tenant_id: str
    tenant_ids: tuple = ()
    subscriptions: tuple = field(default_factory=tuple)


CONTOSO = Tenant("2f4a9838-26b7-47ee-be60-ccc1fdec5953", "Contoso", "contoso.example")
FABRIKAM = Tenant("8c3dad1d-b6bc-4f8b-939b-8263372eced6", "Fabrikam", "fabrikam.example")
TENANTS = (CONTOSO, FABRIKAM)

CONTOSO_DEV = Subscription("0b1f6471-1bf0-4dda-aec3-111111111111", "contoso-dev", CONTOSO.tenant_id)
CONTOSO_PROD = Subscription("0b1f6471-1bf0-4dda-aec3-222222222222", "contoso-prod", CONTOSO.tenant_id)
FABRIKAM_SANDBOX = Subscription("6d2a3c55-7f3e-4a41-9b6e-333333333333", "fabrikam-sandbox", FABRIKAM.tenant_id)
SUBSCRIPTIONS = (CONTOSO_DEV, CONTOSO_PROD, FABRIKAM_SANDBOX)

DEPLOY_BOT = ServicePrincipal(
    app_id="5a1b2c3d-0000-4000-8000-00000000d3b0", object_id="9e2f2d0c-0000-4000-8000-0000000000b1",
    display_name="deploy-bot", tenant_id=CONTOSO.tenant_id,
    secret="tg-emulator-deploy-bot-secret-Q7v~xP2",
    roles=("Deployments.ReadWrite.All",),
    subscriptions=(CONTOSO_DEV.subscription_id, CONTOSO_PROD.subscription_id))
CI_RUNNER = ServicePrincipal(
    app_id="7c4d5e6f-0000-4000-8000-0000000c1a00", object_id="9e2f2d0c-0000-4000-8000-0000000000b2",
    display_name="ci-runner", tenant_id=FABRIKAM.tenant_id,
    secret="tg-emulator-ci-runner-secret-Z3k~aR9",
    roles=("Pipelines.Run",),
    subscriptions=(FABRIKAM_SANDBOX.subscription_id,))
SERVICE_PRINCIPALS = (DEPLOY_BOT, CI_RUNNER)

ALICE = User(
    username="alice@contoso.example", object_id="3f6c1a2b-0000-4000-8000-00000000a11c",
    display_name="Alice Admin", home_tenant_id=CONTOSO.tenant_id,
    tenant_ids=(CONTOSO.tenant_id, FABRIKAM.tenant_id),
    subscriptions=(CONTOSO_DEV.subscription_id, CONTOSO_PROD.subscription_id, FABRIKAM_SANDBOX.subscription_id))
USERS = (ALICE,)


def tenant_by_ref(ref):
    """Find a tenant by id or domain (case-insensitive), as Entra accepts either in the authority."""
    ref = (ref or "").lower()
    for tenant in TENANTS:
        if ref in (tenant.tenant_id, tenant.default_domain):
            return tenant
    return None


def service_principal(app_id):
    return next((sp for sp in SERVICE_PRINCIPALS if sp.app_id == app_id), None)


def user_by_object_id(object_id):
    return next((user for user in USERS if user.object_id == object_id), None)


def subscription(subscription_id):
    return next((s for s in SUBSCRIPTIONS if s.subscription_id == subscription_id.lower()), None)
