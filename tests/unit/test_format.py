"""Table and tsv output never carries a control character to the terminal."""
from collections import OrderedDict
from types import SimpleNamespace

import pytest

from azext_tokenguard import _format

ESCAPE = "\x1b]0;owned\x07\x1b[2J"


def test_printable_replaces_every_control_character_in_keys_and_values():
    result = _format.printable({f"k{ESCAPE}": [f"a{ESCAPE}b", "tab\there", "line\nbreak", "\x9b31m", "é ok"],
                                "n": 3, "flag": True, "none": None})
    assert result == {"k?]0;owned??[2J": ["a?]0;owned??[2Jb", "tab?here", "line?break", "?31m", "é ok"],
                      "n": 3, "flag": True, "none": None}


def test_printable_keeps_the_order_of_an_ordered_dict():
    ordered = OrderedDict([("z", "1"), ("a", f"2{ESCAPE}")])
    result = _format.printable(ordered)
    assert isinstance(result, OrderedDict) and list(result) == ["z", "a"] and result["a"] == "2?]0;owned??[2J"


@pytest.mark.parametrize("transformer, result", [
    (_format.scan_table, {"findings": [{"severity": "high", "id": "TG012", "path": f"/home/m/{ESCAPE}",
                                        "message": ESCAPE, "fix": ESCAPE}]}),
    (_format.classify_table, [{"line": 1, "class": "destructive", "command": f"az group delete -n {ESCAPE}",
                               "reason": "r"}]),
    (_format.audit_table, [{"time": "t", "decision": "refused", "how": "no terminal", "subscription": ESCAPE,
                            "command": f"az {ESCAPE}"}]),
    (_format.decode_table, {"claims": {ESCAPE: ESCAPE}, "times": {}, "warnings": [ESCAPE]}),
])
def test_every_table_transformer_gives_printable_rows(transformer, result):
    rows = transformer(result)
    assert rows and all(str(cell).isprintable() for row in rows for pair in row.items() for cell in pair)


def _invocation(command, output):
    return SimpleNamespace(data={"command": command}, invocation=SimpleNamespace(data={"output": output}))


@pytest.mark.parametrize("command, output, cleaned", [
    ("tokenguard scan", "tsv", True),
    ("tokenguard audit show", "table", True),  # also with --query, which skips the transformer
    ("tokenguard scan", "json", False),        # JSON escapes control characters itself, and stays exact
    ("tokenguard shell-init", "tsv", False),   # shell code for eval: its newlines are meant
    ("tokenguard pin", "tsv", False),
    ("group list", "tsv", False),              # not ours
])
def test_the_filter_cleans_tokenguard_table_and_tsv_output_only(command, output, cleaned):
    event_data = {"result": [{"path": ESCAPE}]}
    _format.clean_for_terminal(_invocation(command, output), event_data=event_data)
    assert (event_data["result"] == [{"path": "?]0;owned??[2J"}]) is cleaned
