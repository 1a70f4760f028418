"""Export the commands az itself asks to confirm, for the guard's classifier.

Runs inside az (it loads az's full command table, so it may import
azure.cli).  The result is what ``guard/data/confirm_commands.json`` holds:

    {"azVersion": "2.91.0", "destructive": ["acr cache delete", ...]}

The shipped file was generated against the development venv's az with::

    AZURE_CONFIG_DIR=$(mktemp -d) .venv/bin/python -m azext_tokenguard.command_table_export \\
        azext_tokenguard/guard/data/confirm_commands.json

(an empty config dir keeps the user's own extensions out of the shipped
list).  Users regenerate it for their own az and extensions into
``AZURE_CONFIG_DIR/tokenguard/confirm_commands.json``, which the classifier
reads in addition to the shipped file.
"""
import json
import sys


def _full_command_table(cli_ctx):
    """Every command of az and its installed extensions (loading with args=None skips the command index)."""
    loader = cli_ctx.commands_loader_cls(cli_ctx=cli_ctx)
    if getattr(cli_ctx, 'invocation', None) is None:
        # Some command loaders look at cli_ctx.invocation while loading; outside a running az provide one.
        cli_ctx.invocation = cli_ctx.invocation_cls(
            cli_ctx=cli_ctx, parser_cls=cli_ctx.parser_cls, commands_loader_cls=cli_ctx.commands_loader_cls,
            help_cls=cli_ctx.help_cls)
    return loader.load_command_table(None)


def export_confirmation_commands(cli_ctx):
    """``{"azVersion", "commandCount", "destructive": sorted names}`` of commands with ``confirmation`` set."""
    from azure.cli.core import __version__ as az_version
    table = _full_command_table(cli_ctx)
    confirmed = sorted(name for name, command in table.items() if getattr(command, 'confirmation', False))
    return {'azVersion': az_version, 'commandCount': len(table), 'destructive': confirmed}


def write_export(document, path):
    """Write the export as stable, diff-friendly JSON (private-file rules from the guard's policy module)."""
    from .guard.policy import write_private_file
    write_private_file(path, (json.dumps(document, indent=1, sort_keys=True) + '\n').encode('utf-8'))


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        sys.stderr.write('usage: python -m azext_tokenguard.command_table_export OUTPUT.json\n')
        return 2
    from azure.cli.core import get_default_cli
    document = export_confirmation_commands(get_default_cli())
    write_export(document, argv[0])
    sys.stderr.write('{} commands az asks to confirm (az {}) -> {}\n'.format(
        len(document['destructive']), document['azVersion'], argv[0]))
    return 0


if __name__ == '__main__':
    sys.exit(main())
