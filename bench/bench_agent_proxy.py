"""The agent's proxy versus a direct request: GET /subscriptions on the emulator's ARM, kept-alive sessions.

The proxy is the one `az tokenguard agent` runs (policy, audit record, placeholder swapped for the real token,
TLS terminated with the run's CA, a kept-alive upstream connection). Direct and proxied requests alternate,
so both see the same machine load; medians and their difference are printed. The proxy's budget is 10 ms.
"""
import logging
import os
import tempfile
import time

import requests

from azext_tokenguard.agent.ca import RunCA, write_bundle
from azext_tokenguard.agent.proxy import AgentProxy, Upstream
from azext_tokenguard.agent.run import AgentRun
from azext_tokenguard.agent.session import upstream_context
from bench.common import logged_in_az, median_ms, timed

ROUNDS = 200
BUDGET_MS = 10


def _agent_run(emulator_url, real_token, audit_dir):
    from azext_tokenguard.guard import audit
    account = {"id": "bench", "tenantId": "bench"}
    return AgentRun(mode="read-only", command=["bench"], account=account, subscriptions=[],
                    arm_resources=["https://management.core.windows.net/"], arm_url=emulator_url,
                    login_url=emulator_url, real_token=lambda resource: (real_token, time.time() + 3000),
                    ask=lambda question: False, audit=lambda record: audit.append(audit_dir, record), run_id="bench")


def run(rounds=ROUNDS):
    with logged_in_az() as az, tempfile.TemporaryDirectory(prefix="tokenguard-bench-proxy-") as scratch:
        real_token = az.json("account", "get-access-token")["accessToken"]
        emulator_ca = az.env["REQUESTS_CA_BUNDLE"]
        emulator_url = az.json("cloud", "show")["endpoints"]["resourceManager"].rstrip("/")
        agent = _agent_run(emulator_url, real_token, scratch)
        authority = RunCA(scratch)
        bundle = os.path.join(scratch, "ca.pem")
        write_bundle(bundle, authority.certificate_pem, [emulator_ca])
        upstream = Upstream(upstream_context({"REQUESTS_CA_BUNDLE": emulator_ca}), proxies={})
        url = f"{emulator_url}/subscriptions?api-version=2022-12-01"
        with AgentProxy(authority, agent, upstream, logging.getLogger("bench")) as proxy:
            placeholder = agent.issue_placeholder("https://management.core.windows.net/")[0]
            direct, proxied = requests.Session(), requests.Session()
            direct.trust_env = proxied.trust_env = False
            direct.verify, proxied.verify = emulator_ca, bundle
            proxied.proxies = {"https": proxy.url}
            direct.headers["Authorization"] = f"Bearer {real_token}"
            proxied.headers["Authorization"] = f"Bearer {placeholder}"
            for session in (direct, proxied):  # connections and the leaf certificate, made once
                assert session.get(url).status_code == 200
            direct_samples, proxied_samples = [], []
            for _ in range(rounds):
                direct_samples.append(timed(lambda: direct.get(url).raise_for_status()))
                proxied_samples.append(timed(lambda: proxied.get(url).raise_for_status()))
    result = {"direct request (ms)": median_ms(direct_samples), "through the agent proxy (ms)":
              median_ms(proxied_samples)}
    result["difference (ms)"] = result["through the agent proxy (ms)"] - result["direct request (ms)"]
    return result


def main():
    result = run()
    for name, value in result.items():
        print(f"{name:32} {value:8.2f}")
    print(f"budget: at most {BUDGET_MS} ms more per request: {'met' if result['difference (ms)'] <= BUDGET_MS else 'NOT met'}")


if __name__ == "__main__":
    main()
