"""The child's side of an agent run: its own az config dir, its environment, and the bubblewrap around it.

The child is signed in to az as a managed identity whose endpoint hands out placeholders; its HTTPS goes
through the proxy; bubblewrap hides the parent's token files (a tmpfs over each) and every process outside
the child's own PID namespace, so no ancestor's /proc/<pid>/environ or /proc/<pid>/root is in reach.
"""
import glob
import json
import os
import pwd
import re
import shutil
import subprocess

from ..guard import az_files, vault_state
from ..exec.endpoint import COMPETING_VARIABLES, TOKEN_CREDENTIALS

BWRAP = "bwrap"
AGENT_MARKER = "TOKENGUARD_AGENT"  # set for the child: an agent inside an agent is refused
MI_USER = {"name": "systemAssignedIdentity", "type": "servicePrincipal", "assignedIdentityInfo": "MSI"}
COPIED_CONFIG_FILES = ("config", "clouds.config", "versionCheck.json")  # settings, clouds, az's update check: no tokens
PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy",
                   "NO_PROXY", "no_proxy")
CA_VARIABLES = ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "NODE_EXTRA_CA_CERTS", "CURL_CA_BUNDLE")
# Credentials under other names than the SDKs' own: Terraform's, storage keys, DevOps tokens.
_CREDENTIAL_NAME = re.compile(r"^(AZURE|ARM|AZ|MSI|IDENTITY|TOKENGUARD|AZD)_.*(SECRET|PASSWORD|PASSPHRASE|KEY|TOKEN|"
                              r"CERTIFICATE|CONNECTION_STRING|SAS|PAT)", re.IGNORECASE)
_JWT_VALUE = re.compile(r"eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.")


class SandboxUnavailableError(Exception):
    """bubblewrap is missing or cannot make its namespaces here."""


def is_credential_variable(name, value):
    return (name in COMPETING_VARIABLES or bool(_CREDENTIAL_NAME.match(name)) or name.startswith("MSI_")
            or name.startswith("IDENTITY_") or bool(_JWT_VALUE.search(value or "")))


def child_environment(parent_env, *, config_dir, proxy_url, ca_bundle, endpoint_variables):
    """The child's environment: the parent's without credentials, proxies or CA overrides, plus the agent's
    own. Returns (environment, names removed); the caller logs names, never values."""
    removed = sorted(name for name, value in parent_env.items() if is_credential_variable(name, value))
    dropped = set(removed) | set(PROXY_VARIABLES) | set(CA_VARIABLES) | {az_files.CONFIG_DIR_ENV}
    environment = {name: value for name, value in parent_env.items() if name not in dropped}
    environment.update(endpoint_variables)
    environment.update({az_files.CONFIG_DIR_ENV: config_dir, "HTTPS_PROXY": proxy_url, "https_proxy": proxy_url,
                        TOKEN_CREDENTIALS[0]: TOKEN_CREDENTIALS[1], AGENT_MARKER: "1"})
    environment.update({name: ca_bundle for name in CA_VARIABLES})
    return environment, removed


def child_profile(subscriptions, selected_id, tenant_id, installation_id):
    """azureProfile.json for the child: the parent's subscriptions in the selected one's tenant and cloud, as
    `az login --identity` records them, the selected one as default."""
    entries = []
    for subscription in subscriptions:
        if subscription.get("tenantId") != tenant_id:
            continue
        keys = ("id", "name", "state", "tenantId", "environmentName", "homeTenantId", "managedByTenants")
        entry = {key: subscription.get(key) for key in keys}
        entry.update(user=dict(MI_USER), isDefault=subscription.get("id") == selected_id)
        entry["managedByTenants"] = entry["managedByTenants"] or []
        if not any(e["id"] == entry["id"] for e in entries):
            entries.append(entry)
    return {"installationId": installation_id, "subscriptions": entries}


def write_child_config(directory, parent_config_dir, profile):
    """The child's AZURE_CONFIG_DIR: az's settings and clouds copied, and the managed identity profile."""
    os.makedirs(directory, mode=0o700, exist_ok=True)
    for name in COPIED_CONFIG_FILES:
        source = os.path.join(parent_config_dir, name)
        if os.path.isfile(source) and not os.path.islink(source):
            shutil.copyfile(source, os.path.join(directory, name))
            os.chmod(os.path.join(directory, name), 0o600)
    # az writes its profile with a BOM; the project's one private, atomic write does the rest.
    az_files.write_private_file(os.path.join(directory, "azureProfile.json"),
                                json.dumps(profile).encode("utf-8-sig"))


def hidden_paths(parent_env, parent_config_dir, private_dir):
    """What the child must not see: the parent's config dir (token files, audit log), the default one, the
    vault's memory copies and the parent's own state for this run."""
    homes = {os.path.expanduser("~"), pwd.getpwuid(os.getuid()).pw_dir}  # `env -i` leaves az the passwd home
    candidates = [parent_config_dir, *(os.path.join(home, az_files.DEFAULT_CONFIG_DIR_NAME) for home in homes),
                  vault_state.memory_root(parent_env), private_dir, *glob.glob("/dev/shm/tokenguard-*")]
    seen, paths = set(), []
    for path in candidates:
        real = os.path.realpath(path)
        if real not in seen and os.path.isdir(real):
            seen.add(real)
            paths.append(real)
    return paths


def bwrap_argv(command, hidden, readable=()):
    """bubblewrap around ``command``: the filesystem as it is, but a tmpfs over each hidden dir (and the
    read-only dirs in ``readable`` put back, e.g. the extensions inside a hidden config dir), a PID namespace
    with its own /proc, and the child ends when the parent does. The network stays shared: the proxy and the
    token endpoint are on loopback."""
    argv = [BWRAP, "--dev-bind", "/", "/", "--unshare-pid", "--proc", "/proc", "--die-with-parent"]
    for path in hidden:
        argv += ["--tmpfs", path]
    for path in readable:
        argv += ["--ro-bind", path, path]
    return argv + ["--", *command]


def check_bwrap(which=shutil.which, run=subprocess.run):
    """Refuse early, with what to do, when bubblewrap cannot run here."""
    path = which(BWRAP)
    if not path:
        raise SandboxUnavailableError("bubblewrap (bwrap) is not installed.")
    probe = run([path, "--dev-bind", "/", "/", "--unshare-pid", "--proc", "/proc", "--die-with-parent", "--",
                 "true"], capture_output=True, text=True, check=False, timeout=30)
    if probe.returncode != 0:
        detail = (probe.stderr or "").strip().splitlines()
        raise SandboxUnavailableError(f"bubblewrap cannot make a sandbox here: {detail[-1] if detail else 'failed'}.")
    return path
