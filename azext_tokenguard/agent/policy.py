"""What one HTTP request to Azure may do, decided from its method, host and path alone (never from argv).

read-only (the default): GET and HEAD, and POST on the few named actions that only read. Everything else
is refused. ask: a request read-only refuses is put to the user, except credential-returning actions and
token requests, which are refused in every mode (the point of the agent is that it never holds a credential).
"""
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

MODE_READ_ONLY, MODE_ASK = "read-only", "ask"
MODES = (MODE_READ_ONLY, MODE_ASK)
ALLOW, ASK, REFUSE = "allowed", "ask", "refused"

READ_METHODS = ("GET", "HEAD")
# POST actions that only read (the last path segment, or provider/segment), lower case. Kept short on
# purpose: an action is added when it is known to change nothing and to return no secret.
READ_ONLY_ACTIONS = (
    "microsoft.resourcegraph/resources",  # az graph query
    "checknameavailability",
    "microsoft.costmanagement/query",
    "microsoft.management/getentities",
)
# A POST whose action name says it returns or makes a secret: listKeys, listCredentials, regenerateKey,
# listConnectionStrings, listAccountSas, publishxml, listClusterAdminCredential, getAccessToken...
_CREDENTIAL_ACTION = re.compile(r"(key|keys|secret|secrets|credential|credentials|connectionstrings?|sas|"
                                r"token|tokens|password|passwords|publishxml|publishingprofile)$")
_SUBSCRIPTION = re.compile(r"^/subscriptions/([^/]+)", re.IGNORECASE)


@dataclass(frozen=True)
class Decision:
    outcome: str  # allowed | ask | refused
    kind: str  # read | write | delete | credential | token
    reason: str


@dataclass(frozen=True)
class Request:
    method: str
    host: str  # host:port as the child's CONNECT named it
    target: str  # path and query

    @property
    def path(self):
        return unquote(urlsplit(self.target).path)

    @property
    def subscription(self):
        match = _SUBSCRIPTION.match(self.path)
        return match.group(1) if match else None

    def describe(self):
        return f"{self.method} https://{self.host}{self.path}"


def _action(path):
    """The action a POST names: its last segment, and provider/segment when it follows a namespace."""
    segments = [s.lower() for s in path.strip("/").split("/") if s]
    if not segments:
        return "", ""
    provider = f"{segments[-2]}/{segments[-1]}" if len(segments) >= 2 else segments[-1]
    return segments[-1], provider


def decide(request, mode):
    """The Decision for one request in ``mode`` (read-only or ask)."""
    method, path = request.method.upper(), request.path
    if "/oauth2/" in path.lower():
        return Decision(REFUSE, "token", "token requests go to tokenguard's managed identity endpoint only")
    last, provider = _action(path)
    if method in READ_METHODS:
        return Decision(ALLOW, "read", f"{method} reads")
    if method == "POST" and (last in READ_ONLY_ACTIONS or provider in READ_ONLY_ACTIONS):
        return Decision(ALLOW, "read", f"'{last}' is on the read-only action list")
    if method == "POST" and _CREDENTIAL_ACTION.search(last):
        return Decision(REFUSE, "credential", f"'{last}' returns credentials, which an agent never gets")
    kind = "delete" if method == "DELETE" else "write"
    if mode == MODE_ASK:
        return Decision(ASK, kind, f"{method} changes Azure")
    return Decision(REFUSE, kind, f"{kind}s are refused, as the agent runs read-only")


def refusal_body(request, decision, mode):
    """The ARM-shaped error the child gets: az and the SDKs show code and message."""
    hint = " Run the agent with --mode ask to be asked for each write." \
        if mode == MODE_READ_ONLY and decision.kind in ("write", "delete") else ""
    message = f"tokenguard agent refused {request.method} {request.path}: {decision.reason}.{hint}"
    return {"error": {"code": "TokenguardRefused", "message": message}}
