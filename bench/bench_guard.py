"""Guard overhead per az command: the guard program as the shell function runs it, against a bare
interpreter and against `az account show` itself; and the same guard reached through the bash function and
through the `az` shim on PATH (both with a no-op in place of the real az, so only tokenguard is timed).
Prints medians and ratios."""
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import logged_in_az, median_ms, timed
from tests.harness.shell import guard_launch_path

ROUNDS = 30
FLAGS = ["-I", "-S"]  # what shell-init uses
STEER = 40  # ExitCode.STEER: the guard prints the subscription the shell function adds


def run(rounds=ROUNDS):
    with logged_in_az() as az:
        launch = guard_launch_path(az)
        env = {**az.env}

        def guard():
            subprocess.run([sys.executable, *FLAGS, launch, "group", "list"], env=env, check=True,
                           stdin=subprocess.DEVNULL, capture_output=True)

        def guard_with_options():  # long options: the guard reads az's option table for the command
            subprocess.run([sys.executable, *FLAGS, launch, "group", "show", "--name", "rg1", "--query", "id"],
                           env=env, check=True, stdin=subprocess.DEVNULL, capture_output=True)

        def bare():
            subprocess.run([sys.executable, *FLAGS, "-c", "pass"], env=env, check=True)

        selected_env = _selection_env(az, env)

        def guard_steering():  # a shell with its own subscription (az tokenguard use): the guard steers az there
            done = subprocess.run([sys.executable, *FLAGS, launch, "group", "list"], env=selected_env,
                                  stdin=subprocess.DEVNULL, capture_output=True, check=False)
            assert done.returncode == STEER, done.stderr

        samples = {"guard": [], "bare": [], "az": [], "shim": [], "function": [], "bash": [], "steering": [],
                   "options": []}
        with tempfile.TemporaryDirectory() as scratch:
            through_shim, through_function, bash_alone = _entry_points(Path(scratch), launch, env)
            for _ in range(rounds):  # interleaved, so all see the same load
                samples["guard"].append(timed(guard))
                samples["options"].append(timed(guard_with_options))
                samples["steering"].append(timed(guard_steering))
                samples["bare"].append(timed(bare))
                samples["shim"].append(timed(through_shim))
                samples["function"].append(timed(through_function))
                samples["bash"].append(timed(bash_alone))
        for _ in range(max(rounds // 3, 5)):
            samples["az"].append(timed(lambda: az.run("account", "show")))
    ms = {key: median_ms(values) for key, values in samples.items()}
    return {"guard per command (ms)": ms["guard"], "interpreter floor, python -I -S -c pass (ms)": ms["bare"],
            "guard overhead over bare (ms)": ms["guard"] - ms["bare"], "az account show (ms)": ms["az"],
            "guard / az account show": ms["guard"] / ms["az"],
            "guard steering a selection (ms)": ms["steering"],
            "guard, option table read (ms)": ms["options"],
            "option table / az account show": ms["options"] / ms["az"],
            "shim per command (ms)": ms["shim"], "shim / az account show": ms["shim"] / ms["az"],
            "function per command (ms)": ms["function"] - ms["bash"],
            "function / az account show": (ms["function"] - ms["bash"]) / ms["az"]}


def _selection_env(az, env):
    """The environment of a shell after `eval "$(az tokenguard use ...)"`, as its shell function runs the guard."""
    from azext_tokenguard.guard.selection import STEERING_ENV, SUBSCRIPTION_ENV
    return {**env, SUBSCRIPTION_ENV: az.json("account", "show")["id"], STEERING_ENV: "1"}


def _entry_points(scratch, launch, env):
    """Callables that run `az group list` through the shim and through the bash function, with /bin/true as
    the real az, and bash sourcing the function alone (subtracted, as an rc file is read once per shell)."""
    from azext_tokenguard.guard.shell_init import shell_init
    from azext_tokenguard.guard.shim import render_shim
    shim = scratch / "az"
    shim.write_text(render_shim(str(scratch), sys.executable, launch, "/bin/true"))
    os.chmod(shim, 0o700)
    init = scratch / "init.bash"
    init.write_text(shell_init("bash", sys.executable, launch, "/bin/true"))

    def run(argv):
        subprocess.run(argv, env=env, check=True, stdin=subprocess.DEVNULL, capture_output=True)
    return (lambda: run([str(shim), "group", "list"]),
            lambda: run(["bash", "-c", f"source {init}; az group list"]),
            lambda: run(["bash", "-c", f"source {init}"]))


def main():
    for name, value in run().items():
        print(f"{name:32} {value:9.3f}")


if __name__ == "__main__":
    main()
