"""A real bash or zsh on a pseudo-terminal, with tokenguard's shell integration, as a person uses it."""
import os
import re

import pexpect

PROMPT = "TG-PROMPT> "
FISH_DONE = "TG-DONE"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\r")


class GuardedShell:
    """An interactive shell whose rc evals `az tokenguard shell-init`; commands are typed at the prompt."""

    def __init__(self, shell, env, timeout=90, columns=400):
        home = env["HOME"]
        argv = {"bash": ["--norc", "--noprofile", "-i"], "zsh": ["-f", "-i"], "fish": ["--no-config", "-i"]}[shell]
        self.child = pexpect.spawn(shell, argv, env={**env, "TERM": "dumb"}, cwd=home, encoding="utf-8",
                                   timeout=timeout, dimensions=(60, columns))
        self.shell = shell
        # Split quoting, so the echo of this line does not itself look like the prompt.
        if shell == "fish":
            # fish repaints its prompt while a line is typed, so the prompt cannot mark the end of a command:
            # a fish_postexec handler prints the marker once each command has finished.
            self.prompt = FISH_DONE
            self.sendline("function fish_prompt; end; function __tg_done --on-event fish_postexec; "
                          "printf '%s%s\\n' 'TG-' 'DONE'; end")
        else:
            self.prompt = PROMPT
            self.sendline("PS1='TG-''PROMPT> '; PROMPT=$PS1; unset PROMPT_COMMAND")
        self.child.expect_exact(self.prompt)
        if shell == "fish":
            self.run("command az tokenguard shell-init --shell fish | source")
        else:
            self.run(f'eval "$(command az tokenguard shell-init --shell {shell})"')

    def sendline(self, line):
        self.child.sendline(line)

    def type_command(self, line):
        self.child.sendline(line)

    def until_prompt(self):
        """Everything printed until the shell prompt comes back, without colour codes."""
        self.child.expect_exact(self.prompt)
        return ANSI.sub("", self.child.before)

    def run(self, line):
        self.type_command(line)
        return self.until_prompt()

    def expect(self, text):
        self.child.expect_exact(text)
        return ANSI.sub("", self.child.before)

    def exit_status(self):
        status = "$status" if self.shell == "fish" else "$?"
        return int(self.run(f"echo status={status}").split("status=")[-1].split()[0])

    def close(self):
        self.child.sendline("exit")
        self.child.expect(pexpect.EOF)
        self.child.close()


def without_terminal(env):
    """Popen kwargs for a script run with no controlling terminal (cron, CI): /dev/tty cannot be opened."""
    return {"env": env, "cwd": env["HOME"], "start_new_session": True, "stdin": open(os.devnull, "rb")}


def guard_launch_path(az):
    """Where shell-init points the guard: launch.py inside the installed extension."""
    code = az.run("tokenguard", "shell-init", "--shell", "bash").stdout
    return next(line.split("=", 1)[1].strip("'") for line in code.splitlines()
                if line.startswith("__tokenguard_launch="))


def run_guarded_script(az, command, **extra_env):
    """A bash script that evals shell-init and runs command, with no terminal (as in cron or CI)."""
    import subprocess
    from tests.harness.az import AZ
    script = f'eval "$({AZ} tokenguard shell-init --shell bash)"\n{command}\n'
    return subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=120,
                          **without_terminal({**az.env, **extra_env}))
