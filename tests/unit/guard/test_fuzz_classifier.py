"""Fuzzing the classifier (the guard's decision before every az command) and its script splitter
(`az tokenguard classify --file/--command`): any argv or text gives destructive/write/read with a reason,
never an exception, in bounded time, also for megabytes and 100000-deep nesting."""
import json
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from azext_tokenguard.guard import classify, script
from tests.unit.fuzz_support import JSONISH, MANY, SOME, ScratchDir, count, json_bytes, nasty_bytes

ARGV_PARSER = "classifier (argv)"
SCRIPT_PARSER = "classifier (scripts)"
AZ_WORDS = ["az", "group", "delete", "rest", "--method", "DELETE", "-m", "--mode", "Complete", "deployment",
            "create", "stack", "sub", "--action-on-unmanage", "deleteAll", "--delete-destination", "false", "--ids",
            "-h", "--help", "@file", "--query", "=", "--yes", "--debug", "account", "clear", "set", "tokenguard",
            "storage", "blob", "sync", "--subscription", "-", "--", "keyvault", "purge", "role", "assignment"]
# argv as the shell hands it over: any text, also undecodable bytes (surrogateescape) and NULs.
ARG = st.one_of(st.sampled_from(AZ_WORDS), st.text(max_size=15),
                st.binary(max_size=12).map(lambda b: b.decode("utf-8", "surrogateescape")),
                st.text(alphabet="=-@\x00 \n\t'\"", max_size=6))
SHELL_PIECES = ["az ", "az", " ", "\n", "\\\n", "\\", "'", '"', "$'", "$(", ")", "$((", "))", "${", "}", "`", "#",
                ";", "&&", "||", "|", "&", "(", "<<EOF\n", "<<-'X'\n", "EOF\n", "\tX\n", "2>", ">", "<", "&>",
                "sudo ", "FOO=1 ", "timeout 5 ", "command -v ", "group delete -n rg ", "rest -m delete ",
                "--mode Complete ", "if ", "then ", "fi", "\r\n", "\x00", "\u00a0", "\x1c", "é", "\ud800"]
SCRIPTS = st.one_of(
    st.text(max_size=600),
    st.lists(st.sampled_from(SHELL_PIECES) | st.text(max_size=5), max_size=60).map("".join),
    st.text(alphabet="az $()`'\"\\\n#;&|<>{}-=E", max_size=400),
)


def check_entries(entries, with_line):
    for entry in entries:
        assert entry["class"] in classify.CLASSES + (classify.UNKNOWN,)
        assert isinstance(entry["reason"], str) and entry["reason"]
        # an az call starts with az; a call that cannot be read is shown as written (`$A group delete ...`)
        assert isinstance(entry["command"], str) and (entry["command"].startswith("az")
                                                      or entry["class"] == classify.UNKNOWN)
        assert not with_line or (isinstance(entry["line"], int) and entry["line"] >= 1)
    json.dumps(entries)


@MANY
@given(st.lists(ARG, max_size=12))
def test_any_argv_gets_a_class_and_a_reason(argv):
    count(ARGV_PARSER)
    result = classify.classify_words(argv)
    assert result.kind in classify.CLASSES and isinstance(result.reason, str) and result.reason
    check_entries([classify.classify_to_dict(argv)], with_line=False)


@MANY
@given(SCRIPTS)
def test_any_script_text_splits_and_classifies(text):
    count(SCRIPT_PARSER)
    found = script.split_script(text)
    lines = text.replace("\r\n", "\n").count("\n") + 1
    for line, argv in found:
        assert 1 <= line <= lines and all(isinstance(word, str) for word in argv)
    check_entries(classify.classify_script(text), with_line=True)
    check_entries(classify.classify_command_text(text), with_line=False)


@SOME
@given(nasty_bytes(st.fixed_dictionaries({"destructive": st.lists(st.text(max_size=20) | JSONISH, max_size=4)})))
def test_any_user_command_table_is_read_or_ignored(data):
    count(ARGV_PARSER)
    with ScratchDir() as scratch:
        scratch.write(os.path.join(classify.USER_DATA_SUBDIR, classify.DATA_FILE_NAME), data)
        names = classify.load_confirm_commands(scratch.path)
        entries = classify.classify_script("az group delete -n rg\naz vm list\n", scratch.path)
    assert classify.load_confirm_commands() <= names
    check_entries(entries, with_line=True)
    assert entries[0]["class"] == "destructive"


def test_a_user_command_table_over_the_cap_is_ignored(tmp_path):
    count(ARGV_PARSER)
    path = tmp_path / classify.USER_DATA_SUBDIR / classify.DATA_FILE_NAME
    path.parent.mkdir()
    path.write_bytes(json_bytes({"destructive": ["vm list"] * (classify.MAX_DATA_BYTES // 10 + 1)}))
    assert "vm list" not in classify.load_confirm_commands(str(tmp_path))


def test_script_text_must_be_text():
    count(SCRIPT_PARSER)
    with pytest.raises(TypeError):
        script.split_script(b"az group delete")


# Built once, by repetition: megabytes, 100000-deep nesting, unterminated everything.
HUGE_SCRIPTS = {
    "20000 continued deletes": "az group delete -n rg1 \\\n  --yes\n" * 20_000 + "echo 'unterminated\n",
    "5 MB of one line": "az vm list " + "x" * 5_000_000,
    "nested $(": "az $(" * 100_000,
    "nested $( closed": "az $(" * 100_000 + ")" * 100_000,
    "nested backticks": "az `" * 100_000,
    "nested quoted $(": 'az "$(' * 100_000,
    "nested parentheses": "az group delete $(" + "(" * 100_000 + ")" * 100_000 + ")",
    "unclosed ${": "az ${" * 100_000,
    "unclosed $((": "az $((" * 100_000,
    "unclosed quotes": "az '" + "x" * 1_000_000,
    "heredocs": "az vm list <<EOF\n" * 50_000,
    "backslashes": "az " + "\\" * 1_000_001,
    "ansi-c quotes": "az $'" + "\\n" * 500_000,
    "comments": "#" * 1_000_000 + "\naz group delete -n x",
    "NUL bytes": "az group delete " + "\x00" * 1_000_000,
}


@settings(max_examples=len(HUGE_SCRIPTS), deadline=5000)
@given(st.sampled_from(sorted(HUGE_SCRIPTS)))
def test_huge_and_deeply_nested_scripts_split_in_bounded_time(name):
    count(SCRIPT_PARSER)
    found = script.split_script(HUGE_SCRIPTS[name])
    assert found, name  # every one of them starts with an az call
    assert all(isinstance(word, str) for _line, argv in found for word in argv)


def test_a_huge_script_classifies_every_call():
    count(SCRIPT_PARSER)
    entries = classify.classify_script(HUGE_SCRIPTS["20000 continued deletes"])
    assert len(entries) == 20_000 and {e["class"] for e in entries} == {"destructive"}


@settings(max_examples=4, deadline=5000)
@given(st.sampled_from([["group", "delete"] + ["-n"] * 200_000, ["rest", "--method"] * 100_000,
                        ["x" * 5_000_000], ["--ids"] + ["/subscriptions/x"] * 100_000]))
def test_huge_argv_classifies_in_bounded_time(argv):
    count(ARGV_PARSER)
    assert classify.classify_words(argv).kind in classify.CLASSES
