"""Command table: one line of wiring per command."""
from azext_tokenguard._format import decode_table, get_token_table, logout_table, scan_table, status_table


def load_command_table(self, _):
    with self.command_group("tokenguard") as g:
        g.custom_command("status", "show_status", table_transformer=status_table)
        g.custom_command("get-token", "get_token", table_transformer=get_token_table)
        g.custom_command("decode", "decode_token", table_transformer=decode_table)
        g.custom_command("scan", "scan", table_transformer=scan_table)
        g.custom_command("logout", "logout", table_transformer=logout_table)
        g.custom_command("exec", "exec_command")
