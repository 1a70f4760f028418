"""Run the real `az` (azure-cli 2.91.0 from this venv) in an isolated environment."""
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

AZ = str(Path(sys.executable).with_name("az"))


@dataclass
class Result:
    args: list
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self):
        return self.stdout + self.stderr

    def json(self):
        return json.loads(self.stdout)


class Az:
    """One az user: a config dir, the shared extension dir and the environment that keeps it offline."""

    def __init__(self, config_dir, base_env):
        self.config_dir = Path(config_dir)
        self.env = {**base_env, "AZURE_CONFIG_DIR": str(config_dir)}

    def run(self, *args, check=True, stdin=None, env=None, timeout=180):
        # Run from HOME, not the checkout: Python puts the working directory on sys.path, and az would then
        # import azext_tokenguard from the sources instead of the installed wheel.
        completed = subprocess.run([AZ, *args], input=stdin, capture_output=True, text=True, timeout=timeout,
                                   env={**self.env, **(env or {})}, cwd=self.env["HOME"], check=False)
        result = Result(list(args), completed.returncode, completed.stdout, completed.stderr)
        if check and result.returncode != 0:
            raise AssertionError(f"az {' '.join(args)} exited {result.returncode}:\n{result.stderr}")
        return result

    def json(self, *args, **kwargs):
        return self.run(*args, "-o", "json", **kwargs).json()


def offline_env(home, extension_dir, emulator, egress_url):
    """The environment every az call in the tests gets: nothing from the developer's own machine leaks in."""
    return {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "AZURE_EXTENSION_DIR": str(extension_dir),
        "REQUESTS_CA_BUNDLE": emulator.ca,
        "HTTPS_PROXY": egress_url, "HTTP_PROXY": egress_url,
        "https_proxy": egress_url, "http_proxy": egress_url,
        "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
        "AZURE_CORE_COLLECT_TELEMETRY": "false",
    }


def prepare_offline_cloud(az, emulator_url):
    """The verified recipe: no instance discovery, a custom cloud pointing at the emulator, no telemetry,
    no survey, no dynamic extension install."""
    az.run("config", "set", "core.instance_discovery=false", "core.collect_telemetry=false",
           "core.survey_message=false", "extension.use_dynamic_install=no", "--only-show-errors")
    az.run("cloud", "register", "-n", "TokenguardEmulator", "--endpoint-active-directory", emulator_url,
           "--endpoint-resource-manager", emulator_url, "--only-show-errors")
    az.run("cloud", "set", "-n", "TokenguardEmulator", "--only-show-errors")
