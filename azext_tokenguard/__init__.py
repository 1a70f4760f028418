"""tokenguard: an Azure CLI extension that guards the tokens az keeps and the places az commands land."""
from azure.cli.core import AzCommandsLoader

from azext_tokenguard._help import helps  # pylint: disable=unused-import


class TokenguardCommandsLoader(AzCommandsLoader):

    def __init__(self, cli_ctx=None):
        # Each command group names the custom.py of its folder (commands.py), so there is no default here.
        super().__init__(cli_ctx=cli_ctx)

    def load_command_table(self, args):
        from azext_tokenguard._format import register_output_cleaning
        from azext_tokenguard._validators import exec_without_double_dash_hint
        from azext_tokenguard.commands import load_command_table
        load_command_table(self, args)
        hint = exec_without_double_dash_hint(args or [])
        if hint:  # said before az's parser refuses the line with only "unrecognized arguments"
            from knack.log import get_logger
            get_logger(__name__).warning(hint)
        if self.cli_ctx is not None:
            register_output_cleaning(self.cli_ctx)  # table and tsv output: no control characters
        return self.command_table

    def load_arguments(self, command):
        from azext_tokenguard._params import load_arguments
        load_arguments(self, command)


COMMAND_LOADER_CLS = TokenguardCommandsLoader
