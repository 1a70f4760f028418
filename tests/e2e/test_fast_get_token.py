"""`az tokenguard get-token` answered by the guard from az's token cache (guard/fast_token.py), side by side with
the real az running the extension: the same bytes on stdout and the same exit status, for a user and a service
principal; and every case the fast path does not reproduce reaches az.

The clock is frozen (libfaketime) for both, as in test_fast_token.py: get-token prints the seconds left.
"""
import subprocess
import sys

import pytest

from tests.emulator import data
from tests.e2e import test_fast_token as fast_token
from tests.e2e.test_fast_token import ARM, GET_TOKEN, GRAPH, REFUSED_READ_ONLY, RUN, run
from tests.harness.shell import guard_launch_path

REQUESTS = {
    "default": [],
    "resource": ["--resource", ARM],
    "resource by its short option": ["-r", GRAPH],
    "scope": ["--scope", GRAPH + ".default"],
    "tenant": ["--tenant", data.CONTOSO.tenant_id],
    "subscription by name": ["--subscription", data.CONTOSO_PROD.display_name],
    "subscription by id, short option": ["-s", data.CONTOSO_PROD.subscription_id],
    "a script's token": ["--resource", ARM, "--query", "accessToken", "-o", "tsv"],
}
QUERIES = [("accessToken", "tsv"), ("expiresOn", "json"), ("secondsRemaining", "json"), ("identityType", "yaml"),
           ("audience", "table"), ("expires_on", "yaml"), ("tokenSource", "tsv"), ("expiresAt", "json"),
           ("tenant", "none")]


def real_get_token(az, args, env):
    return fast_token.real_az(az, args, env, GET_TOKEN)


def guard(az, args, env):
    return fast_token.guard(az, args, env, GET_TOKEN)


def assert_same_as_az(az, args, env):
    fast_token.assert_same_as_az(az, args, env, GET_TOKEN)


def assert_reaches_az(az, args, env):
    fast_token.assert_reaches_az(az, args, env, GET_TOKEN)


@pytest.mark.parametrize("name", list(REQUESTS))
def test_each_request_prints_what_get_token_prints(logged_in_az, frozen, name):
    assert_same_as_az(logged_in_az, REQUESTS[name], frozen)


@pytest.mark.parametrize("output", ["json", "none"])
def test_json_and_none_print_what_get_token_prints(logged_in_az, frozen, output):
    assert_same_as_az(logged_in_az, ["-o", output], frozen)


@pytest.mark.parametrize("query, output", QUERIES)
def test_a_query_of_one_field_prints_what_get_token_prints(logged_in_az, frozen, query, output):
    assert_same_as_az(logged_in_az, ["--query", query, "-o", output], frozen)


def test_answered_without_az_and_without_a_request(sp_az, emulator, frozen, tmp_path):
    """Through the shim, with a real az that would fail: the answer can only come from the guard."""
    shim = fast_token.shim_to_a_failing_az(sp_az, tmp_path)
    expected = real_get_token(sp_az, ["--query", "accessToken", "-o", "tsv"], frozen).stdout
    emulator.reset()
    result = run([str(shim), *GET_TOKEN, "--query", "accessToken", "-o", "tsv"], sp_az, **frozen)
    assert (result.returncode, result.stdout, result.stderr) == (0, expected, "")
    assert emulator.requests(service="entra") == []


# ------------------------------------------------------------------ what goes to az

@pytest.mark.parametrize("args", [
    ["--resource", "graph"],  # an alias: the cloud's table of them lives in the extension
    ["--resource", data.DEPLOY_BOT.app_id],
    ["--min-validity", "5m"], ["-m", "300"],
    ["-o", "tsv"], ["-o", "yaml"], ["-o", "table"], ["-o", "jsonc"],
    ["--query", "scopes"], ["--query", "[accessToken]"],
    ["--list-resources"], ["--resource-type", "arm"],
    ["--scope", GRAPH + "User.Read"], ["--scope", GRAPH + ".default", ARM + ".default"],
    ["--debug"], ["--res", ARM], ["-r", ARM, "-r", ARM],
])
def test_what_the_fast_path_does_not_reproduce_goes_to_az(user_az, frozen, args):
    assert_reaches_az(user_az, args, frozen)


def test_a_shell_with_a_selection_goes_to_az(user_az, frozen):
    """get-token follows the shell's `az tokenguard use` selection itself."""
    selected = {**frozen, "TOKENGUARD_SUBSCRIPTION": data.CONTOSO_PROD.subscription_id}
    assert_reaches_az(user_az, [], selected)


def test_a_token_within_msals_refresh_margin_goes_to_az(sp_az, emulator, frozen):
    emulator.reset(token_lifetime=299)
    args = ["--resource", GRAPH]
    assert real_get_token(sp_az, args, frozen).returncode == 0
    assert_reaches_az(sp_az, args, frozen)


def test_read_only_mode_refuses_it_before_the_cache_is_read(sp_az, frozen):
    """The guard's rules come first, as for any command: a token is a credential (the secret class)."""
    refused = guard(sp_az, [], {**frozen, "TOKENGUARD_MODE": "read-only"})
    assert (refused.returncode, refused.stdout) == (REFUSED_READ_ONLY, "")


def test_the_help_is_az_s(sp_az, frozen):
    result = subprocess.run([sys.executable, "-I", "-S", guard_launch_path(sp_az), *GET_TOKEN, "--help"],
                            capture_output=True, text=True, env={**sp_az.env, **frozen}, check=False)
    assert (result.returncode, result.stdout) == (RUN, "")
