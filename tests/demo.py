"""`make demo`: a real az session against the offline emulator, showing what tokenguard does.

Everything runs on this machine: the emulator listens on 127.0.0.1, and any attempt to reach another
host goes to a recording proxy that refuses it.
"""
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.conftest import login
from tests.harness.az import Az, offline_env, prepare_offline_cloud
from tests.harness.egress import EgressRecorder
from tests.harness.emulator import EmulatorProcess
from tests.harness.shell import without_terminal
from tests.harness.wheel import build_wheel


def show(az, *args, title=None):
    if title:
        print(f"\n# {title}")
    print("$ az " + " ".join(args), flush=True)
    result = az.run(*args, check=False)
    print((result.stderr + result.stdout).rstrip(), flush=True)  # az says what it is doing on stderr first
    return result


def demo_steps(az):
    print("\n# Sign in as alice with device code (the emulator approves it at once)", flush=True)
    login(az, "user")
    show(az, "tokenguard", "status", "-o", "table", title="Where will the next az command land?")
    show(az, "tokenguard", "status", "--subscription", "contoso-prod",
         title="The same for another subscription, as JSON")
    show(az, "tokenguard", "get-token", "--resource", "graph", "--min-validity", "45m", "--query",
         "{audience: audience, scopes: scopes, expiresAt: expiresAt, secondsRemaining: secondsRemaining}",
         title="A Microsoft Graph token valid for at least 45 more minutes (summary only, no secret)")
    show(az, "tokenguard", "get-token", "--resource", "User.Read",
         title="A permission passed as a resource is explained before any request")
    token = az.run("tokenguard", "get-token", "--query", "accessToken", "-o", "tsv").stdout
    print("\n# What is inside the ARM token?\n$ az tokenguard get-token --query accessToken -o tsv "
          "| az tokenguard decode -o table", flush=True)
    print(az.run("tokenguard", "decode", "-o", "table", stdin=token).stdout.rstrip(), flush=True)
    demo_guard(az)
    login(az, "servicePrincipal")
    show(az, "tokenguard", "scan", "-o", "table",
         title="A service principal signs in too; what token material is on disk now?")
    show(az, "tokenguard", "logout", "--all", "--yes", "-o", "table", title="Leave nothing behind")
    show(az, "tokenguard", "scan", "-o", "table", title="Scan again")


DEPLOY_SCRIPT = """#!/bin/bash
az group create -n rg-demo -l westeurope
az group list -o table
az rest --method DELETE \\
   --url /subscriptions/x/resourceGroups/old
az group delete -n rg1 --yes
"""


def demo_guard(az):
    script = Path(az.env["HOME"]) / "deploy.sh"
    script.write_text(DEPLOY_SCRIPT)
    show(az, "tokenguard", "classify", "--file", str(script), "-o", "table",
         title="Which az commands in deploy.sh are destructive?")
    guarded = 'eval "$(az tokenguard shell-init --shell bash)"; az group delete -n rg1 --yes'
    for title, extra in (("A guarded script with no terminal is refused", {}),
                         ("...and goes through when TOKENGUARD_CONFIRM names the subscription",
                          {"TOKENGUARD_CONFIRM": "contoso-dev"})):
        print(f"\n# {title}\n$ bash -c '{guarded}'", flush=True)
        result = subprocess.run(["bash", "-c", guarded], capture_output=True, text=True, check=False,
                                **without_terminal({**az.env, **extra}))
        print((result.stderr + result.stdout).rstrip() + f"\n(exit status {result.returncode})", flush=True)


def main():
    with tempfile.TemporaryDirectory(prefix="tokenguard-demo-") as scratch:
        scratch = Path(scratch)
        egress = EgressRecorder().start()
        emulator = EmulatorProcess(scratch / "emulator").start()
        try:
            print(f"Emulator (Entra ID + ARM) listening on {emulator.url}")
            env = offline_env(scratch / "home", scratch / "cliextensions", emulator, egress.url)
            (scratch / "home").mkdir()
            az = Az(scratch / "azure", env)
            wheel = build_wheel(scratch / "dist")
            show(az, "extension", "add", "--source", str(wheel), "--yes", "--only-show-errors",
                 title=f"Install tokenguard from its wheel ({wheel.name})")
            prepare_offline_cloud(az, emulator.url)
            demo_steps(az)
        finally:
            emulator.stop()
            egress.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
