"""Guard overhead per az command: the guard program as the shell function runs it, against a bare
interpreter and against `az account show` itself. Prints medians and the ratio."""
import subprocess
import sys

from bench.common import logged_in_az, median_ms, timed
from tests.harness.shell import guard_launch_path

ROUNDS = 30
FLAGS = ["-I", "-S"]  # what shell-init uses


def run(rounds=ROUNDS):
    with logged_in_az() as az:
        launch = guard_launch_path(az)
        env = {**az.env}

        def guard():
            subprocess.run([sys.executable, *FLAGS, launch, "group", "list"], env=env, check=True,
                           stdin=subprocess.DEVNULL, capture_output=True)

        def bare():
            subprocess.run([sys.executable, *FLAGS, "-c", "pass"], env=env, check=True)

        samples = {"guard": [], "bare": [], "az": []}
        for _ in range(rounds):  # interleaved, so all three see the same load
            samples["guard"].append(timed(guard))
            samples["bare"].append(timed(bare))
        for _ in range(max(rounds // 3, 5)):
            samples["az"].append(timed(lambda: az.run("account", "show")))
    guard_ms, bare_ms, az_ms = (median_ms(samples[k]) for k in ("guard", "bare", "az"))
    return {"guard per command (ms)": guard_ms, "bare interpreter (ms)": bare_ms,
            "guard overhead over bare (ms)": guard_ms - bare_ms, "az account show (ms)": az_ms,
            "guard / az account show": guard_ms / az_ms}


def main():
    for name, value in run().items():
        print(f"{name:32} {value:9.3f}")


if __name__ == "__main__":
    main()
