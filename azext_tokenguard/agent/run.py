"""One agent run: the decisions the proxy and the token endpoint make, and who they are audited to.

``AgentRun`` is the policy side: which token requests get a placeholder, which HTTP requests go upstream
(asked, audited), and which Authorization header replaces a placeholder. It holds the real token source as
a callable, so it is tested without az.
"""
import datetime
import shlex
import threading
import time
from urllib.parse import urlsplit

from ..guard.invocation import parse
from ..guard.errors import TokenRequestError
from ..guard.claims import audience_matches
from . import policy
from .placeholder import Placeholders

PLACEHOLDER_LIFETIME_SECONDS = 3600
REAL_TOKEN_MARGIN_SECONDS = 300  # a real token with less left than this is replaced before it is used
ARM_AUDIENCES = ("https://management.azure.com", "https://management.core.windows.net")
AUDIT_HOW = "agent"


def host_of(url):
    """host:port of a URL, port 443 when it names none (as a CONNECT names it)."""
    parts = urlsplit(url)
    return f"{(parts.hostname or '').lower()}:{parts.port or 443}"


class AgentRun:  # pylint: disable=too-many-instance-attributes
    """``real_token(resource) -> (token, expires_on)``: the parent's ARM token. ``ask(question) -> bool``.
    ``audit(record) -> bool``: append one record. ``account``: the subscription entry the child works in.
    ``arm_resources``: the audiences that mean ARM in this cloud; ``arm_url``/``login_url``: its endpoints."""

    def __init__(self, *, mode, command, account, subscriptions, arm_resources, arm_url, login_url, real_token,
                 ask, audit, run_id, clock=time.time):
        self.mode, self.command, self.run_id = mode, command, run_id
        self.account = account
        self._names = {s.get("id", "").lower(): s.get("name") for s in subscriptions}
        self.arm_resources = tuple(arm_resources) + ARM_AUDIENCES
        self.arm_host = host_of(arm_url)
        self.intercepted = sorted({self.arm_host, host_of(login_url)})
        self.placeholders = Placeholders(account["tenantId"])
        self._real_token, self._ask, self._audit, self._clock = real_token, ask, audit, clock
        self._cached = None
        self._lock = threading.Lock()
        self.command_text = shlex.join(parse(list(command), read_files=False).redacted)

    # --- the token endpoint ---------------------------------------------------------------------------
    def issue_placeholder(self, resource):
        """The endpoint's token source: a placeholder for ARM, a refusal for any other resource."""
        if not any(audience_matches(arm, resource) for arm in self.arm_resources):
            self._record("refused", "token", f"token for {resource}",
                         "only Azure Resource Manager tokens are handed out, and only as placeholders")
            raise TokenRequestError(403, f"tokenguard agent hands out tokens for Azure Resource Manager only, not "
                                         f"for '{resource}'.")
        now = self._clock()
        expires_on = now + PLACEHOLDER_LIFETIME_SECONDS
        self._record("allowed", "token", f"token for {resource}", "a placeholder, which only the proxy can use")
        return self.placeholders.issue(resource, expires_on, now), int(expires_on)

    # --- the proxy --------------------------------------------------------------------------------------
    def gate(self, request):
        """The Decision for one request; ask mode's question is put here; every decision is audited."""
        decision = policy.decide(request, self.mode)
        if decision.outcome == policy.ASK:
            confirmed = self._ask(self.question(request, decision))
            decision = policy.Decision(policy.ALLOW if confirmed else policy.REFUSE, decision.kind,
                                       "confirmed at the terminal" if confirmed
                                       else "not confirmed at the terminal (no terminal means no)")
            self._record("confirmed" if confirmed else "refused", decision.kind, request.describe(),
                         decision.reason, request.subscription)
        else:
            self._record(decision.outcome, decision.kind, request.describe(), decision.reason, request.subscription)
        return decision

    def refusal(self, request, decision):
        return policy.refusal_body(request, decision, self.mode)

    def question(self, request, decision):
        subscription = request.subscription
        named = f"{self._names.get(subscription.lower()) or '?'} ({subscription})" if subscription else "none"
        return (f"tokenguard agent: the agent wants to {decision.kind}.\n  {request.method} {request.path}\n"
                f"  subscription: {named}\n  agent command: {self.command_text}\nAllow this request?")

    def real_authorization(self, host, presented):
        """The real ARM token for a placeholder of this run sent to ARM; None otherwise (nothing is sent)."""
        scheme, _, token = (presented or "").partition(" ")
        if host != self.arm_host or scheme.lower() != "bearer" or not self.placeholders.is_ours(token.strip()):
            return None
        return f"Bearer {self._current_real_token()}"

    def _current_real_token(self):
        with self._lock:
            if self._cached is None or self._cached[1] - self._clock() < REAL_TOKEN_MARGIN_SECONDS:
                self._cached = self._real_token(self.arm_resources[0])
            return self._cached[0]

    # --- audit ------------------------------------------------------------------------------------------
    def _record(self, decision, kind, request, reason, subscription=None):
        now = self._clock()
        self._audit({
            "time": datetime.datetime.fromtimestamp(now, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "decision": decision, "how": AUDIT_HOW, "class": kind, "request": request, "reason": reason,
            "run": self.run_id, "subscriptionId": subscription or self.account.get("id"),
            "subscription": self._names.get((subscription or self.account.get("id") or "").lower()),
            "tenantId": self.account.get("tenantId"), "command": self.command_text[:2000],
        })
