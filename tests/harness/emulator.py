"""Start the emulator as its own process and talk to its /_emulator admin endpoints."""
import json
import ssl
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


class EmulatorProcess:
    def __init__(self, state_dir, token_lifetime=3600, own_session=False):
        self.state_dir = Path(state_dir)
        self.own_session = own_session  # out of reach of a Ctrl-C typed at a terminal (make shell)
        self.token_lifetime = token_lifetime
        self.process = None
        self.url = self.ca = None

    def start(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.emulator", "--state-dir", str(self.state_dir),
             "--token-lifetime", str(self.token_lifetime)],
            cwd=REPO, stdout=subprocess.PIPE, text=True, start_new_session=self.own_session)
        line = self.process.stdout.readline()  # blocks until the emulator says it listens
        if not line.startswith("READY "):
            self.stop()
            raise RuntimeError(f"emulator did not start: {line!r}")
        info = json.loads(line[len("READY "):])
        self.url, self.ca = info["url"], info["ca"]
        return self

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def _call(self, method, action, body=None, timeout=10):
        context = ssl.create_default_context(cafile=self.ca)
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.url}/_emulator/{action}", data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, context=context, timeout=timeout) as response:
            return json.loads(response.read())

    def arm_get(self, path, token):
        """What a script does with a token: call ARM with it. Returns the HTTP status."""
        context = ssl.create_default_context(cafile=self.ca)
        request = urllib.request.Request(f"{self.url}{path}", headers={"Authorization": f"Bearer {token}"})
        try:
            with urllib.request.urlopen(request, context=context, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def reset(self, token_lifetime=None):
        """Forget the request log, restore the seeded resource groups and set the token lifetime."""
        return self._call("POST", "reset", {"token_lifetime": token_lifetime or self.token_lifetime})

    def set_token_lifetime(self, seconds):
        return self._call("POST", "settings", {"token_lifetime": seconds})

    def requests(self, service=None, method=None):
        entries = self._call("GET", "requests")["requests"]
        return [e for e in entries if (service is None or e["service"] == service)
                and (method is None or e["method"] == method)]

    def wait_for_request(self, since=0, timeout=60, path_contains="", **fields):
        """Block until the request log has, at position ``since`` or later, a request with these field values
        (service, method, grant_type, ...) whose path contains ``path_contains``; return its entry. An event
        to wait for, instead of sleeping: raises urllib's HTTPError 408 when none comes within ``timeout``."""
        return self._call("POST", "wait", {"since": since, "timeout": timeout, "path_contains": path_contains,
                                           **fields}, timeout=timeout + 10)

    def add_resource_group(self, subscription, name, when=None):
        """A resource group appears in ``subscription``, as if another client had created it: now, or once the
        request log has a request like ``when`` (wait_for_request's fields, ``since`` included)."""
        return self._call("POST", "groups", {"subscription": subscription, "name": name, "when": when})
