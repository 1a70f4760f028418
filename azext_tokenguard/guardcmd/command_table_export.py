"""Export the commands az itself asks to confirm, for the guard's classifier.

Runs inside az (it loads az's full command table, so it may import
azure.cli).  The result is what ``guard/data/confirm_commands.json`` holds:

    {"azVersion": "2.91.0", "destructive": ["acr cache delete", ...]}

The shipped file was generated against the development venv's az with::

    AZURE_CONFIG_DIR=$(mktemp -d) .venv/bin/python -m azext_tokenguard.guardcmd.command_table_export \\
        azext_tokenguard/guard/data/confirm_commands.json

(an empty config dir keeps the user's own extensions out of the shipped
list).  Users regenerate it for their own az and extensions into
``AZURE_CONFIG_DIR/tokenguard/confirm_commands.json``, which the classifier
reads in addition to the shipped file.

A second file argument also writes what the guard needs to steer az to a
shell's subscription (``export_subscription_options``), shipped as
``guard/data/subscription_options.json``; a third, every command's options
as az's parser has them (``export_command_options``), shipped as
``guard/data/command_options.json``: the guard resolves abbreviations and
hides secret values with it (guard/options.py); a fourth, the HTTP requests
each command sends (``export_command_methods``), shipped as
``guard/data/command_methods.json`` (the classes they imply go into the first
file, which the guard reads; the guard never reads the requests)::

    AZURE_CONFIG_DIR=$(mktemp -d) .venv/bin/python -m azext_tokenguard.guardcmd.command_table_export \\
        azext_tokenguard/guard/data/confirm_commands.json azext_tokenguard/guard/data/subscription_options.json \\
        azext_tokenguard/guard/data/command_options.json azext_tokenguard/guard/data/command_methods.json
"""
import contextlib
import json
import logging
import re
import sys

# Loading every command's arguments and parsers runs code written for one command's run, which may warn about
# that run (as root: "Default username root is a reserved username", from vm's arguments through core.util).
AZ_LOADING_LOGGERS = ('cli.azure.cli.command_modules', 'cli.azure.cli.core.util')


@contextlib.contextmanager
def quiet_az_loading():
    """Only errors from az's own modules while every command loads: their warnings are not about this run."""
    loggers = [logging.getLogger(name) for name in AZ_LOADING_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)


_tables = {}  # one command table per az process: refresh-classifier reads it for the confirm list and requests


def _full_command_table(cli_ctx):
    """Every command of az and its installed extensions (loading with args=None skips the command index)."""
    if id(cli_ctx) not in _tables:
        _tables[id(cli_ctx)] = _load_command_table(cli_ctx)
    return _tables[id(cli_ctx)]


def _load_command_table(cli_ctx):
    loader = cli_ctx.commands_loader_cls(cli_ctx=cli_ctx)
    if getattr(cli_ctx, 'invocation', None) is None:
        # Some command loaders look at cli_ctx.invocation while loading; outside a running az provide one.
        cli_ctx.invocation = cli_ctx.invocation_cls(
            cli_ctx=cli_ctx, parser_cls=cli_ctx.parser_cls, commands_loader_cls=cli_ctx.commands_loader_cls,
            help_cls=cli_ctx.help_cls)
    return loader.load_command_table(None)


def export_confirmation_commands(cli_ctx, methods=None):
    """``{"azVersion", "commandCount", "destructive": sorted names}`` of commands with ``confirmation`` set.

    With ``methods`` (export_command_methods' document) also ``"methodClasses": {class: [names]}``: the class
    each command's requests imply (guard/method_classes.py), for the commands where that changes the guard's
    answer, and ``"requestSources"``: how many commands the AAZ operations, the SDK operations and the guard's
    own rules decide."""
    from azure.cli.core import __version__ as az_version
    table = _full_command_table(cli_ctx)
    confirmed = sorted(name for name, command in table.items() if getattr(command, 'confirmation', False))
    document = {'azVersion': az_version, 'commandCount': len(table), 'destructive': confirmed}
    if methods is not None:
        document['methodClasses'] = method_class_overrides(confirmed, methods['commands'])
        document['requestSources'] = methods['sources']
    return document


def method_class_overrides(confirmed, requests_by_command):
    """{class: [names]} of the commands whose class the requests decide: those where the guard, given the
    class the requests imply, answers otherwise than without it (its earlier rules still win)."""
    from azext_tokenguard.guard.classify import CommandData, classify_words
    from azext_tokenguard.guard.method_classes import class_of_requests
    without = CommandData(confirmed)
    overrides = {}
    for name, requests in sorted(requests_by_command.items()):
        implied = class_of_requests(requests)[0]
        words = name.split()
        if classify_words(words, CommandData(confirmed, {name: implied})).kind != classify_words(words, without).kind:
            overrides.setdefault(implied, []).append(name)
    return overrides


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


_loaded = {}  # one load per az process: refresh-classifier exports twice from it


def _commands_with_arguments(cli_ctx):
    """The full command table with every argument as az defines it for a run. az applies argument settings
    through the running invocation's loader (AzCommandsLoader._update_command_definitions), so that is this
    loader for the time of the load; a running az gets its own back. Around the load az's invoker raises the
    events that add its global arguments (``--subscription``, ``--ids``, ``--defer``, the policy options;
    azure/cli/core/commands/__init__.py execute), and so does this."""
    from knack.events import EVENT_INVOKER_POST_CMD_TBL_CREATE
    from azure.cli.core.commands.events import EVENT_INVOKER_POST_LOAD_ARGUMENTS, EVENT_INVOKER_PRE_LOAD_ARGUMENTS
    if id(cli_ctx) in _loaded:
        return _loaded[id(cli_ctx)]
    loader = cli_ctx.commands_loader_cls(cli_ctx=cli_ctx)
    if getattr(cli_ctx, 'invocation', None) is None:
        cli_ctx.invocation = cli_ctx.invocation_cls(
            cli_ctx=cli_ctx, parser_cls=cli_ctx.parser_cls, commands_loader_cls=cli_ctx.commands_loader_cls,
            help_cls=cli_ctx.help_cls)
    running_loader = getattr(cli_ctx.invocation, 'commands_loader', None)
    cli_ctx.invocation.commands_loader = loader
    try:
        table = loader.load_command_table(None)
        cli_ctx.raise_event(EVENT_INVOKER_PRE_LOAD_ARGUMENTS, commands_loader=loader)
        loader.load_arguments(None)
        cli_ctx.raise_event(EVENT_INVOKER_POST_LOAD_ARGUMENTS, commands_loader=loader)
        cli_ctx.raise_event(EVENT_INVOKER_POST_CMD_TBL_CREATE, commands_loader=loader)
    finally:
        cli_ctx.invocation.commands_loader = running_loader
    _loaded[id(cli_ctx)] = loader, table
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


# ---------------------------------------------------------------- the requests each command sends

HTTP_METHODS = ('GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE')
_SDK_METHOD_PATTERNS = (
    re.compile(r'\bmethod\s*=\s*["\']([A-Za-z]+)["\']'),        # autorest track 2: HttpRequest(method="POST", ...)
    re.compile(r'\bself\._client\.(get|head|put|patch|post|delete)\('),  # msrest track 1: self._client.post(url...)
)
_SDK_URL_PATTERN = re.compile(r'["\'](/[^"\']*\{[^"\']*)["\']')
_SDK_BUILDER_CALL = re.compile(r'\b(build_\w+_request)\(')
_SDK_INITIAL_CALL = re.compile(r'\bself\.(_\w+_initial)\(')


def export_command_methods(cli_ctx):
    """The HTTP requests each command sends, from az's own code, for guard/method_classes.py:

        {"azVersion", "commandCount", "sources": {"aaz": n, "sdk": n, "rules": n},
         "commands": {name: ["POST StorageAccountsOperations.list_keys listKeys", ...]}}

    Each request is its method, its operation's name and the action: the last literal segment of its URL.

    An AAZ command from its operation classes (each has its method and URL template); a command bound to an
    SDK operation (``operations_tmpl``) from that operation's request builder. A custom function's requests
    cannot be read without running it: those commands are counted under ``rules`` (the guard's verb rules
    decide them) and left out."""
    from azure.cli.core import __version__ as az_version
    table = _full_command_table(cli_ctx)
    commands, sources = {}, {'aaz': 0, 'sdk': 0, 'rules': 0}
    for name in sorted(table):
        source, operations = _command_requests(table[name])
        sources[source if operations else 'rules'] += 1
        if operations:
            commands[name] = operations
    return {'azVersion': az_version, 'commandCount': len(table), 'sources': sources, 'commands': commands}


def _command_requests(command):
    """``(source, ["METHOD operation url", ...])``; an empty list when the requests cannot be read."""
    from azure.cli.core.aaz import AAZCommand
    if isinstance(command, AAZCommand):
        return 'aaz', _aaz_requests(type(command))
    operation = getattr(command.handler, '__self__', None)  # az's CommandOperation, bound as the handler
    paths = [getattr(operation, key, None) for key in ('op_path', 'getter_op_path', 'setter_op_path')]
    paths = [path for path in paths if isinstance(path, str)]
    if not paths or not all(_is_sdk_path(path) for path in paths):
        return 'sdk', []  # a custom function (or a custom setter) sends what only running it shows
    found = []
    for path in paths:
        try:
            requests = _sdk_requests(operation.get_op_handler(path))
        except (ValueError, ImportError):
            requests = []
        if not requests:
            return 'sdk', []  # a getter without its setter would say "read" for an update
        found.extend(request for request in requests if request not in found)
    return 'sdk', found


def _is_sdk_path(path):
    """An SDK operation (``azure.mgmt.storage.operations#StorageAccountsOperations.list_keys``), not a custom
    function of az or an extension, whose requests only running it would show."""
    module = path.split('#')[0]
    return '.operations' in module and 'command_modules' not in module and not module.startswith('azext')


def _aaz_requests(command_cls):
    """Every HTTP operation class nested in an AAZ command (inherited ones too): method, name, URL template."""
    from azure.cli.core.aaz import AAZHttpOperation
    from azext_tokenguard.guard.method_classes import last_literal_segment
    found = []
    for attribute in sorted(dir(command_cls)):
        value = getattr(command_cls, attribute, None)
        if not (isinstance(value, type) and issubclass(value, AAZHttpOperation)):
            continue
        method, url = _aaz_property(value, 'method'), _aaz_property(value, 'url')
        if isinstance(method, str) and method.upper() in HTTP_METHODS:
            found.append(f'{method.upper()} {attribute} {last_literal_segment(url)}')
    return found


class _UrlTemplate:  # pylint: disable=too-few-public-methods
    """Stands in for an AAZ operation instance: its ``url`` property returns the template, unformatted."""
    url_parameters = {}

    class client:  # pylint: disable=invalid-name,too-few-public-methods
        @staticmethod
        def format_url(template, **_parameters):
            return template


def _aaz_property(operation_cls, name):
    prop = getattr(operation_cls, name, None)
    try:
        return prop.fget(_UrlTemplate()) if isinstance(prop, property) else None
    except Exception:  # pylint: disable=broad-except
        return None  # a property that needs the running command's context: not a constant


def _sdk_requests(function):
    """An SDK operation's requests, from its request builder (``build_list_keys_request`` holds
    ``method="POST"``), or from ``self._client.post(...)`` in older SDKs; a ``begin_`` operation through its
    ``_..._initial`` method."""
    import inspect
    module = inspect.getmodule(function)
    owner = getattr(module, function.__qualname__.split('.')[0], None)
    sources = [_source(function)]
    sources += [_source(getattr(owner, initial, None)) for initial in _SDK_INITIAL_CALL.findall(sources[0])]
    found = []
    for text in sources:
        builders = [getattr(module, builder, None) for builder in _SDK_BUILDER_CALL.findall(text)]
        for body in [_source(builder) for builder in builders] or [text]:
            request = _request_in(body, function.__qualname__)
            if request and request not in found:
                found.append(request)
    return found


def _request_in(text, operation):
    from azext_tokenguard.guard.method_classes import last_literal_segment
    for pattern in _SDK_METHOD_PATTERNS:
        method = pattern.search(text)
        if method and method.group(1).upper() in HTTP_METHODS:
            url = _SDK_URL_PATTERN.search(text)
            return f'{method.group(1).upper()} {operation} {last_literal_segment(url.group(1) if url else "")}'
    return None


def _source(function):
    import inspect
    try:
        return inspect.getsource(function) if function is not None else ''
    except (OSError, TypeError):
        return ''


# Words that, in an option string or an argument's dest, say its value is a secret: az's own names
# (--admin-password, --client-secret, --sas-token, --federated-token, --connection-string, --account-key).
# Hiding a value that is not secret costs nothing; showing one that is cannot be taken back.
SECRET_NAME_WORDS = frozenset((
    'password', 'passwords', 'passwd', 'pwd', 'secret', 'secrets', 'token', 'tokens', 'sas', 'pat',
    'passphrase', 'credential', 'credentials', 'signature', 'connectionstring', 'sig'))
SECRET_LAST_WORDS = frozenset(('key', 'keys'))  # --account-key, --primary-key; not --key-name or --key-vault
# A last word that makes the value a reference to a secret, not the secret (--secret-name, --key-vault-secret-id,
# --token-type): shown, so that a confirmation still says which secret a command deletes.
REFERENCE_LAST_WORDS = frozenset(('name', 'names', 'id', 'ids', 'identifier', 'version', 'type', 'permissions'))
# Where a plain --value is the secret itself (keyvault secret set --value).
SECRET_VALUE_COMMAND_WORDS = frozenset(('secret', 'secrets', 'password', 'credential', 'key', 'keys'))
# The only option strings the guard's table can spell; a few authoring slips ('--id, --client-id') cannot be
# typed as one word anyway.
_OPTION_CHARACTERS = frozenset('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_')


def export_command_options(cli_ctx):
    """Every command's options as az's own parser has them, for guard/options.py (its docstring has the format):
    the option strings of each argparse action (hidden and deprecated ones too: argparse matches prefixes
    against all of them), how many values it takes, and whether they are secret, by az's metadata
    (``AAZPasswordArg``) or by name. About 15 s: the arguments of every command, then az's parser for them."""
    from azure.cli.core import __version__ as az_version
    from azext_tokenguard.guard.options import SPEC_SEPARATOR
    parsers = _command_parsers(cli_ctx)
    specs = {name: _action_specs(name, parser) for name, parser in sorted(parsers.items())}
    common = set.intersection(*(set(found) for found in specs.values())) if specs else set()
    by_group = {}
    for name, found in specs.items():
        first, _, rest = name.partition(' ')
        by_group.setdefault(first, {})[rest] = [text for text in found if text not in common]
    return {'azVersion': az_version, 'commandCount': len(specs), 'common': SPEC_SEPARATOR.join(sorted(common)),
            'groups': {first: _group_chunk(commands) for first, commands in by_group.items()}}


def _group_chunk(commands):
    """One group's text: its specs (most used first, so their indexes are short), then a line per command."""
    from azext_tokenguard.guard.options import SPEC_SEPARATOR
    counts = {}
    for found in commands.values():
        for text in found:
            counts[text] = counts.get(text, 0) + 1
    table = sorted(counts, key=lambda text: (-counts[text], text))
    index = {text: _base36(position) for position, text in enumerate(table)}
    lines = [rest + '\t' + ' '.join(index[text] for text in found) for rest, found in commands.items()]
    return '\n'.join([SPEC_SEPARATOR.join(table)] + lines)


def _command_parsers(cli_ctx):
    """{command name: its argparse parser}, built as knack's invocation builds az's parser (the global
    --output, --query, --debug... as a parent), for every command at once."""
    loader, _table = _commands_with_arguments(cli_ctx)
    global_parser = cli_ctx.parser_cls.create_global_parser(cli_ctx=cli_ctx)
    parser = cli_ctx.parser_cls(cli_ctx=cli_ctx, cli_help=cli_ctx.help_cls(cli_ctx=cli_ctx), prog=cli_ctx.name,
                                parents=[global_parser])
    parser.load_command_table(loader)
    return parser.subparser_map


def _action_specs(command, parser):
    """The encoded OptionSpec of every action of one command's parser, in the parser's order."""
    from azext_tokenguard.guard.options import OptionSpec
    found = []
    for action in parser._actions:  # pylint: disable=protected-access
        names = [name for name in action.option_strings if _typeable(name)]
        if names:
            nargs = _nargs_code(action.nargs)
            secret = nargs != '!' and _is_secret_action(command, action)
            found.append(OptionSpec(names, nargs, secret).encode())
    return found


def _typeable(option):
    return option.startswith('-') and len(option) > 1 and set(option) <= _OPTION_CHARACTERS and option[-1] != '-'


def _nargs_code(nargs):
    """guard/options.py's code for an argparse nargs: exactly one value, none, optional, one or more, any."""
    import argparse
    if nargs is None or nargs == 1:
        return ''
    if nargs == 0:
        return '!'
    if nargs in ('?', '+', '*'):
        return nargs
    return '*' if nargs in (argparse.REMAINDER, argparse.PARSER) else '+'  # a count above 1 takes several


def _is_secret_action(command, action):
    """az's own marker (an AAZ password argument), else a secret word in an option string or the dest."""
    from azure.cli.core.aaz import AAZPasswordArg
    if isinstance(getattr(action, '_schema', None), AAZPasswordArg):
        return True
    names = list(action.option_strings) + [str(action.dest or '')]
    if any(_names_a_secret(name) for name in names):
        return True
    command_words = set(command.replace('-', ' ').split())
    return '--value' in action.option_strings and bool(command_words & SECRET_VALUE_COMMAND_WORDS)


def _names_a_secret(name):
    words = [word for word in name.lower().replace('_', '-').split('-') if word]
    if not words or words[-1] in REFERENCE_LAST_WORDS:
        return False
    return (any(word in SECRET_NAME_WORDS for word in words) or 'connection-string' in '-'.join(words)
            or words[-1] in SECRET_LAST_WORDS)


def _base36(number):
    digits = '0123456789abcdefghijklmnopqrstuvwxyz'
    text = ''
    while True:
        number, digit = divmod(number, 36)
        text = digits[digit] + text
        if not number:
            return text


def describe_sources(sources):
    """One line: how many commands az's AAZ operations, SDK operations and the guard's own rules decide."""
    return (f"classes of {sources['aaz']} commands from their AAZ operations, {sources['sdk']} from the SDK "
            f"operation they bind; {sources['rules']} by the guard's rules (their requests are not in az's code)")


def write_export(document, path):
    """Write the export as stable, diff-friendly JSON, privately and atomically."""
    from azext_tokenguard.guard.az_files import write_private_file
    write_private_file(path, (json.dumps(document, indent=1, sort_keys=True) + '\n').encode('utf-8'))


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) not in (1, 2, 3, 4):
        sys.stderr.write('usage: python -m azext_tokenguard.guardcmd.command_table_export OUTPUT.json '
                         '[SUBSCRIPTION_OPTIONS.json [COMMAND_OPTIONS.json [COMMAND_METHODS.json]]]\n')
        return 2
    from azure.cli.core import get_default_cli
    cli_ctx = get_default_cli()
    if len(argv) >= 2:
        options = export_subscription_options(cli_ctx)
        write_export(options, argv[1])
        sys.stderr.write(f"{len(options['commands'])} commands without az's global --subscription -> {argv[1]}\n")
    if len(argv) >= 3:
        table = export_command_options(cli_ctx)
        write_export(table, argv[2])
        sys.stderr.write(f"options of {table['commandCount']} commands -> {argv[2]}\n")
    methods = export_command_methods(cli_ctx)
    if len(argv) == 4:
        write_export(methods, argv[3])
        sys.stderr.write(f"requests of {len(methods['commands'])} commands -> {argv[3]}\n")
    document = export_confirmation_commands(cli_ctx, methods)
    write_export(document, argv[0])
    sys.stderr.write(describe_sources(methods['sources']) + '\n')
    sys.stderr.write(f"{len(document['destructive'])} commands az asks to confirm (az {document['azVersion']}) "
                     f"-> {argv[0]}\n")
    return 0


if __name__ == '__main__':
    sys.exit(main())
