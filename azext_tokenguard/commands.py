"""Command table: one line of wiring per command."""
from azext_tokenguard._format import (audit_table, classify_table, decode_table, get_token_table, logout_table,
                                      policy_table, scan_table, status_table)


def load_command_table(self, _):
    with self.command_group("tokenguard") as g:
        g.custom_command("status", "show_status", table_transformer=status_table)
        g.custom_command("get-token", "get_token", table_transformer=get_token_table)
        g.custom_command("decode", "decode_token", table_transformer=decode_table)
        g.custom_command("scan", "scan", table_transformer=scan_table)
        g.custom_command("logout", "logout", table_transformer=logout_table)
        g.custom_command("exec", "exec_command")
        g.custom_command("agent", "agent_command")
        g.custom_command("shell-init", "shell_init")
        g.custom_command("classify", "classify", table_transformer=classify_table)
        g.custom_command("refresh-classifier", "refresh_classifier_data")
        g.custom_command("pin", "pin")
        g.custom_command("use", "use")
        g.custom_command("protect", "protect")
        g.custom_command("unprotect", "unprotect")
    with self.command_group("tokenguard policy") as g:
        g.custom_show_command("show", "policy_show", table_transformer=policy_table)
        g.custom_command("set", "policy_set")
        g.custom_command("reset", "policy_reset")
    with self.command_group("tokenguard vault") as g:
        g.custom_command("lock", "vault_lock")
        g.custom_command("unlock", "vault_unlock")
        g.custom_show_command("show", "vault_show")
    with self.command_group("tokenguard audit") as g:
        g.custom_show_command("show", "audit_show", table_transformer=audit_table)
