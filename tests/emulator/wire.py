"""Small request/response types shared by the Entra ID and ARM handlers."""
import json
from dataclasses import dataclass, field
from urllib.parse import parse_qs


@dataclass
class Request:
    method: str
    path: str
    query: dict
    headers: dict
    body: bytes

    def form(self):
        parsed = parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)
        return {key: values[0] for key, values in parsed.items()}

    def json(self):
        return json.loads(self.body or b"{}")

    def bearer(self):
        value = self.headers.get("authorization", "")
        return value[7:].strip() if value.lower().startswith("bearer ") else None


@dataclass
class Response:
    status: int
    body: object = None
    headers: dict = field(default_factory=dict)
    note: dict = field(default_factory=dict)  # extra, secret-free facts for the request log

    def encoded(self):
        return b"" if self.body is None else json.dumps(self.body).encode()


def oauth_error(status, error, code, description):
    """Entra's error shape: error, error_description (AADSTS...), error_codes."""
    return Response(status, {"error": error, "error_description": f"AADSTS{code}: {description}",
                             "error_codes": [code]})


def arm_error(status, code, message, headers=None):
    return Response(status, {"error": {"code": code, "message": message}}, headers or {})
