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
    crashes; symlinks are never followed, anywhere in a path (a linked ~/.azd is reported, not read). Table
    and tsv output show control characters in file names as ?.
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
    directories it cleans; a symlinked azureProfile.json or token file is removed as a link before az signs
    out, so az's sign-out cannot write through it. Afterwards it scans again and fails, naming what
    remains, if any token or secret is left. It says what cannot be cleaned from here (WAM broker accounts, browser sessions) and how.
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

helps["tokenguard agent"] = """
type: command
short-summary: Run an AI agent or any untrusted tool with no Azure credential in reach; the policy is enforced per HTTP request.
long-summary: >
    The command runs under bubblewrap: a tmpfs over az's config dir (and the vault's memory copy), its own
    PID namespace and /proc, so it sees neither the token files nor any other process's environment. Inside,
    az is signed in as a managed identity (az account show names the chosen subscription, user
    systemAssignedIdentity) whose endpoint hands out placeholder tokens for Azure Resource Manager only;
    DefaultAzureCredential and ManagedIdentityCredential use the same endpoint. HTTPS_PROXY points at a
    proxy on 127.0.0.1 that terminates TLS for the cloud's ARM and sign-in hosts with a CA made for this run
    (in REQUESTS_CA_BUNDLE, SSL_CERT_FILE and NODE_EXTRA_CA_CERTS), checks each request's method, host and
    path, and sends allowed ones on with the real token in place of the placeholder. read-only (the
    default) lets through GET, HEAD and a short list of read-only POST actions (Resource Graph queries,
    checkNameAvailability); writes and deletes get a 403 TokenguardRefused error, and so do
    credential-returning actions (listKeys, listCredentials, ...) and token requests in every mode. ask puts
    each write to you on this terminal, naming method, resource, subscription and the agent's command; no
    terminal means no. Other hosts (the agent's model API, registries) are tunnelled untouched and never see
    a real token. The child's environment has no credential variable (AZURE_CLIENT_SECRET,
    TOKENGUARD_VAULT_PASSPHRASE, ...), no inherited NO_PROXY, and a fresh AZURE_CONFIG_DIR. Every decision,
    reads included, goes to the audit log with the run's id. The exit status is the command's. Without a
    working bubblewrap the agent is not started.
parameters:
  - name: <COMMAND_ARGS>
    short-summary: The command to run, after --, with its arguments.
  - name: --mode
    short-summary: read-only (default) lets only reads reach Azure; ask asks at this terminal for each write.
  - name: --subscription -s
    short-summary: Name or ID of the subscription the agent works in; default is this shell's or az's default.
examples:
  - name: Let a coding agent's CLI look at your Azure resources, read-only.
    text: az tokenguard agent -- claude
  - name: Let it propose changes, each asked at this terminal.
    text: az tokenguard agent --mode ask --subscription contoso-dev -- codex
  - name: A CI step that may only read, whatever the script does.
    text: az tokenguard agent --subscription $SUBSCRIPTION_ID -- ./scripts/inventory.sh
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
    short-summary: The shell to integrate with, bash, zsh or fish.
  - name: --shim
    short-summary: Write an `az` that guards into this directory instead (scripts, make, cron, subprocesses, AI agents).
    long-summary: >
        The shim runs the same guard, then the real az at the absolute path found when it was written. Put
        the directory first on PATH. Without a terminal, destructive commands are refused (exit status 42)
        unless TOKENGUARD_CONFIRM names the subscription they land in; reads pass silently.
  - name: --remove
    short-summary: With --shim, delete the shim from that directory (only a file tokenguard wrote).
examples:
  - name: Guard every az on this machine, scripts included (then put ~/.local/bin first on PATH).
    text: az tokenguard shell-init --shim ~/.local/bin
  - name: Remove that shim again.
    text: az tokenguard shell-init --shim ~/.local/bin --remove
  - name: Put the guard in front of az in fish (add this line to ~/.config/fish/config.fish).
    text: az tokenguard shell-init --shell fish | source
  - name: Put the guard in front of az in bash (add this line to ~/.bashrc).
    text: eval "$(az tokenguard shell-init --shell bash)"
  - name: The same for zsh (add this line to ~/.zshrc).
    text: eval "$(az tokenguard shell-init --shell zsh)"
  - name: Put the guard in front of az and show the subscription in the bash prompt (in ~/.bashrc).
    text: eval "$(az tokenguard shell-init --shell bash)"; PS1='${__tokenguard_ps1}'"$PS1"
  - name: The same in zsh (in ~/.zshrc).
    text: eval "$(az tokenguard shell-init --shell zsh)"; setopt promptsubst; PROMPT='$(__tokenguard_prompt)'"$PROMPT"
"""

helps["tokenguard classify"] = """
type: command
short-summary: Classify az commands as destructive, secret, write or read, with the reason, as the guard does.
long-summary: >
    Uses az's own command table (the commands az asks to confirm, and the HTTP requests each command sends,
    shipped for az 2.91 and refreshable with `az tokenguard refresh-classifier`) plus verb rules: delete,
    purge and remove verbs, a DELETE request, `az rest --method DELETE`, `deployment ... create --mode
    Complete`, `account clear`, role assignment deletes and key regeneration are destructive; commands whose
    response carries credentials (list keys, get-access-token, get-credentials, generate-sas...) are secret;
    PUT, PATCH and POST requests (but a few read-only actions), create, update, set and `az rest`
    PUT/PATCH/POST are writes; GET requests, help, show, list, get, exists, wait, what-if and validate are
    reads.
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
    the list shipped with tokenguard; to subscription_options.json beside it, which commands take az's
    global --subscription, for steering a shell's selection (az tokenguard use); and to command_options.json,
    every command's options as az's parser has them, from which the guard reads abbreviations (--s for
    --subscription where that is the only option it can mean) and which values are secret; and to
    command_methods.json, the HTTP methods and operations each command sends, read from az's AAZ operation
    classes and the SDK operations commands bind. The classes those requests imply go into
    confirm_commands.json, and a warning line says how many commands each source decided. It takes about 40
    seconds.
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

helps["tokenguard use"] = """
type: command
short-summary: Choose this shell's subscription (or tenant); its az commands land there, not in az's default.
long-summary: >
    Prints shell code for eval that sets TOKENGUARD_SUBSCRIPTION and TOKENGUARD_TENANT (ids: a renamed
    subscription cannot redirect the shell), and ARM_SUBSCRIPTION_ID, ARM_TENANT_ID, AZURE_SUBSCRIPTION_ID and
    AZURE_TENANT_ID for Terraform, azd and the Azure SDKs. The guard of shell-init then adds --subscription to
    every az command that takes it and names no target of its own, and refuses (exit status 43) the ones it
    cannot steer that would land elsewhere. az's default, other shells and the token cache are not touched.
    Without arguments, at a terminal, it offers a numbered list of the subscriptions az knows.
parameters:
  - name: --subscription -s
    short-summary: The subscription, by name or id; it is selected by id.
    populator-commands:
      - az account list
  - name: --tenant -t
    short-summary: >
        The tenant, by id, domain or name: az's default subscription when it is in that tenant, else the
        tenant's only subscription (at a terminal, a list when it has several).
  - name: --clear
    short-summary: Return this shell to az's default subscription and unset the variables use set.
  - name: --no-export
    short-summary: Leave ARM_SUBSCRIPTION_ID, ARM_TENANT_ID, AZURE_SUBSCRIPTION_ID and AZURE_TENANT_ID alone.
  - name: --shell
    short-summary: The shell the code is for, bash, zsh or fish.
  - name: <PREVIOUS>
    short-summary: "- goes back to the choice this shell had before, as cd - does."
examples:
  - name: Choose a subscription for this shell.
    text: eval "$(az tokenguard use --subscription contoso-dev)"
  - name: Choose from a numbered list of the subscriptions az knows.
    text: eval "$(az tokenguard use)"
  - name: Choose a tenant; its subscription that az would use is selected.
    text: eval "$(az tokenguard use --tenant contoso.example)"
  - name: Go back to the previous choice.
    text: eval "$(az tokenguard use -)"
  - name: Return to az's default.
    text: eval "$(az tokenguard use --clear)"
  - name: Select without setting the ARM_ and AZURE_ variables for other tools.
    text: eval "$(az tokenguard use --subscription contoso-dev --no-export)"
  - name: In fish.
    text: az tokenguard use --subscription contoso-dev --shell fish | source
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
long-summary: >
    Through the guard (shell-init) this is confirmed like a destructive command: at a terminal it asks, and
    for a protected subscription wants its name typed; a script needs TOKENGUARD_CONFIRM set to the
    subscription's id (a pattern can be lifted only at a terminal), so no script lifts a protection silently.
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
  - name: --mode
    short-summary: normal (the default), or read-only - every write and destructive az command is refused (exit status 47).
  - name: --allow-secrets
    short-summary: true lets read-only mode run commands that return credentials (refused by default); the guard asks to confirm it.
examples:
  - name: Make this machine read-only for az, e.g. for an AI coding agent's account.
    text: az tokenguard policy set --mode read-only
  - name: Let read-only mode also run commands that return credentials (az account get-access-token...).
    text: az tokenguard policy set --allow-secrets true
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
long-summary: >
  When subscriptions are protected, reset lifts their protection, so it is confirmed as unprotect is: at a
  terminal you type the protected names; without one, pass --yes or set TOKENGUARD_CONFIRM to the protected
  names, separated by commas. A valid policy file is rewritten in place.
examples:
  - name: Reset the policy (asks for the protected names at a terminal).
    text: az tokenguard policy reset
  - name: Reset it in a script, lifting every protection.
    text: az tokenguard policy reset --yes
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
    short-summary: Only confirmed, only refused or only allowed decisions (allowed - an agent's requests).
  - name: --run
    short-summary: Only the decisions of one `az tokenguard agent` run, by the id it names when it starts.
examples:
  - name: What was refused in the last hour?
    text: az tokenguard audit show --since 1h --decision refused -o table
  - name: Every request of one agent run, allowed and refused.
    text: az tokenguard audit show --run 3f9a1c2b7d4e -o table
  - name: Every decision since a point in time, as JSON.
    text: az tokenguard audit show --since 2026-11-23T08:00:00Z
"""

helps["tokenguard vault"] = """
type: group
short-summary: Keep az's refresh tokens and client secrets sealed at rest, and unlock them for a while.
long-summary: >
    'vault lock' seals msal_token_cache.json, service_principal_entries.json, msal_http_cache.bin and a legacy
    accessTokens.json into AZURE_CONFIG_DIR/tokenguard/vault.json (AES-256-GCM; the key is wrapped with a key
    from your passphrase through scrypt, N=2^17 r=8 p=1) and removes the plain files. 'vault unlock' puts a copy
    in memory-backed storage that a reboot empties ($XDG_RUNTIME_DIR, else /dev/shm) and links az's files to it,
    so az runs as usual. When the period ends, the first az or tokenguard command seals what az has then back
    into the vault (tokens az refreshed included) and wipes the copy; nothing runs in the background. While
    locked, the guard refuses az commands that need a token (exit status 48) and says how to unlock, and az's
    token cache and secret store are links to a directory that does not exist, so that an az still running from
    the unlock period cannot write them back in plain text (its write fails). Prefer the terminal or
    --passphrase-file to TOKENGUARD_VAULT_PASSPHRASE: a variable in your shell's initial environment can be read
    by every process you start. The vault does not protect against malware running as you while it is unlocked.
examples:
  - name: Seal az's tokens after signing in.
    text: az login && az tokenguard vault lock
  - name: Unlock for a working day.
    text: az tokenguard vault unlock --for 8h
"""

helps["tokenguard vault lock"] = """
type: command
short-summary: Seal az's token files into the vault and remove the plain-text files.
long-summary: >
    The first lock asks for a new passphrase twice (at least 8 characters). The vault is written to a temporary
    file, flushed, read back and opened before it replaces the old one; only then are the plain files removed.
    On an unlocked vault, lock seals what az has now without asking for the passphrase, and wipes the memory
    copy. Plain files found beside a locked vault (az signed in without it) are merged into the vault.
    The vault stays on the machine that sealed it.
parameters:
  - name: --passphrase-file
    short-summary: Read the passphrase from the first line of this file, or from standard input with -.
    long-summary: Without it, TOKENGUARD_VAULT_PASSPHRASE is used when set, else the terminal is asked.
examples:
  - name: Seal az's tokens, typing the passphrase at the terminal.
    text: az tokenguard vault lock
  - name: Seal them on a machine without a terminal, the passphrase from a file only you can read.
    text: az tokenguard vault lock --passphrase-file ~/.config/tokenguard/passphrase
  - name: Seal them again before leaving the desk.
    text: az tokenguard vault lock
"""

helps["tokenguard vault unlock"] = """
type: command
short-summary: Let az use its sealed tokens for a while, from a copy in memory-backed storage.
long-summary: >
    Asks for the passphrase, writes the copy into a 0700 directory of yours under $XDG_RUNTIME_DIR (else
    /dev/shm) and links az's token files to it. Unlocking an unlocked vault (passphrase again) extends the period.
    Refused when az wrote plain-text token files since the vault was locked: run 'vault lock' first to seal them.
parameters:
  - name: --for
    short-summary: How long az may use its tokens - 30m, 8h (the default), 2d; at most 7d.
  - name: --passphrase-file
    short-summary: Read the passphrase from the first line of this file, or from standard input with -.
    long-summary: Without it, TOKENGUARD_VAULT_PASSPHRASE is used when set, else the terminal is asked.
examples:
  - name: Unlock for the default 8 hours.
    text: az tokenguard vault unlock
  - name: Unlock for half an hour, for one task.
    text: az tokenguard vault unlock --for 30m
  - name: Unlock in a script, the passphrase on standard input.
    text: printf '%s\\n' "$PASSPHRASE" | az tokenguard vault unlock --for 2h --passphrase-file -
"""

helps["tokenguard vault show"] = """
type: command
short-summary: Show whether az's tokens are sealed, and how long they stay unlocked.
long-summary: >
    state is none (no vault), locked, unlocked or expired (the period is over; the next az command seals the
    copy again). Nothing is decrypted and no passphrase is asked.
examples:
  - name: Show the vault's state.
    text: az tokenguard vault show
  - name: How long until it locks again?
    text: az tokenguard vault show --query timeLeft -o tsv
"""
