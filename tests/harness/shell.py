"""A real bash or zsh on a pseudo-terminal, with tokenguard's shell integration, as a person uses it."""
import os
import re

import pexpect

PROMPT = "TG-PROMPT> "
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\r")


class GuardedShell:
    """An interactive shell whose rc evals `az tokenguard shell-init`; commands are typed at the prompt."""

    def __init__(self, shell, env, timeout=90):
        home = env["HOME"]
        argv = ["--norc", "--noprofile", "-i"] if shell == "bash" else ["-f", "-i"]
        self.child = pexpect.spawn(shell, argv, env={**env, "TERM": "dumb"}, cwd=home, encoding="utf-8",
                                   timeout=timeout, dimensions=(60, 400))
        self.shell = shell
        # Split quoting, so the echo of this line does not itself look like the prompt.
        self.sendline("PS1='TG-''PROMPT> '; PROMPT=$PS1; unset PROMPT_COMMAND")
        self.child.expect_exact(PROMPT)
        self.run(f'eval "$(command az tokenguard shell-init --shell {shell})"')

    def sendline(self, line):
        self.child.sendline(line)

    def type_command(self, line):
        self.child.sendline(line)

    def until_prompt(self):
        """Everything printed until the shell prompt comes back, without colour codes."""
        self.child.expect_exact(PROMPT)
        return ANSI.sub("", self.child.before)

    def run(self, line):
        self.type_command(line)
        return self.until_prompt()

    def expect(self, text):
        self.child.expect_exact(text)
        return ANSI.sub("", self.child.before)

    def exit_status(self):
        return int(self.run("echo status=$?").split("status=")[-1].split()[0])

    def close(self):
        self.child.sendline("exit")
        self.child.expect(pexpect.EOF)
        self.child.close()


def without_terminal(env):
    """Popen kwargs for a script run with no controlling terminal (cron, CI): /dev/tty cannot be opened."""
    return {"env": env, "cwd": env["HOME"], "start_new_session": True, "stdin": open(os.devnull, "rb")}
