"""Set up one agent run, run the command in it, and take it all down: the glue between the parts."""
import os
import secrets
import shutil
import ssl
import tempfile

from ..exec.child import run_child
from ..exec.endpoint import TokenEndpoint
from . import ca as run_ca
from . import sandbox
from .proxy import AgentProxy, Upstream


def trusted_bundles(parent_env):
    """The CA files the parent trusts for Azure's hosts, as az's requests does: REQUESTS_CA_BUNDLE, else
    certifi's bundle."""
    bundle = parent_env.get("REQUESTS_CA_BUNDLE") or parent_env.get("SSL_CERT_FILE")
    if bundle:
        return [bundle]
    try:
        import certifi
        return [certifi.where()]
    except ImportError:
        return [path for path in (ssl.get_default_verify_paths().cafile,) if path]


def upstream_context(parent_env):
    context = ssl.create_default_context()
    for bundle in trusted_bundles(parent_env):
        context.load_verify_locations(cafile=bundle)
    return context


class Workspace:
    """A private temp dir for the run: ``config`` (the child's az), ``ca.pem`` (its CA bundle) and ``parent``
    (leaf keys; hidden from the child). Removed at the end, links not followed."""

    def __init__(self):
        self.root = tempfile.mkdtemp(prefix="tokenguard-agent-")
        self.config = os.path.join(self.root, "config")
        self.bundle = os.path.join(self.root, "ca.pem")
        self.private = os.path.join(self.root, "parent")
        os.mkdir(self.private, 0o700)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.root, ignore_errors=True)


def new_run_id():
    return secrets.token_hex(6)


def run_agent(run, *, parent_env, parent_config_dir, subscriptions, logger, installation_id=None):
    """Run ``run.command`` in the sandbox; return its exit code. bwrap is checked before anything starts."""
    bwrap = sandbox.check_bwrap()
    with Workspace() as workspace:
        authority = run_ca.RunCA(workspace.private)
        run_ca.write_bundle(workspace.bundle, authority.certificate_pem, trusted_bundles(parent_env))
        profile = sandbox.child_profile(subscriptions, run.account["id"], run.account["tenantId"],
                                        installation_id or secrets.token_hex(16))
        sandbox.write_child_config(workspace.config, parent_config_dir, profile)
        upstream = Upstream(upstream_context(parent_env))
        with TokenEndpoint(run.issue_placeholder, logger=logger) as endpoint, \
                AgentProxy(authority, run, upstream, logger) as proxy:
            environment, removed = sandbox.child_environment(
                parent_env, config_dir=workspace.config, proxy_url=proxy.url, ca_bundle=workspace.bundle,
                endpoint_variables=endpoint.variables())
            if removed:
                logger.info("Unset for the agent: %s.", ", ".join(removed))
            logger.info("Agent run %s: proxy %s, token endpoint %s, mode %s.", run.run_id, proxy.url, endpoint.url,
                        run.mode)
            hidden = sandbox.hidden_paths(parent_env, parent_config_dir, workspace.private)
            readable = [path for path in (os.path.join(parent_config_dir, "cliextensions"),)
                        if os.path.isdir(path) and not os.path.islink(path)]
            argv = sandbox.bwrap_argv(run.command, hidden, readable)
            argv[0] = bwrap
            return run_child(argv, environment)
