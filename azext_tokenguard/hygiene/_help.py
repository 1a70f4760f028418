"""Help text (YAML) for status, scan and logout --all, with examples for every command and parameter."""
from knack.help_files import helps

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
