"""Help text (YAML) for the guard's own commands (shell-init, classify, refresh-classifier, pin, use, protect,
unprotect, policy, audit), with examples for every command and parameter."""
from knack.help_files import helps

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
