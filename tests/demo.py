"""`make demo`: a real az session against the offline emulator, showing what tokenguard does.

Everything runs on this machine: the emulator listens on 127.0.0.1, and any attempt to reach another
host goes to a recording proxy that refuses it.
"""
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.emulator import data
from tests.harness.az import Az, offline_env, prepare_offline_cloud
from tests.harness.egress import EgressRecorder
from tests.harness.emulator import REPO, EmulatorProcess

SP = data.DEPLOY_BOT


def build_wheel(out_dir):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(out_dir), str(REPO)], check=True)
    return next(Path(out_dir).glob("tokenguard-*.whl"))


def show(az, *args, title=None):
    if title:
        print(f"\n# {title}")
    print("$ az " + " ".join(args), flush=True)
    result = az.run(*args, check=False)
    print((result.stderr + result.stdout).rstrip(), flush=True)  # az says what it is doing on stderr first
    return result


def demo_steps(az):
    show(az, "login", "--use-device-code", "-o", "table", "--only-show-errors",
         title="Sign in as alice with device code (the emulator approves it at once)")
    show(az, "tokenguard", "status", "-o", "table", title="Where will the next az command land?")
    show(az, "tokenguard", "status", "--subscription", "contoso-prod",
         title="The same for another subscription, as JSON")


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
