"""A sliver of Microsoft Graph, enough for `az ad signed-in-user show` and `az ad user list`: who asked, and in
which tenant (the token's tid), is what the tests read from the request log.

az sends Graph requests to its cloud's microsoftGraphResourceId; a test points that at the emulator with
`az cloud update --endpoint-microsoft-graph-resource-id <emulator url>/` in its own config dir.
"""
import jwt

from . import data
from .wire import Response

PREFIX = "/v1.0/"


def _user_json(user):
    return {"id": user.object_id, "displayName": user.display_name, "userPrincipalName": user.username,
            "mail": user.username}


class Graph:
    def __init__(self, issuer):
        self.issuer = issuer

    @staticmethod
    def handles(path):
        return path.startswith(PREFIX)

    def handle(self, request):
        try:
            claims = self.issuer.verify(request.bearer() or "")
        except jwt.PyJWTError:
            return Response(401, {"error": {"code": "InvalidAuthenticationToken", "message": "Access token is "
                                                                                              "missing or invalid."}})
        note = {"tenant": claims.get("tid"), "caller": claims.get("oid") or claims.get("appid")}
        path = request.path[len(PREFIX) - 1:].lower()
        if path == "/me" and claims.get("idtyp") == "user":
            return Response(200, _user_json(data.user_by_object_id(claims["oid"])), note=note)
        if path == "/users":
            users = [u for u in data.USERS if claims.get("tid") in u.tenant_ids]
            return Response(200, {"value": [_user_json(u) for u in users]}, note=note)
        return Response(404, {"error": {"code": "Request_ResourceNotFound", "message": request.path}}, note=note)
