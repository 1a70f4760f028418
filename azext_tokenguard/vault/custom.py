"""Glue for az tokenguard vault lock/unlock/show: az's side to vault/."""
import time

from azext_tokenguard.az_command import az_command
from azext_tokenguard.guard import az_files
from azext_tokenguard.shared_glue import refuse_in_read_only


@az_command
def vault_lock(passphrase_file=None):
    refuse_in_read_only("tokenguard vault lock")
    from azext_tokenguard.vault import store as vault
    from azext_tokenguard.vault import keys as vault_keys
    outcome = vault.lock(az_files.config_dir(), vault_keys.passphrase_sources(passphrase_file), time.time())
    return vault.report(outcome, time.time())


@az_command
def vault_unlock(period=None, passphrase_file=None):
    """period is in seconds (_validators.validate_unlock_period)."""
    refuse_in_read_only("tokenguard vault unlock")
    from azext_tokenguard.vault import store as vault
    from azext_tokenguard.vault import keys as vault_keys
    outcome = vault.unlock(az_files.config_dir(), vault_keys.passphrase_sources(passphrase_file), period,
                           time.time())
    return vault.report(outcome, time.time())


@az_command
def vault_show():
    from azext_tokenguard.vault import store as vault
    return vault.describe(az_files.config_dir(), time.time())
