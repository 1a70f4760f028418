"""Typed command results and their one conversion to JSON, in az's camelCase. Pure: no azure.cli imports.

A command builds its result as dataclasses; ``to_json`` turns it into plain dicts and lists once, on its way
out of the command (``az_command.az_command``). A field's name becomes its camelCase key (``files_seen`` ->
``filesSeen``); ``key("expires_on")`` keeps a key az itself spells otherwise, and ``optional()`` leaves a field
out while it is None. Plain dicts inside a result are data (a token's claims, a cleanup plan's entries) and keep
their keys as they are.
"""
import dataclasses
from collections import OrderedDict

_JSON_KEY = "tokenguard.json_key"
_OMIT_NONE = "tokenguard.omit_none"


def key(name, **field_options):
    """A field whose JSON key is ``name`` as written (az's own ``expires_on``, say)."""
    # pylint: disable=invalid-field-call  # a helper for dataclass bodies: it is called inside them
    return dataclasses.field(metadata={_JSON_KEY: name}, **field_options)


def optional(default=None):
    """A field left out of the JSON while it is None (az's output has no such key then either)."""
    # pylint: disable=invalid-field-call  # a helper for dataclass bodies: it is called inside them
    return dataclasses.field(default=default, metadata={_OMIT_NONE: True})


def camel_case(name):
    """``files_seen`` -> ``filesSeen``; a name without underscores stays as it is."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def to_json(value):
    """``value`` with every dataclass in it turned into a dict with camelCase keys, and tuples into lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.metadata.get(_JSON_KEY) or camel_case(field.name): to_json(getattr(value, field.name))
                for field in dataclasses.fields(value)
                if not (field.metadata.get(_OMIT_NONE) and getattr(value, field.name) is None)}
    if isinstance(value, dict):
        kind = OrderedDict if isinstance(value, OrderedDict) else dict  # -o tsv keeps an OrderedDict's order
        return kind((name, to_json(item)) for name, item in value.items())
    if isinstance(value, (list, tuple)):
        return [to_json(item) for item in value]
    return value
