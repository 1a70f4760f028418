"""Help text (YAML) for get-token and decode, with examples for every command and parameter."""
from knack.help_files import helps

helps["tokenguard get-token"] = """
type: command
short-summary: Get an access token for a resource, with a guaranteed remaining lifetime.
long-summary: >
    A drop-in for `az account get-access-token`: the output keeps every key of it (accessToken, tokenType,
    expiresOn, expires_on, subscription, tenant) and adds a summary with no secret in it: audience, scopes,
    roles, identityType, expiresAt (UTC, ISO 8601), secondsRemaining and tokenSource (cache or fresh).
    With -o tsv, az's columns come first, in the order az prints them, so scripts that read them by
    position keep working; the summary follows.
    With --min-validity the token returned is valid for at least that long: when the cached token is not,
    a new one is requested (users redeem their refresh token, service principals make a new
    client-credentials request). If the identity provider cannot issue one that long, the command fails
    and names the longest lifetime it obtained; it never returns a token that breaks the promise.
    The token's audience is checked against what was asked.
parameters:
  - name: --resource -r
    short-summary: Resource alias or URI. Aliases resolve from the active cloud's endpoints.
    long-summary: >
        Aliases: arm, graph, keyvault, storage, sql, devops, loganalytics, batch, synapse, datalake,
        cosmos, appinsights (and a few more; see --list-resources). A permission such as User.Read is not
        a resource: use --scope for it.
  - name: --scope
    short-summary: Space-separated scopes in Microsoft Entra v2.0, such as `https://graph.microsoft.com/User.Read`.
  - name: --subscription -s
    short-summary: Name or ID of the subscription whose account gets the token.
  - name: --tenant -t
    short-summary: Tenant ID for which the token is acquired (user and service principal accounts).
  - name: --min-validity -m
    short-summary: Least time the token must still be valid, e.g. 45m, 1h, 1h30m, 300s or 300 (seconds).
  - name: --list-resources -l
    short-summary: List the aliases, what each resolves to in the active cloud, and where that comes from.
  - name: --resource-type
    short-summary: Type of well-known resource, as in az account get-access-token (arm, ms-graph, batch, ...).
    long-summary: >
        Resolved from the active cloud's endpoints as az does; --resource wins when both are given. Where the
        cloud has no such endpoint, the command fails instead of handing out an ARM token.
examples:
  - name: Get an ARM token that is valid for at least 45 more minutes, and print only the token.
    text: az tokenguard get-token --min-validity 45m --query accessToken -o tsv
  - name: Get a Microsoft Graph token.
    text: az tokenguard get-token --resource graph
  - name: The same with az's own option, as a script written for az account get-access-token passes it.
    text: az tokenguard get-token --resource-type ms-graph
  - name: Read az's columns by position; they come first, in az's order, then the summary.
    text: az tokenguard get-token -o tsv | cut -f1,3
  - name: Get a Key Vault token for the tenant of another subscription.
    text: az tokenguard get-token --resource keyvault --subscription contoso-prod
  - name: Get a token for explicit scopes.
    text: az tokenguard get-token --scope https://graph.microsoft.com/User.Read
  - name: Show how many seconds the token has left, without showing the token.
    text: az tokenguard get-token --resource storage --query secondsRemaining
  - name: List the resource aliases of the active cloud.
    text: az tokenguard get-token --list-resources -o table
"""

helps["tokenguard decode"] = """
type: command
short-summary: Show what is inside an access token, without sending it anywhere.
long-summary: >
    Shows the header and claims, iat/nbf/exp in UTC with how long ago or from now, the lifetime, the
    identity type (user, application or managed identity), scopes or roles, the tenant, and whether the
    client is CAE-capable (xms_cc). Warns when the token is expired, not yet valid, lives over 2 hours, or is
    unsigned (alg none). The signature is never shown and the token is never sent anywhere. An encrypted
    token (JWE) or anything that is not a JWT gets a one-line error.
parameters:
  - name: --token
    short-summary: The token to decode. Prefer standard input, since a token on the command line lands in shell history.
  - name: --file -f
    short-summary: A file that holds the token.
examples:
  - name: Decode the current ARM token.
    text: az account get-access-token --query accessToken -o tsv | az tokenguard decode
  - name: Decode a token saved in a file, as a table.
    text: az tokenguard decode --file token.txt -o table
  - name: Show only the warnings.
    text: az tokenguard decode --file token.txt --query warnings
  - name: Decode a token given on the command line.
    text: az tokenguard decode --token eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.eyJzdWIiOiJkZW1vIn0.
"""
