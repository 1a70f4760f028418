"""Help text (YAML) for the vault group, with examples for every command and parameter."""
from knack.help_files import helps

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
