"""Arguments of the tokenguard commands."""
from azure.cli.core._completers import get_subscription_id_list
from azure.cli.core.commands.parameters import get_enum_type, get_three_state_flag
from azure.cli.core.decorators import Completer

from azext_tokenguard import _validators as v
from azext_tokenguard.guard.az_files import SHELLS as SHELL_NAMES
from azext_tokenguard.tokens.resources import AZ_RESOURCE_TYPES

SHELLS = get_enum_type(list(SHELL_NAMES))


@Completer
def resource_alias_completer(cmd, prefix, namespace, **kwargs):  # pylint: disable=unused-argument
    """Tab completion for --resource: the aliases (a URI or app id is typed in full)."""
    from azext_tokenguard.tokens.resources import ALIASES
    return list(ALIASES)


def load_arguments(self, _):
    # `status` takes only az's global arguments; az's global --subscription already selects the account
    # that Profile.get_subscription() returns, so it is not declared again there.
    with self.argument_context("tokenguard get-token") as c:
        c.argument("resource", options_list=["--resource", "-r"], completer=resource_alias_completer,
                   help="Resource alias (arm, graph, keyvault, storage, ...) or URI. Defaults to arm.")
        c.argument("scopes", options_list=["--scope"], nargs="+", validator=v.validate_resource_or_scope,
                   help="Space-separated scopes in Microsoft Entra v2.0, instead of --resource.")
        c.argument("subscription", options_list=["--subscription", "-s"], completer=get_subscription_id_list,
                   help="Name or ID of the subscription whose account gets the token.")
        c.ignore("_subscription")  # the explicit --subscription above replaces az's global one, as in az account
        c.argument("tenant", options_list=["--tenant", "-t"], validator=v.validate_subscription_or_tenant,
                   help="Tenant ID for which the token is acquired.")
        c.argument("min_validity", options_list=["--min-validity", "-m"], validator=v.validate_get_token_min_validity,
                   help="Least time the returned token must still be valid, e.g. 45m, 1h, 300s or 300.")
        c.argument("list_resources", options_list=["--list-resources", "-l"], action="store_true",
                   help="List the resource aliases and what they resolve to in the active cloud.")
        c.argument("resource_type", options_list=["--resource-type"], arg_type=get_enum_type(list(AZ_RESOURCE_TYPES)),
                   help="Type of well-known resource, as in az account get-access-token. --resource wins over it.")
    with self.argument_context("tokenguard decode") as c:
        c.argument("token", options_list=["--token"],
                   help="The token to decode. Prefer standard input: a token on the command line lands in "
                        "shell history.")
        c.argument("file", options_list=["--file", "-f"], validator=v.validate_token_or_file,
                   help="A file that holds the token.")
    with self.argument_context("tokenguard scan") as c:
        c.argument("paths", options_list=["--path", "-p"], nargs="+",
                   help="Further directories to scan, such as a mounted VM image.")
        c.argument("fail_on", options_list=["--fail-on"], arg_type=get_enum_type(["high", "medium", "low"]),
                   help="Exit non-zero when a finding has this severity or higher.")
        c.argument("sarif", options_list=["--sarif"], help="Also write the findings as SARIF 2.1.0 to this file.")
    with self.argument_context("tokenguard logout") as c:
        c.argument("all_identities", options_list=["--all"], action="store_true", validator=v.validate_logout_all,
                   help="Sign out every account and service principal, and remove all token material.")
        c.argument("dry_run", options_list=["--dry-run"], action="store_true",
                   help="List what would be removed and why; change nothing.")
        c.argument("include_other_tools", options_list=["--include-other-tools"], action="store_true",
                   help="Also remove the token caches of other Microsoft sign-in tools at their known paths.")
        c.argument("yes", options_list=["--yes", "-y"], action="store_true", help="Do not ask for confirmation.")
    with self.argument_context("tokenguard exec") as c:
        c.positional("command_args", nargs="*", validator=v.validate_exec_command,
                     help="The command to run, after --, with its arguments.")
        c.argument("allowed_resources", options_list=["--resource", "-r"], nargs="+",
                   completer=resource_alias_completer,
                   help="Resources (aliases or URIs) the child may get tokens for. Default: any.")
        c.argument("min_validity", options_list=["--min-validity", "-m"], validator=v.validate_exec_min_validity,
                   help="Least time each token handed out must still be valid. Default: 5m. Keep it well below "
                        "the tokens' lifetime, or every request is refused.")
        c.argument("subscription", options_list=["--subscription", "-s"], completer=get_subscription_id_list,
                   help="Name or ID of the subscription whose account gets the tokens.")
        c.ignore("_subscription")
    with self.argument_context("tokenguard agent") as c:
        c.positional("command_args", nargs="*", validator=v.validate_agent_command,
                     help="The command to run, after --, with its arguments.")
        c.argument("mode", options_list=["--mode"], arg_type=get_enum_type(["read-only", "ask"]),
                   help="read-only: only reads reach Azure. ask: each write is asked at this terminal.")
        c.argument("subscription", options_list=["--subscription", "-s"],
                   help="Name or ID of the subscription the agent works in (its az's default).")
        c.ignore("_subscription")
    _load_guard_arguments(self)


def _load_guard_arguments(self):
    """The guard's commands: shell-init, classify, pin, protect and unprotect, policy set, audit show."""
    with self.argument_context("tokenguard shell-init") as c:
        c.argument("shell", options_list=["--shell"], arg_type=SHELLS, help="The shell to integrate with.")
        c.argument("shim", options_list=["--shim"],
                   help="Instead of shell code, write an `az` that guards into this directory (put it first on "
                        "PATH), so scripts, make, cron, subprocesses and AI agents are guarded too.")
        c.argument("remove", options_list=["--remove"], action="store_true",
                   help="With --shim: remove the shim from that directory.")
    with self.argument_context("tokenguard classify") as c:
        c.argument("command_line", options_list=["--command", "-c"],
                   help='An az command line, e.g. "group delete -n rg1".')
        c.argument("file", options_list=["--file", "-f"],
                   help="A shell script: every az invocation in it is classified.")
    with self.argument_context("tokenguard pin") as c:
        c.argument("subscription", options_list=["--subscription", "-s"], completer=get_subscription_id_list,
                   help="Subscription (name or id) this shell may use; pinned by id.")
        c.ignore("_subscription")
        c.argument("tenant", options_list=["--tenant", "-t"], help="Tenant (id or domain) this shell may use.")
        c.argument("clear", options_list=["--clear"], action="store_true", help="Unpin this shell.")
        c.argument("shell", options_list=["--shell"], arg_type=SHELLS, help="The shell the code is for.")
    with self.argument_context("tokenguard use") as c:
        c.positional("previous", nargs="?", choices=["-"],
                     help="- goes back to this shell's previous choice, as cd - does.")
        c.argument("subscription", options_list=["--subscription", "-s"], completer=get_subscription_id_list,
                   help="Subscription (name or id) for this shell's az commands; selected by id.")
        c.ignore("_subscription")
        c.argument("tenant", options_list=["--tenant", "-t"],
                   help="Tenant (id, domain or name) for this shell: its subscription that az would use.")
        c.argument("clear", options_list=["--clear"], action="store_true",
                   help="Return this shell to az's default subscription.")
        c.argument("no_export", options_list=["--no-export"], action="store_true",
                   help="Do not set ARM_SUBSCRIPTION_ID, ARM_TENANT_ID, AZURE_SUBSCRIPTION_ID and AZURE_TENANT_ID.")
        c.argument("shell", options_list=["--shell"], arg_type=SHELLS, help="The shell the code is for.")
    for command in ("protect", "unprotect"):
        with self.argument_context(f"tokenguard {command}") as c:
            c.argument("subscription", options_list=["--subscription", "-s"], completer=get_subscription_id_list,
                       help="Subscription name, id, or a pattern such as '*-prod'.")
            c.ignore("_subscription")
    with self.argument_context("tokenguard policy set") as c:
        c.argument("device_code", options_list=["--device-code"], arg_type=get_enum_type(["warn", "deny"]),
                   help="Device code sign-in through the guard: warn and ask, or deny on this machine.")
        c.argument("ci_user_login", options_list=["--ci-user-login"], arg_type=get_enum_type(["warn", "deny"]),
                   help="A user signed in on a CI agent: warn, or refuse az commands.")
        c.argument("context_line", options_list=["--context-line"],
                   arg_type=get_enum_type(["auto", "always", "destructive-only", "off"]),
                   help="When the guard prints the context line: auto (the default: when stderr is a terminal), "
                        "always, destructive-only or off.")
        c.argument("mode", options_list=["--mode"], arg_type=get_enum_type(["normal", "read-only"]),
                   help="normal, or read-only: the guard refuses every write and destructive az command on this "
                        "machine (for AI agents and audits; TOKENGUARD_MODE=read-only does it for one process).")
        c.argument("allow_secrets", options_list=["--allow-secrets"], arg_type=get_three_state_flag(),
                   help="true: read-only mode also lets through commands that return credentials (keys, tokens, "
                        "kubeconfigs, SAS); the guard asks to confirm this. false (the default) refuses them.")
    with self.argument_context("tokenguard policy reset") as c:
        c.argument("yes", options_list=["--yes", "-y"], action="store_true",
                   help="Do not ask to type the protected names: lift every protection (for scripts).")
    with self.argument_context("tokenguard vault") as c:
        c.argument("passphrase_file", options_list=["--passphrase-file"],
                   help="Read the vault passphrase from the first line of this file (- for standard input) "
                        "instead of asking on the terminal. TOKENGUARD_VAULT_PASSPHRASE also works, for "
                        "machines without a terminal.")
    with self.argument_context("tokenguard vault unlock") as c:
        c.argument("period", options_list=["--for"], validator=v.validate_unlock_period,
                   help="How long az may use its tokens, e.g. 8h (the default), 30m, 2d; at most 7d.")
    with self.argument_context("tokenguard audit show") as c:
        c.argument("since", options_list=["--since"], validator=v.validate_since,
                   help="Only decisions since then: a duration back (1h, 2d) or an ISO 8601 time.")
        c.argument("decision", options_list=["--decision"],
                   arg_type=get_enum_type(["confirmed", "refused", "allowed"]), help="Only this decision.")
        c.argument("run", options_list=["--run"], help="Only the decisions of this agent run (its id, which "
                                                       "az tokenguard agent names when it starts).")
