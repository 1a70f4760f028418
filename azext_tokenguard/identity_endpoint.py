"""A local token endpoint that speaks App Service's managed identity protocol, for `az tokenguard exec`.

azure-identity's ManagedIdentityCredential (and DefaultAzureCredential) and msal's managed identity client
find it through IDENTITY_ENDPOINT + IDENTITY_HEADER (api-version 2019-08-01) with no code change. Older SDKs
use MSI_ENDPOINT + MSI_SECRET (api-version 2017-09-01), which differs only in the header name and the
format of expires_on. Pure stdlib; the token source is passed in.
"""
import datetime
import hmac
import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlsplit

LEGACY_API_VERSION = "2017-09-01"
HEADER_2019 = "X-IDENTITY-HEADER"
HEADER_2017 = "secret"


class TokenRequestError(ValueError):
    """The token source could not serve a request: becomes an error response, never a crash."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


def child_environment(endpoint_url, secret):
    """The variables a child process needs to find the endpoint."""
    return {"IDENTITY_ENDPOINT": endpoint_url, "IDENTITY_HEADER": secret,
            "MSI_ENDPOINT": endpoint_url, "MSI_SECRET": secret}


def _legacy_expiry(epoch):
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%m/%d/%Y %H:%M:%S +00:00")


class TokenEndpoint:
    """Serve tokens on 127.0.0.1 (never another interface) to callers that present the per-run secret.

    get_token(resource) returns (access_token, expires_on epoch) or raises TokenRequestError."""

    def __init__(self, get_token, log=None):
        self._get_token = get_token
        self._log = log or (lambda *args: None)
        self.secret = secrets.token_urlsafe(32)
        # One request at a time: the token source (az's MSAL cache) is not built for concurrent use.
        self._server = HTTPServer(("127.0.0.1", 0), self._handler_class())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/msi/token"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.2},
                                        daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    def respond(self, query, headers):
        """(status, body) for one GET: check the secret, then ask the token source."""
        api_version = query.get("api-version", "")
        presented = headers.get(HEADER_2017 if api_version == LEGACY_API_VERSION else HEADER_2019) or ""
        if not hmac.compare_digest(presented.encode(), self.secret.encode()):
            return 401, {"statusCode": 401, "message": "Missing or wrong identity header."}
        resource = query.get("resource")
        if not resource:
            return 400, {"statusCode": 400, "message": "The 'resource' query parameter is required."}
        try:
            token, expires_on = self._get_token(resource)
        except TokenRequestError as error:
            return error.status, {"statusCode": error.status, "message": str(error)}
        self._log(resource, expires_on)
        expiry = _legacy_expiry(expires_on) if api_version == LEGACY_API_VERSION else str(int(expires_on))
        return 200, {"access_token": token, "expires_on": expiry, "resource": resource, "token_type": "Bearer"}

    def _handler_class(self):
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # pylint: disable=invalid-name
                parts = urlsplit(self.path)
                query = {key: values[0] for key, values in parse_qs(parts.query).items()}
                headers = {key: value for key, value in self.headers.items()}
                lowered = {key.lower(): value for key, value in headers.items()}
                status, body = endpoint.respond(query, {HEADER_2019: lowered.get(HEADER_2019.lower()),
                                                        HEADER_2017: lowered.get(HEADER_2017)})
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format, *args):  # requests carry tokens in responses; log nothing here
                pass

        return Handler
