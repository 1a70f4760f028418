"""Command table: one line of wiring per command, each to the glue (custom.py) of the folder that does the work."""
from azure.cli.core.commands import CliCommandType

from azext_tokenguard._format import (audit_table, classify_table, decode_table, get_token_table, logout_table,
                                      policy_table, scan_table, status_table)


def _glue(folder):
    return CliCommandType(operations_tmpl=f"azext_tokenguard.{folder}.custom#{{}}")


def load_command_table(self, _):
    tokens, hygiene, exec_, agent, vault, guardcmd = (_glue(folder) for folder in (
        "tokens", "hygiene", "exec", "agent", "vault", "guardcmd"))
    with self.command_group("tokenguard") as g:
        g.custom_command("status", "show_status", custom_command_type=hygiene, table_transformer=status_table)
        g.custom_command("get-token", "get_token", custom_command_type=tokens, table_transformer=get_token_table)
        g.custom_command("decode", "decode_token", custom_command_type=tokens, table_transformer=decode_table)
        g.custom_command("scan", "scan", custom_command_type=hygiene, table_transformer=scan_table)
        g.custom_command("logout", "logout", custom_command_type=hygiene, table_transformer=logout_table)
        g.custom_command("exec", "exec_command", custom_command_type=exec_)
        g.custom_command("agent", "agent_command", custom_command_type=agent)
    with self.command_group("tokenguard", custom_command_type=guardcmd) as g:
        g.custom_command("shell-init", "shell_init")
        g.custom_command("classify", "classify", table_transformer=classify_table)
        g.custom_command("refresh-classifier", "refresh_classifier_data")
        g.custom_command("pin", "pin")
        g.custom_command("use", "use")
        g.custom_command("protect", "protect")
        g.custom_command("unprotect", "unprotect")
    with self.command_group("tokenguard policy", custom_command_type=guardcmd) as g:
        g.custom_show_command("show", "policy_show", table_transformer=policy_table)
        g.custom_command("set", "policy_set")
        g.custom_command("reset", "policy_reset")
    with self.command_group("tokenguard vault", custom_command_type=vault) as g:
        g.custom_command("lock", "vault_lock")
        g.custom_command("unlock", "vault_unlock")
        g.custom_show_command("show", "vault_show")
    with self.command_group("tokenguard audit", custom_command_type=guardcmd) as g:
        g.custom_show_command("show", "audit_show", table_transformer=audit_table)
