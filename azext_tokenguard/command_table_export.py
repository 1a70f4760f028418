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

A second file argument also writes what the guard needs to steer az to a
shell's subscription (``export_subscription_options``), shipped as
``guard/data/subscription_options.json``.
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


def export_subscription_options(cli_ctx):
    """What the guard needs to steer commands to a shell's subscription (guard/selection.py):

        {"azVersion", "commandCount", "groups": [every command group],
         "commands": {name: {"subscription": [its own options], "required": bool, "tenant": [options]}}}

    ``commands`` holds only the commands that hide az's global ``--subscription`` (az adds it to every command,
    azure/cli/core/commands/arm.py register_global_subscription_argument; ``c.ignore('_subscription')`` hides
    it), with their own ``--subscription`` and ``--tenant`` if they have them. Arguments are loaded for every
    command at once, as ``az`` does for one; about 10 s."""
    from azure.cli.core import __version__ as az_version
    loader, table = _commands_with_arguments(cli_ctx)
    commands = {name: _own_target_options(table[name]) for name in sorted(table)
                if _hides_global_subscription(loader, name)}
    groups = sorted({' '.join(name.split()[:size]) for name in table for size in range(1, len(name.split()))})
    return {'azVersion': az_version, 'commandCount': len(table), 'groups': groups, 'commands': commands}


def _commands_with_arguments(cli_ctx):
    """The full command table with every argument as az defines it. az applies argument settings through the
    running invocation's loader (AzCommandsLoader._update_command_definitions), so that is this loader for
    the time of the load; a running az gets its own back."""
    loader = cli_ctx.commands_loader_cls(cli_ctx=cli_ctx)
    if getattr(cli_ctx, 'invocation', None) is None:
        cli_ctx.invocation = cli_ctx.invocation_cls(
            cli_ctx=cli_ctx, parser_cls=cli_ctx.parser_cls, commands_loader_cls=cli_ctx.commands_loader_cls,
            help_cls=cli_ctx.help_cls)
    running_loader = getattr(cli_ctx.invocation, 'commands_loader', None)
    cli_ctx.invocation.commands_loader = loader
    try:
        table = loader.load_command_table(None)
        loader.load_arguments(None)
    finally:
        cli_ctx.invocation.commands_loader = running_loader
    return loader, table


def _hides_global_subscription(loader, name):
    """az's global --subscription is added before arguments load, then each of the command's loaders may
    ignore it (knack's ignore_type: help=SUPPRESS, and the parser leaves it out)."""
    import argparse
    settings = {}
    for command_loader in loader.cmd_to_loader_map.get(name, ()):
        registered = command_loader.argument_registry.get_cli_argument(name, '_subscription')
        settings.update(registered.settings if registered else {})
    return settings.get('help') == argparse.SUPPRESS


def _own_target_options(command):
    """The command's own --subscription and --tenant options (all their spellings), and whether it needs one."""
    import argparse
    found = {}
    for argument in command.arguments.values():
        settings = argument.type.settings
        options = [str(option) for option in settings.get('options_list') or ()]
        if settings.get('help') == argparse.SUPPRESS:
            continue
        for key, option in (('subscription', '--subscription'), ('tenant', '--tenant')):
            if option in options:
                found[key] = options
                if key == 'subscription':
                    found['required'] = bool(settings.get('required'))
    return found


def write_export(document, path):
    """Write the export as stable, diff-friendly JSON, privately and atomically."""
    from .guard.az_files import write_private_file
    write_private_file(path, (json.dumps(document, indent=1, sort_keys=True) + '\n').encode('utf-8'))


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) not in (1, 2):
        sys.stderr.write('usage: python -m azext_tokenguard.command_table_export OUTPUT.json '
                         '[SUBSCRIPTION_OPTIONS.json]\n')
        return 2
    from azure.cli.core import get_default_cli
    cli_ctx = get_default_cli()
    if len(argv) == 2:
        options = export_subscription_options(cli_ctx)
        write_export(options, argv[1])
        sys.stderr.write(f"{len(options['commands'])} commands without az's global --subscription -> {argv[1]}\n")
    document = export_confirmation_commands(cli_ctx)
    write_export(document, argv[0])
    sys.stderr.write(f"{len(document['destructive'])} commands az asks to confirm (az {document['azVersion']}) "
                     f"-> {argv[0]}\n")
    return 0


if __name__ == '__main__':
    sys.exit(main())
