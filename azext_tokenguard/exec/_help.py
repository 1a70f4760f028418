"""Help text (YAML) for exec, with examples for every command and parameter."""
from knack.help_files import helps

helps["tokenguard exec"] = """
type: command
short-summary: Run a long-running command with a local token endpoint that always hands out fresh tokens.
long-summary: >
    Starts a token endpoint on 127.0.0.1 (random port) that speaks the managed identity protocols (App
    Service's IDENTITY_ENDPOINT + IDENTITY_HEADER, api-version 2019-08-01, which today's SDKs use; the older
    MSI_ENDPOINT + MSI_SECRET, api-version 2017-09-01, and msrestazure's POST with Metadata true), then runs
    the command with those variables set. azure-identity, msal, @azure/identity, msrestazure and curl use it
    with no code change. Every request gets a token for the resource asked with at least --min-validity
    left, through az's own sign-in (refreshed or re-acquired as needed), so a job that runs for hours never
    gets a 401. Each run has its own random secret; a request without it gets 401. A request for a
    user-assigned identity (client_id, object_id, mi_res_id, ...) gets 400: only az's signed-in identity is
    served. The child does not inherit the variables that would make its SDK pick another credential
    (AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH, AZURE_USERNAME, AZURE_PASSWORD,
    AZURE_FEDERATED_TOKEN_FILE and the like), and gets AZURE_TOKEN_CREDENTIALS=prod, so that its
    DefaultAzureCredential uses the endpoint only: a refused token (403 outside --resource, 400 for an
    unmet --min-validity) is an error in the child, never a silent fallback to az. An older
    DefaultAzureCredential ignores that variable (azure-identity before 1.23, @azure/identity before
    4.10) and falls back to az account get-access-token or azd auth token: so the child's PATH starts with
    a temporary directory whose az refuses account get-access-token (and whose azd, when there is one,
    refuses auth token) with an error naming exec, and runs every other az (azd) command with the one on
    your PATH. Signals pass through to the command, its exit code is returned, and the endpoint stops when
    it ends. With --verbose, exec names
    the variables it unset and logs each token issued with its resource and expiry, never the token itself.
parameters:
  - name: <COMMAND_ARGS>
    short-summary: The command to run, after --, with its arguments.
  - name: --resource -r
    short-summary: Resources (aliases or URIs) the command may get tokens for; others get 403. Default is any.
  - name: --min-validity -m
    short-summary: Least time each token handed out must still be valid, e.g. 10m. Default is 5m.
    long-summary: >
        A token is handed out only with at least this long left, so the child can finish the calls it makes
        with it. Tokens from Microsoft Entra ID live 60 to 90 minutes, and az renews them 5 minutes before
        they expire, so the default fits. Where tokens live less than this (a tenant's token lifetime policy,
        a test identity provider), every request is refused with 400 naming the longest lifetime there is:
        choose a value well below the tokens' lifetime, and above the longest call the child makes with one.
  - name: --subscription -s
    short-summary: Name or ID of the subscription whose account gets the tokens.
examples:
  - name: Run a Python job that uses DefaultAzureCredential, for as long as it takes.
    text: az tokenguard exec -- python migrate.py
  - name: Allow only ARM and Graph tokens, each valid for at least 10 minutes.
    text: az tokenguard exec --resource arm graph --min-validity 10m -- python export_users.py
  - name: See which inherited credential variables the child does not get, and each token issued.
    text: az tokenguard exec --verbose -- node sync.js
  - name: Inside exec, az commands run as usual, but az account get-access-token is refused (here, exit status 1).
    text: az tokenguard exec --resource arm -- sh -c 'az group list -o table; az account get-access-token'
  - name: A shell loop with curl that asks the endpoint for a token on each round.
    text: >
        az tokenguard exec -- bash -c 'while true; do t=$(curl -s -H "X-IDENTITY-HEADER: $IDENTITY_HEADER"
        "$IDENTITY_ENDPOINT?resource=https://management.azure.com&api-version=2019-08-01" | jq -r .access_token);
        curl -s -H "Authorization: Bearer $t" https://management.azure.com/subscriptions?api-version=2022-12-01; sleep 60; done'
"""
