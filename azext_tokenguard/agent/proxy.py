"""The agent's HTTPS proxy, on 127.0.0.1: it reads every request to Azure's hosts and sends on what the
policy allows, with the real token in place of the child's placeholder.

The child's clients find it through HTTPS_PROXY and send CONNECT host:port. For the cloud's own hosts (ARM
and sign-in) the proxy answers the TLS handshake itself, with a leaf from this run's CA, and reads the HTTP
requests inside: each goes to ``gate`` (policy, question, audit) and, when allowed, upstream over a kept-alive
connection. A refused request gets an ARM-shaped 403 and never leaves the machine. Other hosts (the agent's
own model API, package registries) are tunnelled untouched: they never see a real token.
"""
import http.client
import json
import selectors
import socket
import ssl
import sys
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import _SocketWriter

from .policy import ALLOW, Request

CONNECTION_TIMEOUT_SECONDS = 300  # an idle kept-alive connection from the child is closed after this
UPSTREAM_TIMEOUT_SECONDS = 120
MAX_BODY_BYTES = 64 * 1024 * 1024
_HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection", "te",
               "trailer", "transfer-encoding", "upgrade", "content-length"}


def _ack_at_once(sock):
    """A server that writes headers and body apart, with Nagle on, holds the body until its headers are
    ACKed; a delayed ACK then costs 40 ms per request. Linux's quick-ACK mode (it lapses by itself, so it is
    set per request) answers at once."""
    option = getattr(socket, "TCP_QUICKACK", None)
    if option is not None and sock is not None:
        try:
            sock.setsockopt(socket.IPPROTO_TCP, option, 1)
        except OSError:
            pass


class Upstream:
    """Kept-alive HTTPS connections to Azure's hosts, through the parent's own proxy when it has one."""

    def __init__(self, ssl_context, proxies=None):
        self._context = ssl_context
        self._proxies = proxies if proxies is not None else urllib.request.getproxies_environment()
        self._idle = {}
        self._lock = threading.Lock()

    def _proxy_for(self, host):
        """(host, port) of the parent's HTTPS proxy for ``host``, or None to connect directly."""
        proxy = self._proxies.get("https")
        if not proxy or urllib.request.proxy_bypass_environment(host.rsplit(":", 1)[0], self._proxies):
            return None
        location = urllib.request.urlparse(proxy if "://" in proxy else "http://" + proxy)
        return location.hostname, location.port or 80

    def connection(self, host):
        with self._lock:
            idle = self._idle.get(host)
            if idle:
                return idle.pop(), True
        name, _, port = host.rpartition(":")
        proxy = self._proxy_for(host)
        if proxy:
            connection = http.client.HTTPSConnection(*proxy, context=self._context, timeout=UPSTREAM_TIMEOUT_SECONDS)
            connection.set_tunnel(name, int(port))
        else:
            connection = http.client.HTTPSConnection(name, int(port), context=self._context,
                                                     timeout=UPSTREAM_TIMEOUT_SECONDS)
        return connection, False

    def release(self, host, connection):
        with self._lock:
            self._idle.setdefault(host, []).append(connection)

    def send(self, host, method, target, headers, body):
        """(status, reason, headers, body) of the upstream answer; one retry when a kept-alive connection had
        been closed by the server meanwhile."""
        for _ in range(2):
            connection, reused = self.connection(host)
            try:
                connection.request(method, target, body=body, headers=headers)
                _ack_at_once(connection.sock)
                response = connection.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                connection.close()
                if reused:
                    continue
                raise
            except Exception:
                connection.close()
                raise
            if response.will_close:
                connection.close()
            else:
                self.release(host, connection)
            return response.status, response.reason, response.getheaders(), data
        raise ConnectionError(f"{host} closed the connection")

    def open_tunnel(self, host):
        """A raw socket to ``host`` (host:port), through the parent's proxy when it has one."""
        name, _, port = host.rpartition(":")
        proxy = self._proxy_for(host)
        if not proxy:
            return socket.create_connection((name, int(port)), timeout=UPSTREAM_TIMEOUT_SECONDS)
        tunnel = http.client.HTTPConnection(*proxy, timeout=UPSTREAM_TIMEOUT_SECONDS)
        tunnel.set_tunnel(name, int(port))
        tunnel.connect()
        return tunnel.sock

    def close(self):
        with self._lock:
            for connections in self._idle.values():
                for connection in connections:
                    connection.close()
            self._idle.clear()


class AgentProxy:
    """The proxy server. ``run`` decides: ``run.intercepted`` (the host:port names whose requests are read),
    ``run.gate(Request) -> Decision`` (policy, question, audit), ``run.refusal(Request, Decision)`` (the error
    body) and ``run.real_authorization(host, presented)`` (the Authorization header to send upstream for the
    one the child presented: the real token for a placeholder of this run, else None, and nothing is sent)."""

    def __init__(self, ca, run, upstream, logger):
        self.ca, self.run, self.upstream, self.logger = ca, run, upstream, logger
        self.intercepted = {host.lower() for host in run.intercepted}
        self._server = _Server(("127.0.0.1", 0), type("Handler", (_Handler,), {"proxy": self}), logger)

    @property
    def url(self):
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()
        self.upstream.close()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, handler_class, logger):
        super().__init__(address, handler_class)
        self._logger = logger

    def handle_error(self, request, client_address):
        self._logger.debug("A connection to the agent's proxy ended early: %s", sys.exc_info()[1])


def _splice(first, second):
    """Copy bytes both ways until either side closes."""
    with selectors.DefaultSelector() as selector:
        selector.register(first, selectors.EVENT_READ, second)
        selector.register(second, selectors.EVENT_READ, first)
        while True:
            for key, _ in selector.select(timeout=CONNECTION_TIMEOUT_SECONDS) or [(None, None)]:
                if key is None:
                    return
                data = key.fileobj.recv(65536)
                if not data:
                    return
                key.data.sendall(data)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so the proxy costs no handshake per request
    disable_nagle_algorithm = True  # headers and body go out as separate writes: no 40 ms delayed-ACK wait
    timeout = CONNECTION_TIMEOUT_SECONDS
    server_version = "tokenguard-agent"
    sys_version = ""
    tunnel_host = None
    proxy = None  # the AgentProxy, set on the subclass each proxy makes

    def do_CONNECT(self):  # pylint: disable=invalid-name
        host = self.path.lower()
        if ":" not in host:
            host += ":443"
        if host in self.proxy.intercepted:
            self._intercept(host)
        else:
            self._pass_through(host)

    def _intercept(self, host):
        self.send_response(200, "Connection established")
        self.end_headers()
        self.wfile.flush()
        try:
            tls = self.proxy.ca.server_context(host.rsplit(":", 1)[0]).wrap_socket(self.connection, server_side=True)
        except (ssl.SSLError, OSError) as error:
            self.proxy.logger.debug("TLS with the child failed for %s: %s", host, error)
            self.close_connection = True
            return
        self.connection, self.tunnel_host = tls, host
        self.rfile, self.wfile = tls.makefile("rb", -1), _SocketWriter(tls)
        self.close_connection = False
        while not self.close_connection:
            self.handle_one_request()

    def _pass_through(self, host):
        try:
            remote = self.proxy.upstream.open_tunnel(host)
        except OSError as error:
            self._send_json(502, {"error": {"code": "BadGateway", "message": f"{host}: {error}"}})
            return
        self.send_response(200, "Connection established")
        self.end_headers()
        self.wfile.flush()
        try:
            _splice(self.connection, remote)
        except OSError:
            pass
        finally:
            remote.close()
            self.close_connection = True

    def _forward(self):
        if self.tunnel_host is None:
            self._send_json(405, {"error": {"code": "TokenguardRefused", "message": "Plain HTTP is not "
                                            "proxied: use HTTPS (CONNECT)."}})
            return
        body = self._read_body()
        if body is None:
            return
        request = Request(self.command, self.tunnel_host, self.path)
        decision = self.proxy.run.gate(request)
        if decision.outcome != ALLOW:
            self._send_json(403, self.proxy.run.refusal(request, decision))
            return
        headers = {name: value for name, value in self.headers.items() if name.lower() not in _HOP_BY_HOP
                   and name.lower() != "authorization"}
        authorization = self.proxy.run.real_authorization(self.tunnel_host, self.headers.get("Authorization"))
        if authorization:
            headers["Authorization"] = authorization
        try:
            status, reason, response_headers, data = self.proxy.upstream.send(
                self.tunnel_host, self.command, self.path, headers, body or None)
        except (OSError, http.client.HTTPException) as error:
            self._send_json(502, {"error": {"code": "BadGateway", "message": f"{self.tunnel_host}: {error}"}})
            return
        self.send_response(status, reason)
        for name, value in response_headers:
            if name.lower() not in _HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _forward

    def _read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked()
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY_BYTES:
            self._send_json(413, {"error": {"code": "TokenguardRefused", "message": "Bad Content-Length."}})
            return None
        return self.rfile.read(length) if length else b""

    def _read_chunked(self):
        parts, total = [], 0
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline().strip():
                    pass  # trailers
                return b"".join(parts)
            total += size
            if total > MAX_BODY_BYTES:
                self._send_json(413, {"error": {"code": "TokenguardRefused", "message": "Body too large."}})
                return None
            parts.append(self.rfile.read(size))
            self.rfile.readline()

    def _send_json(self, status, body):
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("x-ms-failure-cause", "tokenguard")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass  # the audit log records decisions; headers carry tokens
