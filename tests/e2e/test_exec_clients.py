"""`az tokenguard exec` with the stock clients that use its endpoint, each used the way its users write it.

The emulator hands out 8-second tokens, so a job of 18 seconds outlives two of them; every ARM call it makes
must succeed. Old Python clients run from .venv-clients/python and @azure/identity from .venv-clients/node;
azure-identity 1.21 and @azure/identity 4.9, older than AZURE_TOKEN_CREDENTIALS, have their own directories
there (tests/harness/clients.py builds each once).
"""
import json
import sys
from pathlib import Path

import pytest

from tests.conftest import login
from tests.emulator import data
from tests.harness import clients

CLIENTS_DIR = Path(__file__).resolve().parents[1] / "clients"
PYTHON_JOB, NODE_JOB, PROBE = (CLIENTS_DIR / name for name in ("python_job.py", "node_job.js", "endpoint_probe.py"))
TOKEN_LIFETIME = 8
JOB_SECONDS = 18  # past two token lifetimes
MIN_VALIDITY = "3s"  # below the tokens' lifetime, as exec's help says to choose it
KEY_VAULT = "https://vault.azure.net"


@pytest.fixture(scope="session")
def old_python():
    return str(clients.old_python_clients())


@pytest.fixture(scope="session")
def python_identity_1_21():
    return str(clients.python_identity_1_21())


@pytest.fixture(scope="session")
def node_path():
    return str(clients.node_clients())


@pytest.fixture(scope="session")
def node_identity_4_9():
    return str(clients.node_identity_4_9())


PYTHONS = {"": None, "old": "old_python", "1.21": "python_identity_1_21"}  # fixtures; None: the tests' own python
NODE_PATHS = {"": "node_path", "4.9": "node_identity_4_9"}


def job(client, request, *args):
    """(argv, extra environment) that run one client's job with the interpreter that has the client.

    client is a python_job.py client with @old or @1.21 for another venv, or '@azure/identity[@4.9] KIND'."""
    if client.startswith("@azure/identity"):
        package, kind = client.split()
        node_path = request.getfixturevalue(NODE_PATHS[package.partition("identity@")[2]])
        return ["node", str(NODE_JOB), kind, *args], {"NODE_PATH": node_path}
    name, _, venv = client.partition("@")
    python = request.getfixturevalue(PYTHONS[venv]) if PYTHONS[venv] else sys.executable
    return [python, str(PYTHON_JOB), name, *args], {}


def run_exec(az, emulator, exec_args, argv, env=None):
    result = az.run("tokenguard", "exec", *exec_args, "--", *argv, check=False, timeout=120,
                    env={"TG_TEST_ARM_URL": emulator.url, **(env or {})})
    assert "Traceback" not in result.stderr, result.stderr
    assert "eyJ" not in result.stderr  # names and expiry times only, never a token
    return result


def reports(result):
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


@pytest.mark.parametrize("client, version", [
    ("azure-identity@old", "1.3.1"),  # MSI_ENDPOINT + MSI_SECRET, api-version 2017-09-01
    ("msrestazure@old", "0.6.4.post1"),  # POST to MSI_ENDPOINT with Metadata: true
    ("azure-identity", "1.27.0"),  # IDENTITY_ENDPOINT + IDENTITY_HEADER, through msal
    ("msal", "1.39.0"),  # msal.ManagedIdentityClient on its own
    ("@azure/identity managed", "4.14.1"),  # node, msal-node underneath
])
def test_a_stock_client_keeps_working_past_two_token_lifetimes(new_az, emulator, request, client, version):
    emulator.reset(token_lifetime=TOKEN_LIFETIME)
    az = new_az()
    login(az, "servicePrincipal")
    signed_in = len(emulator.requests(service="arm"))
    argv, env = job(client, request, "loop", str(JOB_SECONDS))
    result = run_exec(az, emulator, ["--min-validity", MIN_VALIDITY, "--verbose"], argv, env)
    (report,) = reports(result)
    assert report["version"] == version
    assert report["calls"] and set(report["calls"]) == {200}, report["calls"]
    assert report["seconds"] > 2 * TOKEN_LIFETIME and report["tokens"] >= 3  # tokens were renewed on the way
    arm_calls = emulator.requests(service="arm")[signed_in:]  # the job's own calls, as ARM saw them
    assert len(arm_calls) == len(report["calls"]) and {r["status"] for r in arm_calls} == {200}
    assert result.stderr.count("Issued a token for https://management.azure.com") >= 3


def test_the_child_takes_its_tokens_from_the_endpoint_even_with_service_principal_variables_set(
        sp_az, emulator, request, tmp_path):
    """A shell with another service principal's variables: DefaultAzureCredential would pick them silently."""
    other = data.CI_RUNNER
    federated = tmp_path / "federated-token"
    federated.write_text("a federated token")
    inherited = {"AZURE_CLIENT_ID": other.app_id, "AZURE_CLIENT_SECRET": other.secret,
                 "AZURE_TENANT_ID": other.tenant_id, "AZURE_AUTHORITY_HOST": emulator.url,
                 "AZURE_CLIENT_CERTIFICATE_PATH": str(tmp_path / "sp.pem"), "AZURE_USERNAME": "bob@contoso.example",
                 "AZURE_PASSWORD": "hunter2-password", "AZURE_FEDERATED_TOKEN_FILE": str(federated)}
    python_argv, _ = job("azure-identity-default", request, "once")
    node_argv, node_env = job("@azure/identity default", request, "once")
    script = f"{' '.join(python_argv)}; {' '.join(node_argv)}"
    result = run_exec(sp_az, emulator, ["--verbose"], ["sh", "-c", script], {**inherited, **node_env})
    for report in reports(result):
        assert report["ok"], report
        assert (report["appid"], report["arm"]) == (data.DEPLOY_BOT.app_id, 200)  # az's identity, not CI_RUNNER
    assert {r.get("identity") for r in emulator.requests(service="entra") if r.get("grant_type")} == {
        data.DEPLOY_BOT.app_id}
    assert ("Unset for the child, so that its SDKs take their tokens from the endpoint: AZURE_CLIENT_CERTIFICATE_PATH, "
            "AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, AZURE_FEDERATED_TOKEN_FILE, AZURE_PASSWORD, AZURE_USERNAME."
            in result.stderr)
    assert other.secret not in result.stderr and "hunter2" not in result.stderr


@pytest.mark.parametrize("unset, clients_asked", [
    # Only MSI_ENDPOINT + MSI_SECRET: today's clients speak Azure ML's protocol, which wants epoch seconds.
    (("IDENTITY_ENDPOINT", "IDENTITY_HEADER"), ("azure-identity", "msal", "@azure/identity managed")),
    # MSI_ENDPOINT alone: Cloud Shell's form POST with Metadata: true (msal for Python would go to IMDS here).
    (("IDENTITY_ENDPOINT", "IDENTITY_HEADER", "MSI_SECRET"), ("azure-identity", "@azure/identity managed")),
])
def test_todays_clients_get_tokens_through_the_msi_variables_alone(sp_az, emulator, request, unset, clients_asked):
    commands, env = [], {}
    for client in clients_asked:
        argv, client_env = job(client, request, "once")
        commands.append(" ".join(["env", *(f"-u {name}" for name in unset), *argv]))
        env.update(client_env)
    result = run_exec(sp_az, emulator, [], ["sh", "-c", "; ".join(commands)], env)
    answers = reports(result)
    assert [report["client"].split()[0] for report in answers] == [c.split()[0] for c in clients_asked]
    for report in answers:
        assert report["ok"] and report["arm"] == 200, report


@pytest.mark.parametrize("exec_args, reason", [
    (["--resource", "keyvault"], "is not in this exec's --resource list"),
    (["--min-validity", "2h"], "Run az tokenguard exec with a --min-validity below that"),
])
def test_a_refusal_reaches_default_azure_credential_as_an_error_not_a_fallback_to_az(
        sp_az, emulator, request, exec_args, reason):
    python_argv, _ = job("azure-identity-default", request, "once")
    node_argv, node_env = job("@azure/identity default", request, "once")
    result = run_exec(sp_az, emulator, exec_args, ["sh", "-c", f"{' '.join(python_argv)}; {' '.join(node_argv)}"],
                      node_env)
    python_report, node_report = reports(result)
    for report in (python_report, node_report):
        assert not report["ok"] and reason in report["message"], report
    assert python_report["error"] == "ClientAuthenticationError"
    assert result.stderr.count("Refused a token for https://management.azure.com") >= 1
    assert not [r for r in emulator.requests(service="arm") if r["path"] == "/subscriptions"]


@pytest.mark.parametrize("client, version", [
    ("azure-identity-default@1.21", "1.21.0"),
    ("@azure/identity@4.9 default", "4.9.1"),
])
def test_a_refusal_ends_in_an_error_in_a_default_azure_credential_older_than_azure_token_credentials(
        user_az, emulator, request, client, version):
    """These ignore AZURE_TOKEN_CREDENTIALS and go on to AzureCliCredential: the child's az refuses it the token."""
    argv, env = job(client, request, "once", KEY_VAULT)
    result = run_exec(user_az, emulator, ["--resource", "arm"], argv, env)
    (report,) = reports(result)
    assert report["version"] == version
    assert not report["ok"], report
    assert "az tokenguard exec refused 'az account get-access-token'" in report["message"], report
    assert f"Refused a token for {KEY_VAULT}" in result.stderr
    assert not [r for r in emulator.requests(service="entra") if r.get("aud") == KEY_VAULT]  # none for alice


def test_unassigned_identities_wrong_methods_and_paths_get_json_errors_and_no_token(sp_az, emulator):
    report = reports(run_exec(sp_az, emulator, [], [sys.executable, str(PROBE), "protocol"]))[0]
    azure_identity = report.pop("managed_identity_credential_client_id")
    assert not azure_identity["ok"] and "No user-assigned identity matches" in azure_identity["message"]
    expected = {"no_secret": 401, "put": 405, "unknown_path": 404, "garbage_method": 501, "client_id": 400,
                "object_id": 400, "principal_id": 400, "mi_res_id": 400, "clientid_2017": 400,
                "form_post_without_key": 401, "form_post_msi_id": 400}
    assert {name: answer["status"] for name, answer in report.items()} == expected
    assert all(answer["json"] and not answer["token"] for answer in report.values()), report
    assert "No user-assigned identity matches the 'client_id' given" in report["client_id"]["message"]
    assert not [r for r in emulator.requests(service="entra") if r.get("grant_type")]  # az was never asked


def test_an_idle_connection_does_not_block_another_client_and_is_closed(sp_az, emulator):
    result = run_exec(sp_az, emulator, ["--verbose"], [sys.executable, str(PROBE), "stall"])
    (report,) = reports(result)
    assert report["other_client"]["status"] == 200 and report["other_client"]["token"]
    assert report["other_client"]["seconds"] < 5  # not held up by the idle connection
    assert report["idle_closed"] and report["idle_closed_after"] < 15
