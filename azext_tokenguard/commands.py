"""Command table: one line of wiring per command."""
from azext_tokenguard._format import status_table


def load_command_table(self, _):
    with self.command_group("tokenguard") as g:
        g.custom_command("status", "show_status", table_transformer=status_table)
