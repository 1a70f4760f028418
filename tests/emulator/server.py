"""The emulator's HTTPS server: routing, the request log and the /_emulator admin endpoints."""
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from .arm import Arm
from .entra import Entra
from .graph import Graph
from .metadata import cloud_metadata
from .wire import Request, Response
from .tokens import TokenIssuer


class Settings:
    """What a test may change while the emulator runs (POST /_emulator/settings)."""

    def __init__(self, token_lifetime):
        self.token_lifetime = token_lifetime


class Emulator:
    def __init__(self, base_url, token_lifetime):
        self.settings = Settings(token_lifetime)
        self.issuer = TokenIssuer(base_url)
        self.entra = Entra(self.issuer, self.settings)
        self.arm = Arm(self.issuer, base_url)
        self.graph = Graph(self.issuer)
        self.log = []
        self._lock = threading.Lock()
        self._logged = threading.Condition(self._lock)  # notified at each request logged: /_emulator/wait
        self._groups_to_come = []  # (since, wanted, subscription, name): a group appears on a request

    def dispatch(self, request):
        if request.path == "/_emulator/wait":  # blocks for a while: must not hold the lock the others need
            return "admin", self._wait(request.json())
        with self._lock:  # one request at a time keeps the in-memory state simple and consistent
            if request.path.startswith("/_emulator/"):
                return "admin", self._admin(request)
            if self.entra.handles(request.path):
                return "entra", self.entra.handle(request)
            if request.path == "/metadata/endpoints":
                return "arm", Response(200, cloud_metadata(self.issuer.base_url))
            if self.graph.handles(request.path):
                return "graph", self.graph.handle(request)
            if self.arm.route(request.path)[0]:
                return "arm", self.arm.handle(request)
            return "unknown", Response(404, {"error": {"code": "NotFound", "message": request.path}})

    def record(self, service, request, response):
        entry = {"time": time.time(), "service": service, "method": request.method, "path": request.path,
                 "query": request.query, "status": response.status, **response.note}
        with self._lock:
            self.log.append(entry)
            self._logged.notify_all()
            self._make_groups_that_were_waiting()

    def _first_match(self, wanted):
        """The first request logged at position ``since`` or later whose fields have the wanted values (and whose
        path contains ``path_contains``, case-insensitively), else None."""
        wanted = dict(wanted)
        since, path_part = int(wanted.pop("since", 0)), wanted.pop("path_contains", "").lower()
        return next((e for e in self.log[since:] if path_part in e["path"].lower()
                     and all(e.get(key) == value for key, value in wanted.items())), None)

    def _wait(self, wanted):
        """The first request like ``wanted`` (_first_match); 408 when none comes within ``timeout`` seconds."""
        timeout = float(wanted.pop("timeout", 60))
        with self._logged:
            entry = self._logged.wait_for(lambda: self._first_match(wanted), timeout)
        return Response(200, entry) if entry else Response(408, {"error": f"no request like {wanted} came"})

    def _add_group(self, body):
        """A resource group appears, as another client would make it: now, or once a request like ``when`` is
        logged (a state that changes on an event, for a command that waits for it)."""
        if body.get("when") and not self._first_match(body["when"]):
            self._groups_to_come.append(body)
        else:
            self.arm.groups[(body["subscription"], body["name"].lower())] = {
                "name": body["name"], "location": body.get("location", "westeurope"), "tags": {}}
        return Response(201, {"name": body["name"]})

    def _make_groups_that_were_waiting(self):
        waiting, self._groups_to_come = self._groups_to_come, []
        for body in waiting:
            self._add_group(body)

    def _admin(self, request):
        action = request.path[len("/_emulator/"):]
        if action == "requests" and request.method == "GET":
            return Response(200, {"requests": list(self.log)})
        if action == "reset" and request.method == "POST":
            self.log.clear()
            self._groups_to_come = []
            self.arm.reset()
            self.settings.token_lifetime = request.json().get("token_lifetime", self.settings.token_lifetime)
            return Response(200, {"token_lifetime": self.settings.token_lifetime})
        if action == "settings" and request.method == "POST":
            self.settings.token_lifetime = int(request.json()["token_lifetime"])
            return Response(200, {"token_lifetime": self.settings.token_lifetime})
        if action == "groups" and request.method == "POST":
            return self._add_group(request.json())
        if action == "health":
            return Response(200, {"status": "ok"})
        return Response(404, {"error": f"unknown admin action {action}"})


def _normalise_path(path):
    """az joins endpoints with an extra slash at times ("//metadata"); ARM tolerates that, and so do we. A web
    server resolves '.' and '..' segments (RFC 3986, 5.2.4) before routing: requests sends %2E%2E as '..'."""
    segments = []
    for segment in path.split("/"):
        if segment == "..":
            segments = segments[:-1]
        elif segment not in ("", "."):
            segments.append(segment)
    return "/" + "/".join(segments)


def _handler_class(emulator):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body are two writes: with Nagle on, a client's delayed ACK adds 40 ms to some answers,
        # which Azure's front ends do not, and which would swamp the latency benchmarks (bench/).
        disable_nagle_algorithm = True

        def _serve(self):
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            request = Request(method=self.command, path=_normalise_path(parts.path),
                              query={k: v[0] for k, v in parse_qs(parts.query).items()},
                              headers={k.lower(): v for k, v in self.headers.items()},
                              body=self.rfile.read(length) if length else b"")
            service, response = emulator.dispatch(request)
            if service != "admin":
                emulator.record(service, request, response)
            body = b"" if self.command == "HEAD" else response.encoded()
            self.send_response(response.status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

        def log_message(self, format, *args):  # the request log above replaces stderr noise
            pass

    return Handler


def serve(tls_paths, token_lifetime, port=0):
    """Bind 127.0.0.1 (never another interface), and return (server, base_url) ready to serve_forever()."""
    server = ThreadingHTTPServer(("127.0.0.1", port), None)
    base_url = f"https://127.0.0.1:{server.server_address[1]}"
    server.RequestHandlerClass = _handler_class(Emulator(base_url, token_lifetime))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tls_paths["server.pem"], tls_paths["server.key"])
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.daemon_threads = True
    return server, base_url
