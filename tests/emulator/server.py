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

    def dispatch(self, request):
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

    def _admin(self, request):
        action = request.path[len("/_emulator/"):]
        if action == "requests" and request.method == "GET":
            return Response(200, {"requests": list(self.log)})
        if action == "reset" and request.method == "POST":
            self.log.clear()
            self.arm.reset()
            self.settings.token_lifetime = request.json().get("token_lifetime", self.settings.token_lifetime)
            return Response(200, {"token_lifetime": self.settings.token_lifetime})
        if action == "settings" and request.method == "POST":
            self.settings.token_lifetime = int(request.json()["token_lifetime"])
            return Response(200, {"token_lifetime": self.settings.token_lifetime})
        if action == "health":
            return Response(200, {"status": "ok"})
        return Response(404, {"error": f"unknown admin action {action}"})


def _normalise_path(path):
    """az joins endpoints with an extra slash at times ("//metadata"); ARM tolerates that, and so do we."""
    while "//" in path:
        path = path.replace("//", "/")
    return path.rstrip("/") or "/"


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
