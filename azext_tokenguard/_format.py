"""Table transformers (-o table)."""
from collections import OrderedDict


def _named(name, ident):
    return f"{name} ({ident})" if name and ident and name != ident else (name or ident or "")


def status_table(result):
    tenant, subscription = result["tenant"], result["subscription"]
    identity, cache = result["identity"], result["tokenCache"]
    return [OrderedDict([
        ("Cloud", result["cloud"]),
        ("Tenant", _named(tenant.get("displayName"), tenant.get("id"))),
        ("Subscription", _named(subscription.get("name"), subscription.get("id"))),
        ("Identity", f"{identity['type']}: {identity.get('name')}"),
        ("TokenCache", cache["path"]),
        ("Encrypted", "yes" if cache["encrypted"] else "no"),
    ])]
