"""`make shell`: a real bash, zsh or fish with tokenguard loaded, signed in to the offline emulator.

Everything lives in one temp dir: the emulator's certificates, HOME (with the shell's rc file), az's config dir
(the deploy-bot service principal and alice signed in, contoso-prod protected) and the extension dir (the wheel
built from this checkout). At a terminal you get an interactive shell; otherwise the shell runs the commands it
reads on stdin. On exit the emulator stops and the temp dir goes.

    python -m tests.shell_session [--shell bash|zsh|fish]
"""
import argparse
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.emulator import data
from tests.harness.az import Az, offline_env, prepare_offline_cloud
from tests.harness.egress import EgressRecorder
from tests.harness.emulator import EmulatorProcess
from tests.harness.wheel import build_wheel

PROTECTED = data.CONTOSO_PROD
DEFAULT = data.CONTOSO_DEV

# What each shell reads at start: shell-init (the guard in front of az) and the prompt segment before the
# shell's own prompt. bash reads ~/.bashrc only when interactive, so a piped session gets it through BASH_ENV,
# which the rc unsets at once (scripts started from the session must not read it again). HOME is the temp dir,
# so each shell finds its rc file where it looks by default.
RC_FILES = {
    "bash": (".bashrc", 'unset BASH_ENV\neval "$(command az tokenguard shell-init --shell bash)"\n'
                        "PS1='${__tokenguard_ps1}\\w \\$ '\n"),
    "zsh": (".zshrc", 'eval "$(command az tokenguard shell-init --shell zsh)"\n'
                      "setopt promptsubst; PROMPT='${__tokenguard_ps1}%~ %# '\n"),
    "fish": (".config/fish/config.fish", "command az tokenguard shell-init --shell fish | source\n"
                                         "function fish_prompt; __tokenguard_prompt; echo -n (prompt_pwd)' > '; end\n"),
}


def say(text):
    """Progress for a person at a terminal; a piped session prints only what its commands print."""
    if sys.stdin.isatty():
        print(text, file=sys.stderr, flush=True)


def sign_in(az):
    """deploy-bot (client secret) in Contoso, with contoso-dev (az's default) and contoso-prod (protected), and
    alice (device code, which the emulator approves at once) in Fabrikam, with fabrikam-sandbox. az keeps one
    account per subscription, so two identities stay visible only on subscriptions they do not share."""
    bot = data.DEPLOY_BOT
    az.run("login", "--service-principal", "-u", bot.app_id, "-p", bot.secret, "--tenant", bot.tenant_id,
           "--only-show-errors")
    az.run("login", "--use-device-code", "--tenant", data.FABRIKAM.tenant_id, "--only-show-errors")
    az.run("account", "set", "--subscription", DEFAULT.subscription_id)
    az.run("tokenguard", "protect", "--subscription", PROTECTED.display_name, "--only-show-errors")


def prepare(scratch, emulator, egress_url):
    """az, the extension and the signed-in config dir, all under scratch. Returns the shell's environment."""
    home = scratch / "home"
    home.mkdir()
    az = Az(scratch / "azure", offline_env(home, scratch / "cliextensions", emulator, egress_url))
    say("tokenguard: building the wheel and installing it into az ...")
    az.run("extension", "add", "--source", str(build_wheel(scratch / "dist")), "--yes", "--only-show-errors")
    say("tokenguard: signing in alice and deploy-bot at the emulator ...")
    prepare_offline_cloud(az, emulator.url)
    sign_in(az)
    passthrough = {name: os.environ[name] for name in ("TERM", "COLUMNS", "LINES", "NO_COLOR") if name in os.environ}
    return {**az.env, **passthrough}


def write_rc(shell, env):
    name, text = RC_FILES[shell]
    path = Path(env["HOME"]) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    if shell == "zsh":  # zsh reads .zshrc only when interactive, but .zshenv always
        (path.parent / ".zshenv").write_text("[[ -o interactive ]] || source ~/.zshrc\n")
    return path


def shell_command(shell, interactive):
    if shell == "bash":
        return ["bash", "-i"] if interactive else ["bash", "-s"]
    if shell == "zsh":
        return ["zsh", "-i"] if interactive else ["zsh", "-s"]
    return ["fish", "-i"] if interactive else ["fish"]


def run_shell(shell, env):
    interactive = sys.stdin.isatty()
    rc_path = write_rc(shell, env)
    if shell == "bash" and not interactive:
        env = {**env, "BASH_ENV": str(rc_path)}
    if interactive:
        print(f"tokenguard: {shell} with deploy-bot ({DEFAULT.display_name}, az's default, and "
              f"{PROTECTED.display_name}, protected) and {data.ALICE.username} ({data.FABRIKAM_SANDBOX.display_name})"
              " signed in. Offline: nothing leaves this machine. Type exit to stop.", file=sys.stderr, flush=True)
    # The shell owns the terminal; Ctrl-C at its prompt is its business, not a reason to tear the session down.
    previous = signal.signal(signal.SIGINT, lambda *_: None)
    try:
        return subprocess.run(shell_command(shell, interactive), env=env, cwd=env["HOME"],
                              check=False).returncode
    finally:
        signal.signal(signal.SIGINT, previous)


def end_on_signal(signum, _frame):
    """A closed terminal (SIGHUP) or a kill (SIGTERM) still stops the emulator and removes the temp dir."""
    raise SystemExit(128 + signum)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="make shell", description=__doc__.split("\n", 1)[0])
    parser.add_argument("--shell", choices=sorted(RC_FILES), default="bash")
    args = parser.parse_args(argv)
    for signum in (signal.SIGHUP, signal.SIGTERM):
        signal.signal(signum, end_on_signal)
    with tempfile.TemporaryDirectory(prefix="tokenguard-shell-") as scratch:
        scratch = Path(scratch)
        egress = EgressRecorder().start()
        emulator = EmulatorProcess(scratch / "emulator", own_session=True).start()
        try:
            return run_shell(args.shell, prepare(scratch, emulator, egress.url))
        finally:
            emulator.stop()
            egress.stop()


if __name__ == "__main__":
    sys.exit(main())
