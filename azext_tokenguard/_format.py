"""Table transformers (-o table), and control characters kept off the terminal in table and tsv output."""
import functools
from collections import OrderedDict

# knack prints the strings of table and tsv output as they are; JSON and YAML escape control characters.
TERMINAL_FORMATS = ("table", "tsv")
# Shell code for eval, written by tokenguard itself: its newlines are meant.
SHELL_CODE_COMMANDS = ("tokenguard shell-init", "tokenguard pin", "tokenguard use")


def printable(value):
    """``value`` with every non-printable character of its strings, dict keys included, shown as '?'.

    A file name in someone's home, a token's claims or a command line in a script may carry escape sequences
    (set the window title, clear the screen, fake the output) or tabs and newlines (fake tsv rows): they must
    not reach the terminal of whoever reads the table. Dicts keep their order (tsv prints an OrderedDict in
    order), numbers and booleans stay as they are."""
    if isinstance(value, str):
        return value if value.isprintable() else "".join(c if c.isprintable() else "?" for c in value)
    if isinstance(value, dict):
        kind = OrderedDict if isinstance(value, OrderedDict) else dict
        return kind((printable(key), printable(item)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return [printable(item) for item in value]
    return value


def clean_for_terminal(cli_ctx, **kwargs):
    """knack's filter-result event: a tokenguard result printed as a table or tsv, made printable.

    -o tsv prints the result itself and --query skips the table transformer, so cleaning the rows of the
    transformers alone is not enough: this runs on the result, for every output that goes to a terminal."""
    command = cli_ctx.data.get("command") or ""
    if not command.startswith("tokenguard ") or command in SHELL_CODE_COMMANDS:
        return
    if cli_ctx.invocation.data.get("output") in TERMINAL_FORMATS:
        kwargs["event_data"]["result"] = printable(kwargs["event_data"]["result"])


def register_output_cleaning(cli_ctx):
    """Clean table and tsv output of every tokenguard command (once per process, however often loaded)."""
    from knack.events import EVENT_INVOKER_FILTER_RESULT
    cli_ctx.unregister_event(EVENT_INVOKER_FILTER_RESULT, clean_for_terminal)
    cli_ctx.register_event(EVENT_INVOKER_FILTER_RESULT, clean_for_terminal)


def _rows_printable(transformer):
    """A table transformer whose rows are printable, whatever reaches it."""
    @functools.wraps(transformer)
    def rows(result):
        return printable(transformer(result))
    return rows


def _named(name, ident):
    return f"{name} ({ident})" if name and ident and name != ident else (name or ident or "")


@_rows_printable
def status_table(result):
    tenant, subscription = result["tenant"], result["subscription"]
    identity, cache = result["identity"], result["tokenCache"]
    return [OrderedDict([
        ("Cloud", result["cloud"]),
        ("Tenant", _named(tenant.get("displayName"), tenant.get("id"))),
        ("Subscription", _named(subscription.get("name"), subscription.get("id"))
         + (" [this shell]" if result.get("selection") else "")),
        ("Identity", f"{identity['type']}: {identity.get('name')}"),
        ("TokenCache", cache["path"]),
        ("Encrypted", "yes" if cache["encrypted"] else "no"),
        ("Vault", _vault_cell(result.get("vault") or {})),
    ])]


def policy_table(result):
    """The policy on one row, the protected list included (table output leaves out lists otherwise)."""
    row = OrderedDict([("Protected", ", ".join(result.get("protected") or []) or "none"),
                       ("ContextLine", result.get("contextLine")), ("DeviceCode", result.get("deviceCode")),
                       ("CiUserLogin", result.get("ciUserLogin")), ("Mode", result.get("mode")),
                       ("Path", result.get("path"))])
    if result.get("error"):
        row["Error"] = result["error"]
    return [row]


def _vault_cell(vault):
    state = vault.get("state", "none")
    return f"{state} ({vault['timeLeft']} left)" if state == "unlocked" and vault.get("timeLeft") else state


# `az account get-access-token -o tsv` prints these columns, in this order (a plain dict's keys, sorted).
AZ_ACCESS_TOKEN_COLUMNS = ("accessToken", "expiresOn", "expires_on", "subscription", "tenant", "tokenType")


def az_columns_first(result):
    """get-token's result with az's columns first, in az's order, then the summary: -o tsv keeps this order
    for an OrderedDict, so a script that reads az's columns by position reads the same ones here."""
    if not isinstance(result, dict) or "accessToken" not in result:
        return result  # --list-resources, or a --query that picked something else
    ordered = OrderedDict((key, result[key]) for key in AZ_ACCESS_TOKEN_COLUMNS if key in result)
    ordered.update((key, result[key]) for key in sorted(result) if key not in ordered)
    return ordered


@_rows_printable
def get_token_table(result):
    if isinstance(result, list):  # --list-resources
        return [OrderedDict([("Alias", r["alias"]), ("Resource", r["resource"] or "(none in this cloud)"),
                             ("Source", r["source"])]) for r in result]
    # The table is for people: it shows when and what, never the token itself.
    return [OrderedDict([("Audience", result.get("audience")), ("IdentityType", result.get("identityType")),
                         ("ExpiresAt", result.get("expiresAt")), ("SecondsRemaining", result.get("secondsRemaining")),
                         ("Source", result.get("tokenSource")), ("Tenant", result.get("tenant"))])]


@_rows_printable
def decode_table(result):
    rows = [OrderedDict([("Claim", name), ("Value", str(value))]) for name, value in result["claims"].items()]
    for name, times in result["times"].items():
        rows.append(OrderedDict([("Claim", f"{name} (UTC)"), ("Value", f"{times['utc']} ({times['relative']})")]))
    rows.extend(OrderedDict([("Claim", "WARNING"), ("Value", warning)]) for warning in result["warnings"])
    return rows


@_rows_printable
def scan_table(result):
    return [OrderedDict([("Severity", f["severity"]), ("Rule", f["id"]), ("Path", f["path"]),
                         ("Finding", f["message"]), ("Fix", f["fix"])]) for f in result["findings"]]


@_rows_printable
def logout_table(result):
    removed_key = "wouldRemove" if result["dryRun"] else "removed"
    action = "would remove" if result["dryRun"] else "removed"
    rows = [OrderedDict([("Action", action), ("Path", r["path"]), ("Why", r["reason"])]) for r in result[removed_key]]
    rewrite_key = "wouldRewrite" if result["dryRun"] else "rewritten"
    rows += [OrderedDict([("Action", "emptied subscriptions"), ("Path", r["path"]), ("Why", r.get("reason", ""))])
             for r in result[rewrite_key]]
    rows += [OrderedDict([("Action", "kept"), ("Path", k["path"]), ("Why", k["reason"])]) for k in result["kept"]]
    return rows


@_rows_printable
def classify_table(result):
    return [OrderedDict(([("Line", r["line"])] if "line" in r else []) +
                        [("Class", r["class"]), ("Command", r["command"]), ("Reason", r["reason"])]) for r in result]


@_rows_printable
def audit_table(result):
    return [OrderedDict([("Time", r.get("time")), ("Decision", r.get("decision")), ("How", r.get("how")),
                         ("Subscription", r.get("subscription") or r.get("subscriptionId")),
                         ("Command", r.get("request") or r.get("command"))]) for r in result]
