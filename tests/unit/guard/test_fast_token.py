"""The guard's get-access-token fast path (guard/fast_token.py): knack's own output formats, MSAL's choice of
cached token, and the command lines it leaves to az. The end-to-end comparison with the real az is
tests/e2e/test_fast_token.py."""
import contextlib
from collections import OrderedDict

import pytest
from knack.output import format_json, format_table, format_tsv, format_yaml
from knack.util import CommandResultItem

from azext_tokenguard.guard import fast_token
from azext_tokenguard.guard.invocation import parse
from azext_tokenguard.guard.options import NONE, ONE, ONE_OR_MORE

from tests.unit.guard.option_table import NO_CONFIG_DIR

TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.c2ln-_x"
RESULTS = [
    {"tokenType": "Bearer", "accessToken": TOKEN, "expires_on": 1796401367, "expiresOn": "2026-12-04 16:22:47.000000",
     "tenant": "2f4a9838-26b7-47ee-be60-ccc1fdec5953", "subscription": "0b1f6471-1bf0-4dda-aec3-111111111111"},
    {"tokenType": "Bearer", "accessToken": TOKEN, "expires_on": 5, "expiresOn": "1970-01-01 05:30:05.000000",
     "tenant": "contoso.example"},
    {"tokenType": "Bearer", "accessToken": "x", "expires_on": 1, "expiresOn": "2026-12-04 16:22:47.000000",
     "tenant": "ex\u00e9mple \"quoted\" \\"},
]
FORMATS = {"json": format_json, "tsv": format_tsv, "table": format_table, "yaml": format_yaml}


def knack(result, output, query=None):
    if query is not None:  # knack's --query gives an OrderedDict for a dict; a field is the value itself
        result = result[query]
    is_query = query is not None
    item = CommandResultItem(result, is_query_active=is_query)
    return "" if output == "none" else FORMATS[output](item)


@pytest.mark.parametrize("output", list(FORMATS) + ["none"])
@pytest.mark.parametrize("result", RESULTS)
def test_output_is_knacks_or_nothing(result, output):
    ours = fast_token.render(result, output)
    assert ours is None or ours == knack(result, output)
    if result is RESULTS[0]:
        assert ours is not None  # what get-access-token gives is always rendered


@pytest.mark.parametrize("query", fast_token.RESULT_KEYS)
@pytest.mark.parametrize("output", list(FORMATS) + ["none"])
def test_one_field_is_knacks(query, output):
    result = RESULTS[0]
    assert fast_token.render(result, output, query) == knack(result, output, query)


def test_a_field_az_leaves_out_is_left_to_az():
    assert fast_token.render(RESULTS[1], "json", "subscription") is None


def entry(target, expires_on, **extra):
    return {"credential_type": "AccessToken", "secret": "t-" + target, "home_account_id": None,
            "environment": "login.example", "client_id": "app", "realm": "tenant", "target": target,
            "expires_on": str(int(expires_on)), **extra}


QUERY = {"client_id": "app", "home_account_id": None, "environment": "login.example", "realm": "tenant"}
NOW = 1_000_000.5


def test_msals_exact_key_comes_first_then_the_first_wider_token():
    wide = entry("https://x//.default other", NOW + 3600)
    exact = entry("https://x//.default", NOW + 1800)
    tokens = {"k1": wide, fast_token._access_token_key(QUERY, ["https://x//.default"]): exact}
    assert fast_token.cached_access_token(tokens, QUERY, ["https://x//.default"], NOW) is exact
    assert fast_token.cached_access_token({"k1": wide}, QUERY, ["https://x//.default"], NOW) is wide


@pytest.mark.parametrize("whole_seconds_after_now, found", [(300, False), (301, True), (3600, True)])
def test_msals_five_minute_margin(whole_seconds_after_now, found):
    token = entry("s", int(NOW) + whole_seconds_after_now)  # NOW ends in .5: 299.5 s and 300.5 s left
    assert (fast_token.cached_access_token({"k": token}, QUERY, ["s"], NOW) is token) is found


def test_a_token_near_expiry_is_passed_over_for_a_later_one():
    near, later = entry("s", NOW + 100), entry("s other", NOW + 3000)
    assert fast_token.cached_access_token({"a": near, "b": later}, QUERY, ["s"], NOW) is later


@pytest.mark.parametrize("extra", [{"refresh_on": str(int(NOW) - 1)}, {"token_type": "ssh-cert"},
                                   {"key_id": "k"}])
def test_a_token_msal_would_refresh_or_that_is_not_a_bearer_token_goes_to_az(extra):
    assert fast_token.cached_access_token({"k": entry("s", NOW + 3600, **extra)}, QUERY, ["s"], NOW) is None


@pytest.mark.parametrize("changed", [{"realm": "other"}, {"client_id": "other"}, {"environment": "other"},
                                     {"home_account_id": "someone"}])
def test_another_clients_tenants_hosts_or_accounts_token_is_not_used(changed):
    token = entry("s", NOW + 3600, **changed)
    assert fast_token.cached_access_token({"k": token}, QUERY, ["s"], NOW) is None


def test_a_token_without_the_home_account_field_is_not_an_apps_token():
    token = entry("s", NOW + 3600)
    del token["home_account_id"]
    assert fast_token.cached_access_token({"k": token}, QUERY, ["s"], NOW) is None


@pytest.mark.parametrize("argv", [
    ["account", "get-access-token", "--debug"], ["account", "get-access-token", "--verbose"],
    ["account", "get-access-token", "-o", "jsonc"], ["account", "get-access-token", "--query", "[0]"],
    ["account", "get-access-token", "--tenant", "t", "--subscription", "s"],
    ["account", "get-access-token", "--resource-type", "ARM"], ["account", "get-access-token", "--scope"],
    ["account", "get-access-token", "--resource"], ["account", "get-access-token", "--resource", "-x"],
    ["account", "get-access-token", "-o", "json", "-o", "tsv"], ["account", "show"],
    ["account", "get-access-token", "--scope=a"], ["account", "get-access-token", "--resource", ""],
    ["account", "get-access-token", "-tfoo"], ["account", "get-access-token", "-s", "sub"],
    ["account", "get-access-token", "--res", "x"], ["account", "get-access-token", "extra"],
    ["account", "get-access-token", "-o", "json", "extra"], ["account", "get-access-token", "--", "x"],
    ["account", "get-access-token", "--only-show-errors=yes"],
])
def test_command_lines_it_does_not_reproduce_go_to_az(argv):
    assert fast_token.parse_request(parse(argv, NO_CONFIG_DIR)) is None


def test_command_lines_it_reads():
    request = fast_token.parse_request(parse(["account", "get-access-token", "--scope", "a", "b", "-o=tsv",
                                              "--tenant=t", "--query", "accessToken", "--only-show-errors"],
                                             NO_CONFIG_DIR))
    assert (request.scopes, request.output, request.tenant, request.query) == (["a", "b"], "tsv", "t", "accessToken")


def test_abbreviations_are_read_as_az_writes_them_out():
    request = fast_token.parse_request(parse(["account", "get-access-token", "--resource-t", "arm", "--subs", "s"],
                                             NO_CONFIG_DIR))
    assert (request.resource_type, request.subscription) == ("arm", "s")


def test_short_options_are_read_without_a_long_one():
    request = fast_token.parse_request(parse(["account", "get-access-token", "-t", "t", "-o", "tsv"], NO_CONFIG_DIR))
    assert (request.tenant, request.output) == ("t", "tsv")


@pytest.mark.parametrize("endpoint, host", [("https://login.microsoftonline.com", "login.microsoftonline.com"),
                                            ("https://127.0.0.1:44373/", "127.0.0.1"),
                                            ("https://Login.Example/", "login.example"),
                                            ("http://login.example", None), ("https://[::1]:443", None)])
def test_the_authority_host_is_msals_instance(endpoint, host):
    assert fast_token._authority_host(endpoint) == host


# ---------------------------------------------------------------- az tokenguard get-token

class _ArgumentsRecorder:
    """Stands in for az's loader while _params.load_arguments declares the arguments: records each
    argument's option strings, nargs and action per command."""

    def __init__(self):
        self.commands = {}

    @contextlib.contextmanager
    def argument_context(self, command):
        yield _ArgumentScope(self.commands.setdefault(command, {}))


class _ArgumentScope:
    def __init__(self, arguments):
        self.arguments = arguments

    def argument(self, dest, options_list=(), **settings):
        self.arguments[dest] = (tuple(options_list), settings.get("nargs"), settings.get("action"))

    def positional(self, dest, **settings):
        self.arguments[dest] = ((), settings.get("nargs"), None)

    def ignore(self, *_dests):
        pass


def test_get_tokens_option_table_in_the_guard_is_the_one_params_declares():
    from azext_tokenguard import _params
    recorder = _ArgumentsRecorder()
    _params.load_arguments(recorder, None)
    declared = {names: (nargs, action) for names, nargs, action in recorder.commands["tokenguard get-token"].values()}
    az_globals = {("-h", "--help"), ("--debug",), ("--only-show-errors",), ("--output", "-o"), ("--query",),
                  ("--verbose",)}
    in_guard = {spec.names: spec.nargs for spec in fast_token.GET_TOKEN_OPTIONS.specs if spec.names not in az_globals}
    assert set(in_guard) == set(declared)
    kinds = {"+": ONE_OR_MORE, None: ONE}
    assert all(in_guard[names] == (NONE if action == "store_true" else kinds[nargs])
               for names, (nargs, action) in declared.items())


def get_token_request(argv):
    return fast_token.parse_request(parse(["tokenguard", "get-token", *argv], NO_CONFIG_DIR))


def test_get_token_command_lines_it_reads():
    request = get_token_request(["-r", "https://vault.azure.net", "-s", "sub", "--query", "secondsRemaining",
                                 "-o", "json", "--only-show-errors"])
    assert (request.resource, request.subscription, request.query, request.output) == (
        "https://vault.azure.net", "sub", "secondsRemaining", "json")
    assert request.reproduced is fast_token.GET_TOKEN_COMMAND


@pytest.mark.parametrize("argv", [
    ["--min-validity", "5m"], ["-m", "300"], ["--list-resources"], ["-l"], ["--resource-type", "arm"],
    ["--query", "scopes"], ["--query", "roles"], ["--res", "x"], ["-r", "a", "-r", "b"], ["--debug"],
    ["--scope=a"], ["-tT"], ["extra"], ["--", "x"],
])
def test_get_token_command_lines_it_leaves_to_az(argv):
    assert get_token_request(argv) is None


@pytest.mark.parametrize("request_args, resource", [
    ({}, "https://management.core.windows.net/"),
    ({"--resource": "https://vault.azure.net"}, "https://vault.azure.net"),
    ({"--scope": ["https://graph.microsoft.com/.default"]}, "https://graph.microsoft.com"),
    ({"--resource": "graph"}, None), ({"--resource": "04b07795-8ddb-461a-bbee-02f9e1bf7b46"}, None),
    ({"--resource": "https://x y"}, None), ({"--scope": ["https://graph.microsoft.com/User.Read"]}, None),
    ({"--scope": ["a/.default", "b/.default"]}, None),
])
def test_the_resource_get_token_checks_the_audience_against(request_args, resource):
    request = fast_token.Request(request_args, fast_token.GET_TOKEN_COMMAND)
    endpoints = {"active_directory_resource_id": "https://management.core.windows.net/"}
    assert fast_token._get_token_resource(request, endpoints) == resource


def test_get_tokens_json_lists_are_written_as_knack_writes_them():
    import json
    result = {"scopes": ["user_impersonation", "Zoë"], "roles": [], "secondsRemaining": 3599, "audience": "a"}
    assert fast_token.render(result, "json") == json.dumps(result, ensure_ascii=False, indent=2, sort_keys=True,
                                                           separators=(",", ": ")) + "\n"
