"""Help text (YAML) for agent, with examples for every command and parameter."""
from knack.help_files import helps

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
