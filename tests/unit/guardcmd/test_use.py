"""`az tokenguard use` without az: the shell code it prints for each choice, and what it leaves alone."""
import json
import subprocess
from pathlib import Path

import pytest

from azext_tokenguard.guard.errors import ConflictingArgumentsError, MissingArgumentError
from azext_tokenguard.guardcmd.use import UseError, picker_rows, shell_selection, use
from tests.unit.guard.test_selection import CONTOSO, DEV, FABRIKAM, PROD, SANDBOX, entry, write_profile

SELECTED_PROD = {'TOKENGUARD_SUBSCRIPTION': PROD, 'TOKENGUARD_TENANT': CONTOSO, 'ARM_SUBSCRIPTION_ID': PROD,
                 'AZURE_SUBSCRIPTION_ID': PROD, 'ARM_TENANT_ID': CONTOSO, 'AZURE_TENANT_ID': CONTOSO}


@pytest.fixture
def config_dir(tmp_path):
    write_profile(tmp_path, [entry(DEV, 'dev', default=True), entry(PROD, 'prod'),
                             entry(SANDBOX, 'sandbox', tenant=FABRIKAM)])
    return str(tmp_path)


def applied(code, env=None, shell='bash'):
    """The environment after a shell evaluates ``code`` in ``env``: what the user's shell gets."""
    argv = ['fish', '--no-config', '-c'] if shell == 'fish' else [shell, '-c']
    result = subprocess.run(argv + [code + '\nenv'], env=env or {}, capture_output=True, text=True, check=True)
    return dict(line.split('=', 1) for line in result.stdout.splitlines()
                if line.startswith(('TOKENGUARD_', 'ARM_', 'AZURE_')))


def test_a_name_is_selected_by_id_with_its_tenant_and_the_exports(config_dir):
    choice = use({}, config_dir, subscription='PROD')
    assert applied(choice.code) == {**SELECTED_PROD, 'TOKENGUARD_PREVIOUS_SUBSCRIPTION': '',
                                    'TOKENGUARD_PREVIOUS_TENANT': ''}
    assert 'prod' in choice.notes[0] and "az's default and other shells are unchanged" in choice.notes[0]


@pytest.mark.parametrize('shell', ['zsh', 'fish'])
def test_the_code_is_the_same_in_zsh_and_fish(config_dir, shell):
    assert applied(use({}, config_dir, subscription='prod', shell=shell).code, shell=shell) == applied(
        use({}, config_dir, subscription='prod').code)


def test_no_export_sets_only_the_selection(config_dir):
    env = applied(use({}, config_dir, subscription='prod', no_export=True).code)
    assert set(env) == {'TOKENGUARD_SUBSCRIPTION', 'TOKENGUARD_TENANT', 'TOKENGUARD_PREVIOUS_SUBSCRIPTION',
                        'TOKENGUARD_PREVIOUS_TENANT'}


def test_switching_with_no_export_unsets_what_the_previous_use_exported(config_dir):
    env = applied(use(SELECTED_PROD, config_dir, subscription='sandbox', no_export=True).code, SELECTED_PROD)
    assert env['TOKENGUARD_SUBSCRIPTION'] == SANDBOX and 'ARM_SUBSCRIPTION_ID' not in env


def test_previous_goes_back_and_forth(config_dir):
    after_prod = applied(use({}, config_dir, subscription='prod').code)
    after_sandbox = applied(use(after_prod, config_dir, subscription='sandbox').code, after_prod)
    back = applied(use(after_sandbox, config_dir, previous=True).code, after_sandbox)
    assert back['TOKENGUARD_SUBSCRIPTION'] == PROD and back['ARM_TENANT_ID'] == CONTOSO
    assert back['TOKENGUARD_PREVIOUS_SUBSCRIPTION'] == SANDBOX
    assert applied(use(back, config_dir, previous=True).code, back)['TOKENGUARD_SUBSCRIPTION'] == SANDBOX


def test_clear_returns_to_the_default_and_previous_goes_back_from_there(config_dir):
    cleared = applied(use(SELECTED_PROD, config_dir, clear=True).code, SELECTED_PROD)
    assert cleared == {'TOKENGUARD_PREVIOUS_SUBSCRIPTION': PROD, 'TOKENGUARD_PREVIOUS_TENANT': CONTOSO}
    assert applied(use(cleared, config_dir, previous=True).code, cleared)['TOKENGUARD_SUBSCRIPTION'] == PROD
    back_to_default = applied(use(SELECTED_PROD | {'TOKENGUARD_PREVIOUS_SUBSCRIPTION': '',
                                                   'TOKENGUARD_PREVIOUS_TENANT': ''}, config_dir, previous=True).code,
                              SELECTED_PROD)
    assert 'TOKENGUARD_SUBSCRIPTION' not in back_to_default and 'AZURE_TENANT_ID' not in back_to_default


def test_previous_without_one_is_an_error(config_dir):
    with pytest.raises(UseError, match='no previous selection'):
        use({}, config_dir, previous=True)


def test_an_unknown_name_changes_nothing(config_dir):
    with pytest.raises(UseError, match="Nothing changed: subscription 'nosuch' is not in azureProfile.json"):
        use(SELECTED_PROD, config_dir, subscription='nosuch')


def test_variables_set_by_someone_else_are_left_alone_with_a_warning(config_dir):
    mine = {'ARM_SUBSCRIPTION_ID': DEV, 'AZURE_CLIENT_ID': 'app'}
    choice = use(mine, config_dir, subscription='sandbox')
    env = applied(choice.code, mine)
    assert env['ARM_SUBSCRIPTION_ID'] == DEV and env['AZURE_SUBSCRIPTION_ID'] == SANDBOX
    assert env['ARM_TENANT_ID'] == FABRIKAM and 'AZURE_TENANT_ID' not in env  # it would complete a sign-in
    assert any('ARM_SUBSCRIPTION_ID is already set' in note for note in choice.notes)
    assert any('AZURE_TENANT_ID was not set: AZURE_CLIENT_ID is set' in note for note in choice.notes)
    cleared = applied(use(env, config_dir, clear=True).code, env)
    assert cleared['ARM_SUBSCRIPTION_ID'] == DEV and 'AZURE_SUBSCRIPTION_ID' not in cleared


def test_a_tenant_selects_its_only_subscription_or_the_picker_chooses(config_dir):
    assert use({}, config_dir, tenant='fabrikam.com').entry['id'] == SANDBOX
    assert use({}, config_dir, tenant='Contoso').entry['id'] == DEV  # az's default is in that tenant
    write_profile(Path(config_dir), [
        entry(DEV, 'dev', default=True), entry(PROD, 'prod', tenant=FABRIKAM), entry(SANDBOX, 'sandbox', FABRIKAM)])
    with pytest.raises(UseError, match='has 2 subscriptions'):
        use({}, config_dir, tenant=FABRIKAM)
    seen = []
    choice = use({}, config_dir, tenant=FABRIKAM, choose=lambda rows, default: seen.append(rows) or 1)
    assert choice.entry['id'] == SANDBOX and [row.split()[0] for row in seen[0]] == ['prod', 'sandbox']


def test_the_picker_lists_by_name_and_offers_the_current_choice(config_dir):
    offered = []

    def choose(rows, default_index):
        offered.append((rows, default_index))
        return default_index
    assert use({'TOKENGUARD_SUBSCRIPTION': PROD}, config_dir, choose=choose).entry['id'] == PROD
    rows, default_index = offered[0]
    assert [row.split()[0] for row in rows] == ['dev', 'prod', 'sandbox'] and default_index == 1
    assert use({}, config_dir, choose=choose).entry['id'] == DEV  # no selection: az's default first


def test_no_terminal_no_picker(config_dir):
    with pytest.raises(MissingArgumentError, match='No terminal'):
        use({}, config_dir)


@pytest.mark.parametrize('kwargs', [{'previous': True, 'clear': True}, {'clear': True, 'subscription': 'dev'},
                                    {'previous': True, 'tenant': 'x'}])
def test_conflicting_arguments(config_dir, kwargs):
    with pytest.raises(ConflictingArgumentsError):
        use({}, config_dir, **kwargs)


def test_a_value_with_control_characters_is_refused(config_dir):
    with pytest.raises(UseError, match='printable'):
        use({}, config_dir, subscription='prod\n; rm -rf ~')


def test_shell_quoting_survives_hostile_names(tmp_path):
    write_profile(tmp_path, [entry("0000'; touch pwned; '", "x", default=True)])
    env = applied(use({}, str(tmp_path), subscription='x').code)
    assert env['TOKENGUARD_SUBSCRIPTION'] == "0000'; touch pwned; '"
    assert not (tmp_path / 'pwned').exists()


def test_shell_selection_for_status(config_dir):
    assert shell_selection({}, config_dir) == (None, None)
    selected, selection = shell_selection({'TOKENGUARD_SUBSCRIPTION': 'prod'}, config_dir)
    assert selected == PROD and selection['scope'] == 'this shell' and selection['azDefault'].startswith('dev')


def test_picker_rows_are_aligned():
    ordered, rows = picker_rows([entry(PROD, 'prod'), entry(DEV, 'a-much-longer-name')])
    assert [s['id'] for s in ordered] == [DEV, PROD]
    assert rows[0].index(DEV) == rows[1].index(PROD)


def test_the_profile_must_exist(tmp_path):
    from azext_tokenguard.guard.errors import NotSignedInError
    with pytest.raises(NotSignedInError, match='az login'):
        use({}, str(tmp_path), subscription='x')


def test_json_of_code_is_plain_text(config_dir):
    assert json.dumps(use({}, config_dir, subscription='dev').code)  # a str, for -o json and tsv alike


def test_picker_rows_carry_no_terminal_escape():
    _ordered, rows = picker_rows([entry(PROD, 'prod\x1b]0;owned\x07\x1b[2J')])
    assert rows[0].startswith('prod?]0;owned??[2J') and rows[0].isprintable()
