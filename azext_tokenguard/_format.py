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


def get_token_table(result):
    if isinstance(result, list):  # --list-resources
        return [OrderedDict([("Alias", r["alias"]), ("Resource", r["resource"] or "(none in this cloud)"),
                             ("Source", r["source"])]) for r in result]
    # The table is for people: it shows when and what, never the token itself.
    return [OrderedDict([("Audience", result.get("audience")), ("IdentityType", result.get("identityType")),
                         ("ExpiresAt", result.get("expiresAt")), ("SecondsRemaining", result.get("secondsRemaining")),
                         ("Source", result.get("tokenSource")), ("Tenant", result.get("tenant"))])]


def decode_table(result):
    rows = [OrderedDict([("Claim", name), ("Value", str(value))]) for name, value in result["claims"].items()]
    for name, times in result["times"].items():
        rows.append(OrderedDict([("Claim", f"{name} (UTC)"), ("Value", f"{times['utc']} ({times['relative']})")]))
    rows.extend(OrderedDict([("Claim", "WARNING"), ("Value", warning)]) for warning in result["warnings"])
    return rows


def scan_table(result):
    return [OrderedDict([("Severity", f["severity"]), ("Rule", f["id"]), ("Path", f["path"]),
                         ("Finding", f["message"]), ("Fix", f["fix"])]) for f in result["findings"]]


def logout_table(result):
    removed_key = "wouldRemove" if result["dryRun"] else "removed"
    action = "would remove" if result["dryRun"] else "removed"
    rows = [OrderedDict([("Action", action), ("Path", r["path"]), ("Why", r["reason"])]) for r in result[removed_key]]
    rewrite_key = "wouldRewrite" if result["dryRun"] else "rewritten"
    rows += [OrderedDict([("Action", "emptied subscriptions"), ("Path", r["path"]), ("Why", r.get("reason", ""))])
             for r in result[rewrite_key]]
    rows += [OrderedDict([("Action", "kept"), ("Path", k["path"]), ("Why", k["reason"])]) for k in result["kept"]]
    return rows


def classify_table(result):
    return [OrderedDict(([("Line", r["line"])] if "line" in r else []) +
                        [("Class", r["class"]), ("Command", r["command"]), ("Reason", r["reason"])]) for r in result]


def audit_table(result):
    return [OrderedDict([("Time", r.get("time")), ("Decision", r.get("decision")), ("How", r.get("how")),
                         ("Subscription", r.get("subscription") or r.get("subscriptionId")),
                         ("Command", r.get("command"))]) for r in result]
