"""`az tokenguard agent`: run an untrusted command with no credential in reach, behind a policy proxy.

ca: the per-run certificate authority; placeholder: the tokens the child gets instead of real ones;
policy: what each HTTP request may do; proxy: the HTTPS proxy that enforces it; sandbox: the child's
bubblewrap, config dir and environment; ask: the question on the parent's terminal; run: one run's decisions
and audit records; session: sets a run up and takes it down. Pure logic: stdlib and
`cryptography` only, nothing of azure.cli (custom.py passes az's token source in).
"""
