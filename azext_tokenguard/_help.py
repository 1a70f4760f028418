"""Help text (YAML) for every tokenguard command and its parameters."""
from knack.help_files import helps  # pylint: disable=unused-import

helps["tokenguard"] = """
type: group
short-summary: Guard the tokens the Azure CLI keeps and the places az commands land.
long-summary: >
    tokenguard shows the active tenant and subscription before az commands, asks before destructive
    ones, hands scripts scoped tokens with a guaranteed remaining lifetime, shows what is inside a
    token, and finds and wipes token caches.
examples:
  - name: See where az commands will land and where az keeps its tokens.
    text: az tokenguard status
"""

helps["tokenguard status"] = """
type: command
short-summary: Show the active cloud, tenant, subscription and identity, and where the token cache lives.
long-summary: >
    Reads az's own profile; nothing is sent anywhere. The output holds no secret. The token cache entry
    says whether the cache is encrypted (DPAPI on Windows, Keychain on macOS, libsecret on Linux) or plain
    text that anything running as you can read.
examples:
  - name: Show the active context as JSON.
    text: az tokenguard status
  - name: Show it as a table.
    text: az tokenguard status -o table
  - name: Show the context az would use for another subscription.
    text: az tokenguard status --subscription contoso-prod
  - name: Print only the subscription name, for a script.
    text: az tokenguard status --query subscription.name -o tsv
"""

helps["tokenguard get-token"] = """
type: command
short-summary: Get an access token for a resource, with a guaranteed remaining lifetime.
long-summary: >
    A drop-in for `az account get-access-token`: the output keeps every key of it (accessToken, tokenType,
    expiresOn, expires_on, subscription, tenant) and adds a summary with no secret in it: audience, scopes,
    roles, identityType, expiresAt (UTC, ISO 8601), secondsRemaining and tokenSource (cache or fresh).
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
    short-summary: Space-separated scopes in Microsoft Entra v2.0, such as https://graph.microsoft.com/User.Read.
  - name: --subscription -s
    short-summary: Name or ID of the subscription whose account gets the token.
  - name: --tenant -t
    short-summary: Tenant ID for which the token is acquired (user and service principal accounts).
  - name: --min-validity -m
    short-summary: Least time the token must still be valid, e.g. 45m, 1h, 1h30m, 300s or 300 (seconds).
  - name: --list-resources -l
    short-summary: List the aliases, what each resolves to in the active cloud, and where that comes from.
examples:
  - name: Get an ARM token that is valid for at least 45 more minutes, and print only the token.
    text: az tokenguard get-token --min-validity 45m --query accessToken -o tsv
  - name: Get a Microsoft Graph token.
    text: az tokenguard get-token --resource graph
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

helps["tokenguard scan"] = """
type: command
short-summary: Find token caches on this machine and say how exposed they are.
long-summary: >
    Looks in AZURE_CONFIG_DIR (or ~/.azure), in the .azure of every home directory it may read (all users'
    when run as root), in other Microsoft sign-in tools' caches (Azure PowerShell, the shared
    ~/.IdentityService MSAL cache, Microsoft Graph PowerShell, the Azure Developer CLI, kubelogin) and in
    every --path. For each cache it reports accounts, refresh tokens (whose, how old), access tokens
    (resource, expiry), service principal secrets in plain text, whether the cache is encrypted, file and
    directory permissions that let others read, last use, and a CI agent with a user token cached. Each
    finding has a severity and a fix. It never shows a token or secret: a short hash prefix tells entries
    apart. Corrupt, truncated or huge files, unreadable directories and symlink loops are findings, not
    crashes; symlinks are never followed.
parameters:
  - name: --path -p
    short-summary: Further directories to scan, such as a mounted VM image.
  - name: --fail-on
    short-summary: Exit non-zero when a finding has this severity or higher (high, medium or low).
  - name: --sarif
    short-summary: Also write the findings as SARIF 2.1.0 to this file, for code-scanning dashboards.
examples:
  - name: Scan this machine.
    text: az tokenguard scan -o table
  - name: Fail a CI job when a high-severity finding turns up, and keep a SARIF report.
    text: az tokenguard scan --fail-on high --sarif tokenguard.sarif
  - name: Scan a mounted VM image before publishing it.
    text: az tokenguard scan --path /mnt/image/home /mnt/image/root -o table
"""

helps["tokenguard logout"] = """
type: command
short-summary: Sign out everyone and remove every token and secret az keeps on disk.
long-summary: >
    With --all it signs out every account and service principal az knows (az logout removes only the
    visible one), then removes msal_token_cache.json/.bin, service_principal_entries.json/.bin,
    msal_http_cache.bin, their lock files and the legacy accessTokens.json, and empties the subscriptions in
    azureProfile.json. It keeps what holds no secret: config, clouds.config, extensions and command logs.
    It holds az's own lock files while it works, never follows a symlink and never deletes outside the
    directories it cleans. Afterwards it scans again and fails, naming what remains, if any token or secret
    is left. It says what cannot be cleaned from here (WAM broker accounts, browser sessions) and how.
parameters:
  - name: --all
    short-summary: Sign out every account and service principal, and remove all token material.
  - name: --dry-run
    short-summary: List what would be removed and why; change nothing.
  - name: --include-other-tools
    short-summary: Also remove other Microsoft sign-in tools' token caches at their known paths (listed first).
  - name: --yes -y
    short-summary: Do not ask for confirmation.
examples:
  - name: See what would be removed.
    text: az tokenguard logout --all --dry-run -o table
  - name: Leave nothing behind on a shared VM.
    text: az tokenguard logout --all --yes
  - name: Also clean Azure PowerShell, azd, kubelogin and shared MSAL caches.
    text: az tokenguard logout --all --include-other-tools
"""

helps["tokenguard exec"] = """
type: command
short-summary: Run a long-running command with a local token endpoint that always hands out fresh tokens.
long-summary: >
    Starts a token endpoint on 127.0.0.1 (random port) that speaks App Service's managed identity protocol
    (IDENTITY_ENDPOINT + IDENTITY_HEADER, api-version 2019-08-01; also MSI_ENDPOINT + MSI_SECRET for older
    SDKs), then runs the command with those variables set. azure-identity's ManagedIdentityCredential and
    DefaultAzureCredential use it with no code change, and so can curl. Every request gets a token for the
    resource asked with at least --min-validity left, through az's own sign-in (refreshed or re-acquired as
    needed), so a job that runs for hours never gets a 401. Each run has its own random secret; a request
    without it gets 401. Signals pass through to the command, its exit code is returned, and the endpoint
    stops when it ends. With --verbose each token issued is logged with its resource and expiry, never the
    token itself.
parameters:
  - name: command_args
    short-summary: The command to run, after --, with its arguments.
  - name: --resource -r
    short-summary: Resources (aliases or URIs) the command may get tokens for; others get 403. Default is any.
  - name: --min-validity -m
    short-summary: Least time each token handed out must still be valid, e.g. 10m. Default is 5m.
  - name: --subscription -s
    short-summary: Name or ID of the subscription whose account gets the tokens.
examples:
  - name: Run a Python job that uses DefaultAzureCredential, for as long as it takes.
    text: az tokenguard exec -- python migrate.py
  - name: Allow only ARM and Graph tokens, each valid for at least 10 minutes.
    text: az tokenguard exec --resource arm graph --min-validity 10m -- python export_users.py
  - name: A shell loop with curl that asks the endpoint for a token on each round.
    text: >
        az tokenguard exec -- bash -c 'while true; do t=$(curl -s -H "X-IDENTITY-HEADER: $IDENTITY_HEADER"
        "$IDENTITY_ENDPOINT?resource=https://management.azure.com&api-version=2019-08-01" | jq -r .access_token);
        curl -s -H "Authorization: Bearer $t" https://management.azure.com/subscriptions?api-version=2022-12-01; sleep 60; done'
"""

helps["tokenguard shell-init"] = """
type: command
short-summary: Print the shell code that puts tokenguard's guard in front of every az command.
long-summary: >
    The code defines an `az` function that first runs the guard (with az's own Python, in isolated mode,
    importing nothing of az), then the real az with the arguments unchanged. The guard prints the context
    line on stderr, asks before destructive commands on the terminal, and enforces pins; az's stdout, exit
    status and tab completion are untouched. If az is upgraded and the guard's Python is gone, the function
    says so once and refuses destructive-looking commands until shell-init is run again.
    It also keeps a prompt segment (the subscription's short name, red when protected, and the tenant when
    it is not your home tenant) in $__tokenguard_ps1, recomputed only when the profile or policy changed;
    put it, or $(__tokenguard_prompt), in your PS1 or PROMPT yourself: shell-init never changes them.
parameters:
  - name: --shell
    short-summary: The shell to integrate with, bash or zsh.
examples:
  - name: Put the guard in front of az in bash (add this line to ~/.bashrc).
    text: eval "$(az tokenguard shell-init --shell bash)"
  - name: The same for zsh (add this line to ~/.zshrc).
    text: eval "$(az tokenguard shell-init --shell zsh)"
  - name: Show the subscription in the bash prompt (after the eval line in ~/.bashrc).
    text: PS1='${__tokenguard_ps1}'"$PS1"
  - name: The same in zsh.
    text: setopt promptsubst; PROMPT='$(__tokenguard_prompt)'"$PROMPT"
"""

helps["tokenguard classify"] = """
type: command
short-summary: Classify az commands as destructive, write or read, with the reason, as the guard does.
long-summary: >
    Uses az's own command table (the commands az asks to confirm, shipped for az 2.91 and refreshable with
    `az tokenguard refresh-classifier`) plus verb rules: delete, purge and remove verbs, `az rest --method
    DELETE`, `deployment ... create --mode Complete`, `account clear`, role assignment deletes and key
    regeneration are destructive; create, update, set and `az rest` PUT/PATCH/POST are writes; help, show,
    list, get, exists, wait, what-if and validate are reads.
parameters:
  - name: --command -c
    short-summary: An az command line, with or without the leading az.
  - name: --file -f
    short-summary: A shell script; every az invocation in it is classified, with its line number.
examples:
  - name: Classify one command.
    text: az tokenguard classify --command "group delete -n rg1"
  - name: Review a deployment script before running it.
    text: az tokenguard classify --file deploy.sh -o table
  - name: List only the destructive commands of a script.
    text: az tokenguard classify --file deploy.sh --query "[?class=='destructive']"
"""

helps["tokenguard refresh-classifier"] = """
type: command
short-summary: Regenerate the list of commands az asks to confirm, for your az version and extensions.
long-summary: >
    Loads az's full command table and writes the commands marked for confirmation to
    AZURE_CONFIG_DIR/tokenguard/confirm_commands.json, which the guard and classify read in addition to
    the list shipped with tokenguard.
examples:
  - name: Refresh after upgrading az or adding extensions.
    text: az tokenguard refresh-classifier
"""

helps["tokenguard pin"] = """
type: command
short-summary: Pin this shell to one subscription or tenant; az commands aimed elsewhere are refused.
long-summary: >
    Prints shell code that sets TOKENGUARD_EXPECT_SUBSCRIPTION (by id) or TOKENGUARD_EXPECT_TENANT; the
    guard refuses any az command whose effective subscription or tenant differs, and says how to unpin.
    Scripts can set those variables themselves.
parameters:
  - name: --subscription -s
    short-summary: The subscription (name or id) this shell may use; it is pinned by id.
  - name: --tenant -t
    short-summary: The tenant (id or domain) this shell may use.
  - name: --clear
    short-summary: Unpin this shell.
  - name: --shell
    short-summary: The shell the code is for, bash or zsh.
examples:
  - name: Pin this shell to contoso-dev.
    text: eval "$(az tokenguard pin --subscription contoso-dev)"
  - name: Pin this shell to a tenant.
    text: eval "$(az tokenguard pin --tenant contoso.example)"
  - name: Unpin.
    text: eval "$(az tokenguard pin --clear)"
"""

helps["tokenguard protect"] = """
type: command
short-summary: Mark subscriptions as protected; destructive commands and writes there need the name typed.
parameters:
  - name: --subscription -s
    short-summary: Subscription name, id, or a glob pattern such as '*-prod' (case-insensitive).
examples:
  - name: Protect every production subscription.
    text: az tokenguard protect --subscription "*-prod"
  - name: Protect one subscription by name.
    text: az tokenguard protect --subscription contoso-prod
"""

helps["tokenguard unprotect"] = """
type: command
short-summary: Remove a subscription or pattern from the protected list.
parameters:
  - name: --subscription -s
    short-summary: The name, id or pattern exactly as it was protected.
examples:
  - name: Stop protecting a pattern.
    text: az tokenguard unprotect --subscription "*-prod"
"""

helps["tokenguard policy"] = """
type: group
short-summary: See and change the guard's policy (protected subscriptions, context line).
"""

helps["tokenguard policy show"] = """
type: command
short-summary: Show the guard's policy.
examples:
  - name: Show the protected subscriptions and the context-line mode.
    text: az tokenguard policy show
"""

helps["tokenguard policy set"] = """
type: command
short-summary: Change the guard's settings - the context line and the sign-in rules.
parameters:
  - name: --context-line
    short-summary: auto (the default, only when stderr is a terminal), always, destructive-only or off.
  - name: --device-code
    short-summary: warn (the default) warns about phishing and asks; deny refuses device code sign-in here.
  - name: --ci-user-login
    short-summary: warn (the default) warns when a user is signed in on a CI agent; deny refuses az commands.
examples:
  - name: Show the context line only before destructive commands.
    text: az tokenguard policy set --context-line destructive-only
  - name: Forbid device code sign-in on this machine.
    text: az tokenguard policy set --device-code deny
  - name: Refuse az commands on a build agent where a person's account is signed in.
    text: az tokenguard policy set --ci-user-login deny
"""

helps["tokenguard policy reset"] = """
type: command
short-summary: Start over with the default policy; a corrupt policy file is moved aside, not deleted.
examples:
  - name: Reset the policy.
    text: az tokenguard policy reset
"""

helps["tokenguard audit"] = """
type: group
short-summary: The audit trail of the guard's decisions.
"""

helps["tokenguard audit show"] = """
type: command
short-summary: Show who confirmed or refused what, where - destructive commands, device code sign-ins, pins.
long-summary: >
    Each line of AZURE_CONFIG_DIR/tokenguard/audit.log (0600, rotated at 1 MiB) holds the time, the tenant
    and subscription, the decision, how it was reached (at the terminal, by TOKENGUARD_CONFIRM, no terminal,
    a pin, a policy) and the command line with secret values redacted. Unreadable lines are skipped and counted.
parameters:
  - name: --since
    short-summary: Only decisions since then - a duration back from now (30m, 1h, 2d) or an ISO 8601 time.
  - name: --decision
    short-summary: Only confirmed or only refused decisions.
examples:
  - name: What was refused in the last hour?
    text: az tokenguard audit show --since 1h --decision refused -o table
  - name: Every decision since a point in time, as JSON.
    text: az tokenguard audit show --since 2026-11-23T08:00:00Z
"""
