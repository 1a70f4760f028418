"""A local token endpoint for `az tokenguard exec`, in the managed identity protocols that clients speak.

Which protocol a client speaks depends on the variables it finds (read in azure-identity, msal for Python and
node, @azure/identity and msrestazure):

- IDENTITY_ENDPOINT + IDENTITY_HEADER: App Service, api-version 2019-08-01: GET, the secret in
  X-IDENTITY-HEADER. Today's clients take this pair ahead of every other.
- MSI_ENDPOINT + MSI_SECRET: GET with api-version 2017-09-01 and the secret in a `secret` header. Old SDKs
  (azure-identity before 1.4, msrestazure inside App Service) read it as App Service; today's clients read
  it as Azure Machine Learning, which sends the same request but parses expires_on as epoch seconds. So
  expires_on is epoch seconds in every answer, never App Service's old date string.
- MSI_ENDPOINT alone, and msrestazure outside App Service: POST with the resource in a form body and
  `Metadata: true`, as Cloud Shell takes it. Such a request carries no secret, so MSI_ENDPOINT holds a
  per-run key in its path instead.

Every answer has expires_in too: old clients cache a token for expires_in seconds (3599 when it is missing),
whatever expires_on says. Errors are JSON in both protocols' shapes. Pure stdlib; the token source is passed in.
"""
import datetime
import hmac
import json
import logging
import secrets
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from azext_tokenguard.tokens.durations import format_duration
from azext_tokenguard.guard.errors import TokenRequestError

HEADER_2019 = "X-IDENTITY-HEADER"
HEADER_2017 = "secret"
METADATA_HEADER = "Metadata"
TOKEN_PATH = "/msi/token"
CONNECTION_TIMEOUT_SECONDS = 5  # a client sends its request at once; an idle connection is closed after this
MAX_BODY_BYTES = 16 * 1024  # a token request's form body is a few hundred bytes

# How clients ask for a user-assigned identity, in each protocol's spelling. exec serves only az's own
# signed-in identity, so any of these gets 400, as App Service answers for an identity it does not have.
USER_ASSIGNED_PARAMETERS = ("client_id", "clientid", "object_id", "principal_id", "mi_res_id", "msi_res_id")

# Variables by which azure-identity, msal and the other SDKs pick another credential ahead of the endpoint
# (EnvironmentCredential, workload identity), another identity (AZURE_CLIENT_ID is DefaultAzureCredential's
# user-assigned client id), or another managed identity protocol (Service Fabric, Azure Arc, Azure ML).
# The vault's passphrase is no child's business either: the child gets tokens, never what unseals them.
COMPETING_VARIABLES = (
    "TOKENGUARD_VAULT_PASSPHRASE",
    "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_CLIENT_CERTIFICATE_PASSWORD",
    "AZURE_CLIENT_SEND_CERTIFICATE_CHAIN", "AZURE_USERNAME", "AZURE_PASSWORD", "AZURE_FEDERATED_TOKEN_FILE",
    "IDENTITY_SERVER_THUMBPRINT", "IMDS_ENDPOINT", "DEFAULT_IDENTITY_CLIENT_ID",
)
# DefaultAzureCredential's production chain: environment, workload identity, managed identity. With the
# first two unset above, that is the endpoint alone, so a refusal reaches the child as an error instead of a
# silent fallback to AzureCliCredential. 'prod' rather than 'ManagedIdentityCredential': azure-identity 1.23
# and @azure/identity 4.10 know only 'dev' and 'prod', and reject any other value.
TOKEN_CREDENTIALS = ("AZURE_TOKEN_CREDENTIALS", "prod")
# Those whose value is itself a secret. Leaving them out of the child's environment is not enough: a child can
# read its parent's initial environment in /proc/<pid>/environ, so exec starts itself again without them
# (child_process.exec_again_blanking). az serves exec's tokens from its own sign-in and needs none of them.
SECRET_VARIABLES = ("TOKENGUARD_VAULT_PASSPHRASE", "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PASSWORD",
                    "AZURE_PASSWORD")

_ERROR_CODES = {400: "invalid_request", 401: "unauthorized_client", 403: "access_denied", 404: "not_found",
                405: "invalid_request", 411: "invalid_request", 413: "invalid_request"}


def child_environment(parent_env, endpoint_variables):
    """The child's environment: the parent's less the competing credentials, plus the endpoint's variables.

    Returns (environment, names removed, names replaced); the caller says so, never with the values."""
    removed = sorted(name for name in COMPETING_VARIABLES if name in parent_env)
    additions = dict(endpoint_variables)
    additions[TOKEN_CREDENTIALS[0]] = TOKEN_CREDENTIALS[1]
    replaced = sorted(name for name, value in additions.items() if parent_env.get(name, value) != value)
    environment = {name: value for name, value in parent_env.items() if name not in COMPETING_VARIABLES}
    environment.update(additions)
    return environment, removed, replaced


def error_body(status, message):
    """Both protocols' error shapes in one: App Service's statusCode/message and OAuth's error/description."""
    return {"statusCode": status, "message": message, "error": _ERROR_CODES.get(status, "server_error"),
            "error_description": message}


def token_body(token, expires_on, resource, now):
    """A token answer every client parses: expires_on in epoch seconds, and expires_in."""
    return {"access_token": token, "expires_on": str(int(expires_on)),
            "expires_in": str(max(int(expires_on - now), 0)), "resource": resource, "token_type": "Bearer"}


def _utc(epoch):
    return datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class TokenEndpoint:
    """Serve tokens on 127.0.0.1 (never another interface) to the child that holds this run's secret.

    get_token(resource) returns (access_token, expires_on epoch) or raises TokenRequestError. Each connection
    gets its own thread and a socket timeout, so an idle or slow client cannot stall the others; one lock
    keeps the token source (az's MSAL cache, not built for concurrent use) to one request at a time."""

    def __init__(self, get_token, logger=None, connection_timeout=CONNECTION_TIMEOUT_SECONDS, clock=time.time):
        self._logger = logger or logging.getLogger(__name__)
        self._issuer = _Issuer(get_token, self._logger, clock)
        self.secret = secrets.token_urlsafe(32)
        self._path_key = secrets.token_urlsafe(32)
        self._server = _Server(("127.0.0.1", 0), _handler_class(self, connection_timeout), self._logger)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.2},
                                        daemon=True)

    @property
    def url(self):
        """IDENTITY_ENDPOINT: the secret goes in a header."""
        return f"http://127.0.0.1:{self._server.server_address[1]}{TOKEN_PATH}"

    @property
    def msi_url(self):
        """MSI_ENDPOINT: its path holds the per-run key, for clients that send no secret."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/{self._path_key}{TOKEN_PATH}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    def variables(self):
        """What the child needs to find the endpoint, in each protocol (see the module docstring)."""
        return {"IDENTITY_ENDPOINT": self.url, "IDENTITY_HEADER": self.secret,
                "MSI_ENDPOINT": self.msi_url, "MSI_SECRET": self.secret}

    def respond(self, path, params, headers):
        """(status, body) for one GET or POST. params: query and form body merged; headers: lower-case names."""
        try:
            return self._respond(path, params, headers)
        except Exception as error:  # pylint: disable=broad-except
            self._logger.debug("The token endpoint failed: %s", error)  # a bug here must not end az exec
            return 500, error_body(500, "The token endpoint failed; run az tokenguard exec with --debug to see why.")

    def _respond(self, path, params, headers):
        keyed = self._route(path)
        if keyed is None:
            return 404, error_body(404, "No such path: ask IDENTITY_ENDPOINT or MSI_ENDPOINT.")
        if not self._authenticated(keyed, headers):
            return 401, error_body(401, "Missing or wrong identity header.")
        resource = params.get("resource")
        if not resource:
            return 400, error_body(400, "The 'resource' parameter is required.")
        asked = [name for name in USER_ASSIGNED_PARAMETERS if params.get(name)]
        if asked:
            return 400, error_body(400, f"No user-assigned identity matches the '{asked[0]}' given: az tokenguard "
                                        "exec serves only the identity az is signed in with. Ask without "
                                        f"{', '.join(asked)}.")
        return self._issuer.issue(resource)

    def _route(self, path):
        """None for an unknown path, else whether it is MSI_ENDPOINT's, whose key stands for the secret."""
        path = path.rstrip("/")  # msrestazure appends a slash to MSI_ENDPOINT
        if path == TOKEN_PATH:
            return False
        prefix = path[:-len(TOKEN_PATH)] if path.endswith(TOKEN_PATH) else ""
        if prefix and hmac.compare_digest(prefix.encode("utf-8", "replace"), f"/{self._path_key}".encode()):
            return True
        return None

    def _authenticated(self, keyed, headers):
        presented = headers.get(HEADER_2019.lower()) or headers.get(HEADER_2017)
        if presented:
            return hmac.compare_digest(presented.encode("utf-8", "replace"), self.secret.encode())
        # msrestazure's POST carries no secret, so MSI_ENDPOINT's key stands for it. Metadata: true, which
        # Cloud Shell and IMDS demand too, keeps out a form that a web page posts to 127.0.0.1.
        return keyed and headers.get(METADATA_HEADER.lower(), "").lower() == "true"


class _Issuer:  # pylint: disable=too-few-public-methods
    """The token source behind one lock (az's MSAL cache is not built for concurrent use), with its log."""

    def __init__(self, get_token, logger, clock):
        self._get_token = get_token
        self._logger = logger
        self._clock = clock
        self._lock = threading.Lock()
        self._refusals_reported = set()

    def issue(self, resource):
        """(status, body): a token answer, or the token source's refusal."""
        with self._lock:
            try:
                token, expires_on = self._get_token(resource)
            except TokenRequestError as error:
                self._report_refusal(resource, error)
                return error.status, error_body(error.status, str(error))
        now = self._clock()
        self._logger.info("Issued a token for %s, valid until %s (%s left).", resource, _utc(expires_on),
                          format_duration(max(int(expires_on - now), 0)))
        return 200, token_body(token, expires_on, resource, now)

    def _report_refusal(self, resource, error):
        """The child gets the refusal; az says it too, as a warning once per reason, so a client's retries
        do not flood the terminal."""
        reason = (error.status, str(error))
        log = self._logger.info if reason in self._refusals_reported else self._logger.warning
        self._refusals_reported.add(reason)
        log("Refused a token for %s (%d): %s", resource, error.status, error)


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a connection still open when the child ends does not hold az up

    def __init__(self, address, handler_class, logger):
        super().__init__(address, handler_class)
        self._logger = logger

    def handle_error(self, request, client_address):
        """A client that hangs up or stalls (BrokenPipe, reset, timeout) costs its own connection: no traceback."""
        self._logger.debug("A connection to the token endpoint ended early: %s", sys.exc_info()[1])


def _first_values(query_string):
    return {key: values[0] for key, values in parse_qs(query_string).items()}


def _handler_class(endpoint, connection_timeout):
    class Handler(BaseHTTPRequestHandler):
        """One connection: a socket timeout, a JSON body for every answer (errors included), no request log."""
        timeout = connection_timeout
        server_version = "tokenguard-exec"
        sys_version = ""

        def do_GET(self):  # pylint: disable=invalid-name
            self._answer(_first_values(urlsplit(self.path).query))

        def do_POST(self):  # pylint: disable=invalid-name
            form = self._read_form()
            if form is not None:
                self._answer({**_first_values(urlsplit(self.path).query), **form})

        def _refuse_method(self):
            self._send(405, error_body(405, f"{self.command} is not supported: ask with GET, or POST with "
                                            "Metadata: true."), {"Allow": "GET, POST"})

        do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _refuse_method

        def _read_form(self):
            if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
                self.send_error(411, "Send the form with a Content-Length.")
                return None
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                length = -1
            if length < 0 or length > MAX_BODY_BYTES:
                self.send_error(413 if length > 0 else 400, f"The form body must be 0 to {MAX_BODY_BYTES} bytes.")
                return None
            return _first_values(self.rfile.read(length).decode("utf-8", "replace"))

        def _answer(self, params):
            headers = {name.lower(): value for name, value in self.headers.items()}
            self._send(*endpoint.respond(urlsplit(self.path).path, params, headers))

        def _send(self, status, body, extra_headers=None):
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in (extra_headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            if getattr(self, "command", "") != "HEAD":
                self.wfile.write(payload)

        def send_error(self, code, message=None, explain=None):
            """http.server's own refusals (a malformed request, an unknown method) in JSON too, never HTML."""
            self.close_connection = True
            self._send(code, error_body(code, message or self.responses.get(code, ("Bad request",))[0]))

        def log_message(self, format, *args):  # pylint: disable=redefined-builtin
            pass  # answers carry tokens; nothing about requests is logged here

    return Handler
