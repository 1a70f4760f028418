"""`az account get-access-token` answered by the guard from az's token cache (guard/fast_token.py), side by side
with the real az: the same bytes on stdout and the same exit status, for a user and a service principal; and
every case the fast path does not reproduce reaches az.

The clock is frozen (libfaketime) for both: az prints its expiry as now, in whole seconds, plus MSAL's whole
seconds left, so two runs a second boundary apart may differ by one; frozen, neither moves.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.emulator import data
from tests.harness.az import AZ
from tests.harness.shell import GuardedShell, guard_launch_path, without_terminal

ANSWERED, RUN, REFUSED_READ_ONLY = 49, 0, 47
ANSWER_END = "."
ARM = "https://management.core.windows.net/"
GRAPH = "https://graph.microsoft.com/"

REQUESTS = {
    "default": [],
    "resource": ["--resource", ARM],
    "resource-type arm": ["--resource-type", "arm"],
    "resource-type ms-graph": ["--resource-type", "ms-graph"],
    "scope": ["--scope", GRAPH + "/.default"],
    "tenant": ["--tenant", data.CONTOSO.tenant_id],
    "subscription by name": ["--subscription", data.CONTOSO_PROD.display_name],
    "subscription by id": ["--subscription", data.CONTOSO_PROD.subscription_id],
    "terraform": ["--resource", ARM, "--tenant", data.CONTOSO.tenant_id, "-o=json"],
}
OUTPUTS = ["json", "tsv", "table", "yaml", "none"]
QUERIES = [("accessToken", "tsv"), ("expires_on", "json"), ("expiresOn", "yaml"), ("tenant", "table"),
           ("subscription", "none"), ("expiresOn", "table"), ("expires_on", "yaml"), ("tokenType", "json")]


def run(argv, az, **extra_env):
    return subprocess.run(argv, capture_output=True, text=True, timeout=180,
                          **without_terminal({**az.env, **extra_env}))


GET_ACCESS_TOKEN = ("account", "get-access-token")
GET_TOKEN = ("tokenguard", "get-token")  # answered the same way: tests/e2e/test_fast_get_token.py


def real_az(az, args, env, command=GET_ACCESS_TOKEN):
    return run([AZ, *command, *args], az, **env)


def guard(az, args, env, command=GET_ACCESS_TOKEN):
    """The guard as the shell function and the shim run it: exit status and stdout."""
    return run([sys.executable, "-I", "-S", guard_launch_path(az), *command, *args], az, **env)


def assert_same_as_az(az, args, env, command=GET_ACCESS_TOKEN):
    theirs = real_az(az, args, env, command)  # first: a token az fetches now is in the cache for the guard
    ours = guard(az, args, env, command)
    assert ours.returncode == ANSWERED, (args, ours.stderr)
    assert ours.stdout.endswith(ANSWER_END)
    assert (ours.stdout[:-len(ANSWER_END)], 0) == (theirs.stdout, theirs.returncode), args


def assert_reaches_az(az, args, env, command=GET_ACCESS_TOKEN):
    ours = guard(az, args, env, command)
    assert (ours.returncode, ours.stdout) == (RUN, ""), (args, ours.stderr)


@pytest.fixture(params=["user", "servicePrincipal"])
def az(request):
    return request.getfixturevalue("user_az" if request.param == "user" else "sp_az")


@pytest.mark.parametrize("name", list(REQUESTS))
def test_each_request_prints_what_az_prints(az, frozen, name):
    assert_same_as_az(az, REQUESTS[name], frozen)


@pytest.mark.parametrize("output", OUTPUTS)
def test_each_output_format_prints_what_az_prints(az, frozen, output):
    assert_same_as_az(az, ["-o", output], frozen)
    assert_same_as_az(az, ["--resource-type", "ms-graph", "--output", output], frozen)


@pytest.mark.parametrize("query, output", QUERIES)
def test_a_query_of_one_field_prints_what_az_prints(az, frozen, query, output):
    assert_same_as_az(az, ["--query", query, "-o", output], frozen)


def test_a_user_token_for_another_tenant_and_scope_prints_what_az_prints(user_az, frozen):
    assert_same_as_az(user_az, ["--tenant", data.FABRIKAM.tenant_id], frozen)
    assert_same_as_az(user_az, ["--subscription", data.FABRIKAM_SANDBOX.display_name, "-o", "tsv"], frozen)
    assert_same_as_az(user_az, ["--scope", GRAPH + "User.Read", "-o", "yaml"], frozen)


def shim_to_a_failing_az(az, directory):
    """The `az` shim on PATH, whose real az fails: an answer through it can only come from the guard."""
    from azext_tokenguard.guard.shim import render_shim
    failing_az = directory / "failing-az"
    failing_az.write_text("#!/bin/sh\necho 'az ran' >&2\nexit 3\n")
    failing_az.chmod(0o700)
    shim = directory / "az"
    shim.write_text(render_shim(str(directory), sys.executable, guard_launch_path(az), str(failing_az)))
    shim.chmod(0o700)
    return shim


def test_answered_without_az_and_without_a_request(sp_az, emulator, frozen, tmp_path):
    """Through the shim, with a real az that would fail: the answer can only come from the guard."""
    shim = shim_to_a_failing_az(sp_az, tmp_path)
    expected = real_az(sp_az, ["-o", "tsv"], frozen).stdout
    emulator.reset()
    result = run([str(shim), "account", "get-access-token", "-o", "tsv"], sp_az, **frozen)
    assert (result.returncode, result.stdout, result.stderr) == (0, expected, "")
    assert emulator.requests(service="entra") == []
    none = run([str(shim), "account", "get-access-token", "-o", "none"], sp_az, **frozen)
    assert (none.returncode, none.stdout) == (0, "")


@pytest.mark.parametrize("shell_name", ["bash", "zsh", "fish"])
def test_the_shell_function_prints_the_answer(user_az, frozen, shell_name):
    expected = real_az(user_az, ["-o", "json"], frozen).stdout
    shell = GuardedShell(shell_name, {**user_az.env, **frozen})
    try:
        shell.run("__tokenguard_az=/bin/false" if shell_name != "fish" else "set -g __tokenguard_az /bin/false")
        out = shell.run("az account get-access-token -o json > answer.txt")
        assert shell.exit_status() == 0, out
    finally:
        shell.close()
    assert (Path(user_az.env["HOME"]) / "answer.txt").read_text() == expected


# ------------------------------------------------------------------ what goes to az

@pytest.mark.parametrize("command", [GET_ACCESS_TOKEN, GET_TOKEN], ids=" ".join)
def test_a_token_not_in_the_cache_goes_to_az(sp_az, emulator, frozen, command):
    args = ["--resource", "https://vault.azure.net"]
    assert_reaches_az(sp_az, args, frozen, command)
    emulator.reset()
    assert real_az(sp_az, args, frozen, command).returncode == 0
    assert [r["scope"] for r in emulator.requests(service="entra") if r.get("grant_type")] == [
        "https://vault.azure.net/.default"]
    assert_same_as_az(sp_az, args, frozen, command)  # now it is cached


def test_a_token_within_msals_refresh_margin_goes_to_az(sp_az, emulator, frozen):
    emulator.reset(token_lifetime=299)
    args = ["--resource-type", "ms-graph"]
    assert real_az(sp_az, args, frozen).returncode == 0
    assert_reaches_az(sp_az, args, frozen)
    emulator.reset(token_lifetime=299)
    assert real_az(sp_az, args, frozen).returncode == 0
    assert [r["scope"] for r in emulator.requests(service="entra") if r.get("grant_type")] == [
        GRAPH + "/.default"]  # MSAL asked again: the cached one had too little left


@pytest.mark.parametrize("args", [["--debug"], ["--verbose"], ["-o", "jsonc"], ["--query", "[accessToken]"],
                                  ["--query", "accessToken", "--query", "tenant"], ["--resource-type", "ARM"],
                                  ["--tenant", data.CONTOSO.tenant_id, "--subscription", data.CONTOSO_DEV.display_name],
                                  ["--scope"], ["-s", data.CONTOSO_DEV.display_name], ["--resource-type=arm", "--unknown"]])
def test_options_the_fast_path_does_not_know_go_to_az(user_az, frozen, args):
    assert_reaches_az(user_az, args, frozen)


@pytest.mark.parametrize("env", [{"ACC_CLOUD": "1"}, {"AZURE_CORE_ENCRYPT_TOKEN_CACHE": "true"},
                                 {"COPILOT_AGENT_SESSION_ID": "s1"}, {"AZURE_CORE_OUTPUT": "yamlc"}])
def test_cloud_shell_an_encrypted_cache_and_an_agent_session_go_to_az(user_az, frozen, env):
    assert_reaches_az(user_az, [], {**frozen, **env})


def test_an_encrypted_cache_in_the_config_goes_to_az(user_az, frozen):
    user_az.run("config", "set", "core.encrypt_token_cache=true", "--only-show-errors")
    assert_reaches_az(user_az, [], frozen)


def test_no_cache_file_goes_to_az(user_az, frozen):
    os.rename(user_az.config_dir / "msal_token_cache.json", user_az.config_dir / "msal_token_cache.bin")
    assert_reaches_az(user_az, [], frozen)


def test_a_service_principal_without_its_credential_goes_to_az(sp_az, frozen):
    (sp_az.config_dir / "service_principal_entries.json").write_text("[]")
    assert_reaches_az(sp_az, [], frozen)
    assert real_az(sp_az, [], frozen).returncode != 0  # az cannot use the cached token either


def test_read_only_mode_refuses_a_token_from_the_cache_unless_the_policy_allows_secrets(sp_az, frozen):
    """A token is a credential (the secret class): read-only mode refuses it, fast path or not."""
    expected = real_az(sp_az, [], frozen).stdout
    refused = guard(sp_az, [], {**frozen, "TOKENGUARD_MODE": "read-only"})
    assert (refused.returncode, refused.stdout) == (REFUSED_READ_ONLY, "")
    sp_az.run("tokenguard", "policy", "set", "--allow-secrets", "true", "-o", "none")
    ours = guard(sp_az, [], {**frozen, "TOKENGUARD_MODE": "read-only"})
    assert (ours.returncode, ours.stdout) == (ANSWERED, expected + ANSWER_END)
