"""Tokens from the cache: `az account get-access-token` and `az tokenguard get-token` answered by the guard's
fast path (through the `az` shim on PATH, as Terraform, AzureCliCredential and scripts run it), against the
real `az account get-access-token` and the real `az tokenguard get-token` for the same token.

The commands alternate in one run, so all see the same machine load; medians and ratios are printed.
"""
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import logged_in_az, median_ms, timed
from tests.harness.shell import guard_launch_path

ROUNDS = 15
ARM = "https://management.core.windows.net/"
ANSWERED = 49  # ExitCode.ANSWERED


def run(rounds=ROUNDS):
    with logged_in_az() as az, tempfile.TemporaryDirectory() as scratch:
        az.run("account", "get-access-token")  # warm MSAL's cache and az's command index
        shim = _shim(Path(scratch), guard_launch_path(az))
        argv = ["account", "get-access-token", "--resource", ARM]

        get_token = ["tokenguard", "get-token", "--resource", ARM]

        def through_the_shim(words):
            done = subprocess.run([str(shim), *words], env=az.env, stdin=subprocess.DEVNULL, capture_output=True,
                                  check=True)
            assert done.stdout.startswith(b"{"), done.stderr

        samples = {"fast": [], "az": [], "get-token": [], "fast get-token": []}
        for _ in range(rounds):
            samples["fast"].append(timed(lambda: through_the_shim(argv)))
            samples["az"].append(timed(lambda: az.run(*argv)))
            samples["fast get-token"].append(timed(lambda: through_the_shim(get_token)))
            samples["get-token"].append(timed(lambda: az.run(*get_token)))
    ms = {key: median_ms(values) for key, values in samples.items()}
    return {"fast path through the shim (ms)": ms["fast"], "az account get-access-token (ms)": ms["az"],
            "fast path / az account get-access-token": ms["fast"] / ms["az"],
            "get-token's fast path through the shim (ms)": ms["fast get-token"],
            "tokenguard get-token (ms)": ms["get-token"],
            "get-token's fast path / tokenguard get-token": ms["fast get-token"] / ms["get-token"]}


def _shim(scratch, launch):
    """The `az` shim, whose real az is a program that fails: a timed run that reached az would fail."""
    from azext_tokenguard.guard.shim import render_shim
    failing = scratch / "not-az"
    failing.write_text("#!/bin/sh\nexit 3\n")
    failing.chmod(0o700)
    shim = scratch / "az"
    shim.write_text(render_shim(str(scratch), sys.executable, launch, str(failing)))
    shim.chmod(0o700)
    return shim


def main():
    for name, value in run().items():
        print(f"{name:42} {value:8.3f}")


if __name__ == "__main__":
    main()
