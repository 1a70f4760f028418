"""A forward proxy on 127.0.0.1 that records every attempt to reach another host and refuses it.

az and its libraries honour HTTPS_PROXY/HTTP_PROXY, with NO_PROXY exempting loopback (the emulator).
So any request that would leave the machine arrives here instead, is written down, and gets 403.
"""
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class EgressRecorder:
    def __init__(self):
        self.attempts = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    def take(self):
        """Return and forget the attempts recorded so far."""
        with self._lock:
            attempts, self.attempts = self.attempts, []
        return attempts

    def _record(self, method, target):
        with self._lock:
            self.attempts.append(f"{method} {target}")

    def _handler_class(self):
        recorder = self

        class Refuse(BaseHTTPRequestHandler):
            def _refuse(self):
                recorder._record(self.command, self.path)  # pylint: disable=protected-access
                self.send_response(403, "egress refused by the tokenguard test harness")
                self.send_header("Content-Length", "0")
                self.send_header("Connection", "close")
                self.end_headers()

            do_CONNECT = do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _refuse

            def log_message(self, format, *args):
                pass

        return Refuse
