"""The agent's pure logic: the request policy, placeholders, the child's environment and sandbox, the run's
decisions and audit records. The proxy itself and the sandbox at work: tests/e2e/test_agent.py."""
import base64
import json

import pytest

from azext_tokenguard.agent import policy, sandbox
from azext_tokenguard.agent.placeholder import Placeholders
from azext_tokenguard.agent.run import AgentRun
from azext_tokenguard.guard.errors import TokenRequestError

SUB = "0b1f6471-1bf0-4dda-aec3-111111111111"
GROUP = f"/subscriptions/{SUB}/resourceGroups/rg1"


def decide(method, path, mode=policy.MODE_READ_ONLY):
    return policy.decide(policy.Request(method, "management.azure.com:443", path), mode)


@pytest.mark.parametrize("method, path", [
    ("GET", f"{GROUP}?api-version=2024-11-01"), ("HEAD", GROUP),
    ("POST", "/providers/Microsoft.ResourceGraph/resources?api-version=2022-10-01"),
    ("POST", f"/subscriptions/{SUB}/providers/Microsoft.Storage/checkNameAvailability?api-version=1"),
])
def test_reads_are_allowed_in_every_mode(method, path):
    for mode in policy.MODES:
        assert decide(method, path, mode).outcome == policy.ALLOW


@pytest.mark.parametrize("method, path, kind", [
    ("DELETE", GROUP, "delete"), ("PUT", GROUP, "write"), ("PATCH", GROUP, "write"),
    ("POST", f"{GROUP}/providers/Microsoft.Compute/virtualMachines/vm/restart", "write"),
])
def test_writes_are_refused_read_only_and_asked_in_ask_mode(method, path, kind):
    refused = decide(method, path)
    assert (refused.outcome, refused.kind) == (policy.REFUSE, kind)
    assert decide(method, path, policy.MODE_ASK).outcome == policy.ASK


@pytest.mark.parametrize("path", [
    f"{GROUP}/providers/Microsoft.Storage/storageAccounts/s/listKeys",
    f"{GROUP}/providers/Microsoft.Storage/storageAccounts/s/regenerateKey",
    f"{GROUP}/providers/Microsoft.Web/sites/w/config/publishingcredentials/list/../listCredentials",
    f"{GROUP}/providers/Microsoft.ContainerService/managedClusters/k/listClusterAdminCredential",
    f"{GROUP}/providers/Microsoft.Storage/storageAccounts/s/ListAccountSas",
])
def test_credential_actions_are_refused_even_in_ask_mode(path):
    decision = decide("POST", path, policy.MODE_ASK)
    assert (decision.outcome, decision.kind) == (policy.REFUSE, "credential")


def test_token_requests_through_the_proxy_are_refused():
    decision = decide("POST", "/contoso.example/oauth2/v2.0/token", policy.MODE_ASK)
    assert (decision.outcome, decision.kind) == (policy.REFUSE, "token")


def test_the_refusal_is_arm_shaped_and_says_what_to_do():
    request = policy.Request("DELETE", "management.azure.com:443", f"{GROUP}?api-version=1")
    body = policy.refusal_body(request, decide("DELETE", GROUP), policy.MODE_READ_ONLY)
    assert body["error"]["code"] == "TokenguardRefused"
    assert f"DELETE {GROUP}:" in body["error"]["message"] and "--mode ask" in body["error"]["message"]


def test_placeholders_are_unsigned_jwts_with_the_tenant_and_known_only_to_their_run():
    issuer = Placeholders("tenant-1")
    token = issuer.issue("https://management.azure.com", 2000, 1000)
    header, claims, signature = token.split(".")
    decoded = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
    assert (decoded["tid"], decoded["aud"], decoded["exp"]) == ("tenant-1", "https://management.azure.com", 2000)
    assert issuer.is_ours(token) and not Placeholders("tenant-1").is_ours(token)
    assert token != issuer.issue("https://management.azure.com", 2000, 1000)  # random signature bytes
    assert header and signature


def test_the_childs_environment_has_no_credential_and_only_the_agents_proxy():
    parent = {"PATH": "/bin", "AZURE_CLIENT_SECRET": "s", "TOKENGUARD_VAULT_PASSPHRASE": "p", "ARM_CLIENT_SECRET": "t",
              "AZURE_STORAGE_KEY": "k", "MY_TOKEN": "eyJabc.eyJdef.sig", "NO_PROXY": "*", "no_proxy": "*",
              "HTTP_PROXY": "http://corp:3128", "AZURE_CONFIG_DIR": "/home/u/.azure", "SSL_CERT_FILE": "/x",
              "IDENTITY_ENDPOINT": "http://old", "ANTHROPIC_API_KEY": "agent-own"}
    env, removed = sandbox.child_environment(parent, config_dir="/tmp/c", proxy_url="http://127.0.0.1:1",
                                             ca_bundle="/tmp/ca.pem", endpoint_variables={"IDENTITY_ENDPOINT": "e"})
    assert set(removed) >= {"AZURE_CLIENT_SECRET", "TOKENGUARD_VAULT_PASSPHRASE", "ARM_CLIENT_SECRET",
                            "AZURE_STORAGE_KEY", "MY_TOKEN"}
    assert not {"NO_PROXY", "no_proxy", "HTTP_PROXY"} & set(env)
    assert env["HTTPS_PROXY"] == env["https_proxy"] == "http://127.0.0.1:1"
    assert env["REQUESTS_CA_BUNDLE"] == env["SSL_CERT_FILE"] == env["NODE_EXTRA_CA_CERTS"] == "/tmp/ca.pem"
    assert (env["AZURE_CONFIG_DIR"], env["IDENTITY_ENDPOINT"]) == ("/tmp/c", "e")
    assert env["ANTHROPIC_API_KEY"] == "agent-own"  # the agent's own keys are its business


def test_bwrap_hides_the_token_dirs_and_other_processes():
    argv = sandbox.bwrap_argv(["claude", "-p"], ["/home/u/.azure"], ["/home/u/.azure/cliextensions"])
    assert argv[:8] == ["bwrap", "--dev-bind", "/", "/", "--unshare-pid", "--proc", "/proc", "--die-with-parent"]
    assert argv[argv.index("--tmpfs") + 1] == "/home/u/.azure"
    assert argv[-3:] == ["--", "claude", "-p"]


def test_a_missing_bwrap_refuses_to_start():
    with pytest.raises(sandbox.SandboxUnavailableError, match="not installed"):
        sandbox.check_bwrap(which=lambda name: None)


def test_the_childs_profile_is_a_managed_identity_in_the_selected_tenant():
    subscriptions = [{"id": "a", "name": "A", "tenantId": "t1", "state": "Enabled"},
                     {"id": "b", "name": "B", "tenantId": "t1"}, {"id": "c", "name": "C", "tenantId": "t2"}]
    profile = sandbox.child_profile(subscriptions, "b", "t1", "install")
    assert [(s["id"], s["isDefault"]) for s in profile["subscriptions"]] == [("a", False), ("b", True)]
    assert all(s["user"]["name"] == "systemAssignedIdentity" for s in profile["subscriptions"])


def _run(mode="read-only", answer=False):
    records, questions = [], []
    run = AgentRun(mode=mode, command=["agent", "--token", "x"], account={"id": SUB, "tenantId": "t"},
                   subscriptions=[{"id": SUB, "name": "contoso-dev"}],
                   arm_resources=["https://management.core.windows.net/"], arm_url="https://arm.example",
                   login_url="https://login.example/", real_token=lambda resource: ("REAL", 10_000),
                   ask=lambda question: questions.append(question) or answer, audit=records.append, run_id="r1",
                   clock=lambda: 1000)
    return run, records, questions


def test_only_a_placeholder_sent_to_arm_gets_the_real_token():
    run, _, _ = _run()
    placeholder, _ = run.issue_placeholder("https://management.azure.com/")
    assert run.real_authorization("arm.example:443", f"Bearer {placeholder}") == "Bearer REAL"
    assert run.real_authorization("login.example:443", f"Bearer {placeholder}") is None
    assert run.real_authorization("arm.example:443", "Bearer something-else") is None
    assert run.intercepted == ["arm.example:443", "login.example:443"]


def test_tokens_for_other_resources_are_refused_and_audited():
    run, records, _ = _run()
    with pytest.raises(TokenRequestError) as raised:
        run.issue_placeholder("https://vault.azure.net")
    assert raised.value.status == 403
    assert (records[-1]["decision"], records[-1]["class"], records[-1]["run"]) == ("refused", "token", "r1")


@pytest.mark.parametrize("answer, outcome, recorded", [(True, policy.ALLOW, "confirmed"),
                                                       (False, policy.REFUSE, "refused")])
def test_ask_mode_names_method_resource_subscription_and_command(answer, outcome, recorded):
    run, records, questions = _run(policy.MODE_ASK, answer)
    decision = run.gate(policy.Request("DELETE", "arm.example:443", f"/subscriptions/{SUB}/resourceGroups/rg1"))
    assert decision.outcome == outcome and records[-1]["decision"] == recorded
    assert "DELETE /subscriptions/" in questions[0] and f"contoso-dev ({SUB})" in questions[0]
    assert "agent command: agent --token" in questions[0]


def test_reads_are_audited_with_the_run_id():
    run, records, _ = _run()
    run.gate(policy.Request("GET", "arm.example:443", f"/subscriptions/{SUB}/resourcegroups?api-version=1"))
    assert records[-1]["decision"] == "allowed" and records[-1]["subscription"] == "contoso-dev"
    assert records[-1]["request"] == f"GET https://arm.example:443/subscriptions/{SUB}/resourcegroups"


def test_no_terminal_means_no(tmp_path):
    from azext_tokenguard.agent.ask import ask_on_terminal
    assert ask_on_terminal("Allow?", tty_path=str(tmp_path / "no-such-tty")) is False
