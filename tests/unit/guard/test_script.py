"""split_script: every az invocation in a shell script, with the line it starts on."""
import pytest

from azext_tokenguard.guard.classify import split_script
from azext_tokenguard.guard.classify import classify_command_text, classify_script
from azext_tokenguard.guard.script import starts_with_az

SCRIPT = r'''#!/bin/bash
set -euo pipefail
# az group delete -n only-a-comment
RG=$(az group show -n rg1 --query id -o tsv)
az group create -n "my rg" -l westeurope \
   --tags "a=b c" && az vm list | jq . ; az account show 2>/dev/null
echo "az group delete -n just-text"
x="$(az account show --query "[?name=='x']" -o tsv)"
cat <<EOF
az group delete -n inside-a-heredoc
EOF
if az group exists -n rg; then sudo -E az group delete -n rg --yes; fi
FOO=1 /usr/bin/az rest -m DELETE --url '/subscriptions/x'
`az version`
az storage blob upload --file @file.txt --query 'a
b'
az keyvault purge -n kv # trailing comment
command -v az >/dev/null
for g in $(az group list --query '[].name' -o tsv); do az group delete -n "$g"; done
'''


def test_finds_every_invocation_with_its_line():
    assert split_script(SCRIPT) == [
        (4, ['group', 'show', '-n', 'rg1', '--query', 'id', '-o', 'tsv']),
        (5, ['group', 'create', '-n', 'my rg', '-l', 'westeurope', '--tags', 'a=b c']),
        (6, ['vm', 'list']),
        (6, ['account', 'show']),
        (8, ['account', 'show', '--query', "[?name=='x']", '-o', 'tsv']),
        (12, ['group', 'exists', '-n', 'rg']),
        (12, ['group', 'delete', '-n', 'rg', '--yes']),
        (13, ['rest', '-m', 'DELETE', '--url', '/subscriptions/x']),
        (14, ['version']),
        (14, ['$(...)']),  # what `az version` prints is run as a command: a call that cannot be read
        (15, ['storage', 'blob', 'upload', '--file', '@file.txt', '--query', 'a\nb']),
        (17, ['keyvault', 'purge', '-n', 'kv']),
        (19, ['group', 'list', '--query', '[].name', '-o', 'tsv']),
        (19, ['group', 'delete', '-n', '$g']),
    ]


def test_continuation_lines_report_the_first_line():
    script = 'echo start\naz group delete \\\n  -n rg1 \\\n  --yes\naz group list\n'
    assert split_script(script) == [(2, ['group', 'delete', '-n', 'rg1', '--yes']), (5, ['group', 'list'])]


def test_separators():
    script = 'az a b; az c d && az e || az f | az g & az h\n'
    assert [argv[0] for _line, argv in split_script(script)] == ['a', 'c', 'e', 'f', 'g', 'h']


def test_quoting_and_escapes():
    script = "az x --query \"a \\\"b\\\" c\" $'tab\\there' 'it''s' plain\\ space\n"
    assert split_script(script) == [(1, ['x', '--query', 'a "b" c', 'tab\there', 'its', 'plain space'])]


def test_redirections_are_not_arguments():
    script = 'az account clear 2>/dev/null\naz group list >out.json 2>&1 </dev/null\n'
    assert split_script(script) == [(1, ['account', 'clear']), (2, ['group', 'list'])]


def test_heredoc_bodies_are_skipped():
    script = 'cat <<-EOF >x\n\taz group delete -n a\n\tEOF\naz group list\ncat <<\'END\'\naz vm delete\nEND\n'
    assert split_script(script) == [(4, ['group', 'list'])]


def test_nested_substitutions_and_backticks():
    script = 'echo "$(echo $(az group list))" `az vm list`\n'
    assert sorted(argv[0] for _line, argv in split_script(script)) == ['group', 'vm']


def test_crlf_and_not_az():
    script = 'azure group delete\r\naz-cli x\r\nmyaz y\r\naz group list\r\n'
    assert split_script(script) == [(4, ['group', 'list'])]


@pytest.mark.parametrize('text', ['az "unterminated', "az 'open", 'az $(group', 'az ${x', '\\', 'az `x',
                                  '$(' * 500, '"' * 1001, '\x00az\x00', ''])
def test_malformed_input_ends_without_error(text):
    split_script(text)


def test_rejects_non_text():
    with pytest.raises(TypeError):
        split_script(b'az group list')


def test_starts_with_az():
    assert starts_with_az('az group list') and starts_with_az('RG=1 sudo az group list')
    assert not starts_with_az('group delete -n "a b"') and not starts_with_az('echo $(az group list)')
    assert not starts_with_az('   ')


NESTED = [
    'resource delete --ids $(az resource show -g rg -n x --query id -o tsv)',
    'resource delete --ids "$(az resource show -g rg -n x --query id -o tsv)"',
    'group delete -n `az group show -n y --query name -o tsv`',
    'vm delete --ids $(az vm list --query "[].id" -o tsv | head -1)',
    'group delete -n $(echo $(az group list --query [0].name -o tsv))',
    'group list; az group delete -n x',
    'group update -n x --set tags.a=$(az account show --query id -o tsv) && az group delete -n x',
]


@pytest.mark.parametrize("text", NESTED)
def test_classify_command_and_file_agree_on_nested_calls(text):
    """The outer command is an az call too: --command must not lose it to the one inside $(...)."""
    from_command = [(e["command"], e["class"]) for e in classify_command_text(text)]
    from_file = [(e["command"], e["class"]) for e in classify_script("az " + text)]
    assert from_command == from_file
    assert "destructive" in [kind for _command, kind in from_command]


UNREADABLE = [
    ('A=az; TOKENGUARD_GUARDED=1 $A group delete -n rg1 --yes', 'variable or a command substitution'),
    ('${AZ} group delete -n rg1', 'variable or a command substitution'),
    ('"$(echo az)" group delete -n rg1', 'variable or a command substitution'),
    ('`echo az` group delete -n rg1', 'variable or a command substitution'),
    ('eval "az group delete -n rg1"', 'eval runs the text'),
    ('eval "$CMD"', 'eval runs the text'),
    ('\\az group delete -n rg1', 'quotes or a backslash'),
    ('"az" group delete -n rg1', 'quotes or a backslash'),
    ("'a'z group delete -n rg1", 'quotes or a backslash'),
    ('"/usr/bin/az" group delete -n rg1', 'quotes or a backslash'),
    ('/usr/bin/a? group delete -n rg1', 'pattern'),
    ('a{z,} group delete -n rg1', 'pattern'),
    ('bash -c "az group delete -n rg1"', 'bash runs the text'),
    ('find . -name x -exec az group delete -n {} \\;', 'find runs the text'),
    ("alias d='az group delete -n rg1 --yes'", 'alias runs the text'),
    ('env -u HOME az group delete -n rg1', 'after env'),
    ('sudo -u bob az group delete -n rg1', 'after sudo'),
    ('xargs -n 1 az group delete -n', 'after xargs'),
    ('az $VERB -n rg1', 'an az command word comes from a variable'),
    ('az group "$ACTION" -n rg1', 'an az command word comes from a variable'),
    ('f() { az "$@"; }; f group delete -n rg1', 'an az command word comes from a variable'),
]


@pytest.mark.parametrize('text, why', UNREADABLE)
def test_a_call_that_may_run_az_but_cannot_be_read_is_unknown(text, why):
    from azext_tokenguard.guard.script import UnknownCall
    calls = [argv for _line, argv in split_script(text) if isinstance(argv, UnknownCall)]
    assert len(calls) == 1 and why in calls[0].why


@pytest.mark.parametrize('text, expected', [
    ('echo az; grep -q az f', []),
    ('python3 x.py "$ARG"', []),
    ('"./deploy.sh" --env prod', []),
    ('sudo -E az group list', [['group', 'list']]),
    ('command az group list', [['group', 'list']]),
    ('RG=x exec az group show -n "$RG"', [['group', 'show', '-n', '$RG']]),
    ('function f { az group delete -n rg1; }', [['group', 'delete', '-n', 'rg1']]),
    ('eval "$(az tokenguard use --subscription dev)"', [['tokenguard', 'use', '--subscription', 'dev']]),
    ('eval "$(az tokenguard shell-init --shell bash)"', [['tokenguard', 'shell-init', '--shell', 'bash']]),
])
def test_what_can_be_read_is_read(text, expected):
    from azext_tokenguard.guard.script import UnknownCall
    found = [argv for _line, argv in split_script(text)]
    assert found == expected and not any(isinstance(argv, UnknownCall) for argv in found)


def test_eval_of_anything_but_tokenguards_shell_code_is_unknown():
    from azext_tokenguard.guard.script import UnknownCall
    found = [argv for _line, argv in split_script('eval "$(az group list --query x -o tsv)"')]
    assert found[0] == ['group', 'list', '--query', 'x', '-o', 'tsv'] and isinstance(found[1], UnknownCall)


def test_command_text_without_az_is_not_prefixed_when_it_starts_with_an_assignment():
    text = 'A=az; $A group delete -n rg1 --yes'
    assert [entry['class'] for entry in classify_command_text(text)] == ['unknown']
    assert [entry['class'] for entry in classify_command_text('group delete -n rg1')] == ['destructive']
