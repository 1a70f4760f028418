"""The shell's selection (az tokenguard use): what the guard steers, keeps and refuses, from the profile and
az's command table, without az. The end-to-end truth is tests/e2e/test_use.py."""
import json

import pytest

from azext_tokenguard.guard import selection as sel
from azext_tokenguard.guard.exitcodes import ExitCode
from azext_tokenguard.guard.invocation import UNKNOWN_VALUE
from azext_tokenguard.guard.main import main
from azext_tokenguard.guard.prompt import main as prompt_main
from tests.unit.guard.parsed import as_written

CONTOSO, FABRIKAM = 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa', 'bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb'
DEV, PROD, SANDBOX = ('11111111-1111-1111-1111-111111111111', '22222222-2222-2222-2222-222222222222',
                      '33333333-3333-3333-3333-333333333333')
ALICE = {'name': 'alice@contoso.com', 'type': 'user'}
BOT = {'name': '5a1b2c3d-0000-4000-8000-00000000d3b0', 'type': 'servicePrincipal'}


def entry(sub_id, name, tenant=CONTOSO, default=False, user=None):
    return {'id': sub_id, 'name': name, 'isDefault': default, 'tenantId': tenant, 'environmentName': 'AzureCloud',
            'tenantDisplayName': 'Contoso' if tenant == CONTOSO else 'Fabrikam',
            'tenantDefaultDomain': 'contoso.com' if tenant == CONTOSO else 'fabrikam.com', 'user': user or ALICE}


def write_profile(config_dir, subscriptions):
    (config_dir / 'azureProfile.json').write_text(json.dumps({'subscriptions': subscriptions}))


@pytest.fixture
def config_dir(tmp_path):
    write_profile(tmp_path, [entry(DEV, 'dev', default=True), entry(PROD, 'prod'),
                             entry(SANDBOX, 'sandbox', tenant=FABRIKAM)])
    return tmp_path


def steering_env(**selection):
    env = {sel.STEERING_ENV: '1'}
    env.update({sel.SUBSCRIPTION_ENV: selection.get('subscription', ''), sel.TENANT_ENV: selection.get('tenant', '')})
    return env


def plan(config_dir, argv, **selection):
    from azext_tokenguard.guard.classify import command_path
    return sel.plan(as_written(argv), ' '.join(command_path(argv)), steering_env(**selection), str(config_dir),
                    context_free=argv[0] in ('login', 'tokenguard', 'config'))


def rid(subscription):
    return f'/subscriptions/{subscription}/resourceGroups/rg1/providers/Microsoft.Web/sites/w1'


# ------------------------------------------------------------------ steering

@pytest.mark.parametrize('argv', [
    ['group', 'list'], ['group', 'delete', '-n', 'rg1', '--yes'], ['deployment', 'sub', 'create', '-l', 'x'],
    ['account', 'show'], ['account', 'get-access-token'], ['rest', '--url', '/subscriptions/{subscriptionId}/x'],
    ['storage', 'account', 'list', '--query', '[].name'],
])
def test_commands_that_take_subscription_are_steered_to_the_selected_id(config_dir, argv):
    result = plan(config_dir, argv, subscription='prod')
    assert (result.action, result.subscription_id, result.note) == (sel.STEER, PROD, 'this shell')


def test_a_name_in_the_variable_steers_by_the_id_it_has_now(config_dir):
    assert plan(config_dir, ['group', 'list'], subscription='PROD').subscription_id == PROD


@pytest.mark.parametrize('argv', [
    ['group', 'list', '--subscription', 'dev'], ['group', 'list', '--subscr=dev'], ['account', 'show', '-n', 'dev'],
    ['account', 'get-access-token', '--tenant', CONTOSO], ['account', 'get-access-token', '-s', 'dev'],
])
def test_a_command_that_names_its_own_target_is_kept(config_dir, argv):
    result = plan(config_dir, argv, subscription='prod')
    assert result.action == sel.KEEP and 'this shell: prod' in result.note


def test_naming_the_selected_subscription_itself_is_marked_as_this_shells(config_dir):
    result = plan(config_dir, ['group', 'list', '--subscription', PROD], subscription='prod')
    assert (result.action, result.note) == (sel.KEEP, 'this shell')


@pytest.mark.parametrize('argv', [
    ['login'], ['tokenguard', 'use', '--clear'], ['config', 'set', 'core.x=y'], ['account', 'list'],
    ['account', 'set', '-s', 'dev'], ['account', 'clear'], ['group'], ['account', 'management-group'], [],
])
def test_commands_that_land_nowhere_are_left_alone(config_dir, argv):
    assert plan(config_dir, argv or ['--version'], subscription='prod').action == sel.NONE


def test_no_selection_no_plan(config_dir):
    assert plan(config_dir, ['group', 'list']) is sel.NO_PLAN


def test_an_old_shell_function_cannot_steer_and_is_refused(config_dir):
    env = {sel.SUBSCRIPTION_ENV: PROD}  # no TOKENGUARD_STEERING: a function from before this feature
    result = sel.plan(as_written(['group', 'list']), 'group list', env, str(config_dir), context_free=False)
    assert result.action == sel.REFUSE and 'shell-init' in result.message


def test_steered_argv_adds_the_option_before_a_double_dash():
    assert as_written(['group', 'list']).with_subscription(PROD).words == ('group', 'list', '--subscription', PROD)
    assert as_written(['x', 'exec', '--', 'ls', '--']).with_subscription(PROD).typed == (
        'x', 'exec', '--subscription', PROD, '--', 'ls', '--')


# ------------------------------------------------------------------ resource ids

def test_ids_in_the_selected_subscription_are_kept(config_dir):
    result = plan(config_dir, ['resource', 'show', '--ids', rid(PROD)], subscription=PROD)
    assert result.action == sel.KEEP


def test_ids_in_the_selected_subscription_of_another_tenant_get_it_again(config_dir):
    """az resource signs in to the default's tenant for --ids (measured): the same subscription fixes it."""
    result = plan(config_dir, ['resource', 'show', '--ids', rid(SANDBOX)], subscription=SANDBOX)
    assert (result.action, result.subscription_id) == (sel.STEER, SANDBOX)


@pytest.mark.parametrize('argv', [
    ['resource', 'delete', '--ids', rid(DEV)], ['rest', '--url', f'/subscriptions/{DEV}/resourcegroups'],
    ['role', 'assignment', 'list', '--scope', rid(DEV)],
])
def test_ids_elsewhere_are_refused_with_how_to_proceed(config_dir, argv):
    result = plan(config_dir, argv, subscription='prod')
    assert result.action == sel.REFUSE
    assert f'add --subscription {DEV};' in result.message and f'use --subscription {DEV})' in result.message


def test_ids_in_several_subscriptions_are_refused(config_dir):
    result = plan(config_dir, ['resource', 'show', '--ids', rid(PROD), rid(DEV)], subscription='prod')
    assert result.action == sel.REFUSE and f'subscription {DEV} ' in result.message
    assert 'one subscription at a time' in result.message


def test_ids_elsewhere_with_that_subscription_named_too_are_kept(config_dir):
    assert plan(config_dir, ['resource', 'show', '--ids', rid(DEV), '--subscription', 'dev'],
                subscription='prod').action == sel.KEEP


# ------------------------------------------------------------------ what az cannot steer

def test_tenant_level_commands_run_when_the_default_is_in_the_same_tenant_as_the_same_identity(config_dir):
    assert plan(config_dir, ['ad', 'user', 'list'], subscription='prod').action == sel.KEEP
    assert plan(config_dir, ['rest', '--url', '/tenants'], subscription='prod').action == sel.KEEP


@pytest.mark.parametrize('argv', [['ad', 'user', 'list'], ['account', 'management-group', 'list'],
                                  ['rest', '--url', 'https://graph.microsoft.com/v1.0/me']])
def test_tenant_level_commands_in_another_tenant_are_refused(config_dir, argv):
    result = plan(config_dir, argv, subscription='sandbox')
    assert result.action == sel.REFUSE
    assert 'Fabrikam' in result.message and 'Contoso' in result.message and 'TOKENGUARD_SUBSCRIPTION= ' in result.message


def test_tenant_level_commands_as_another_identity_are_refused(config_dir):
    write_profile(config_dir, [entry(DEV, 'dev', default=True, user=BOT), entry(PROD, 'prod')])
    assert plan(config_dir, ['ad', 'user', 'list'], subscription='prod').action == sel.REFUSE


def test_a_command_without_subscription_runs_only_where_the_default_is(config_dir):
    result = plan(config_dir, ['account', 'lock', 'list'], subscription='prod')
    assert result.action == sel.REFUSE and 'no --subscription option' in result.message
    assert plan(config_dir, ['account', 'lock', 'list'], subscription='dev').action == sel.KEEP


def test_an_argument_read_from_stdin_where_an_option_could_stand_is_refused(config_dir):
    assert plan(config_dir, ['group', 'list', UNKNOWN_VALUE], subscription='prod').action == sel.REFUSE
    assert plan(config_dir, ['group', 'create', '--tags', UNKNOWN_VALUE], subscription='prod').action == sel.STEER


# ------------------------------------------------------------------ resolution

def test_a_removed_subscription_is_refused_never_the_default(config_dir):
    result = plan(config_dir, ['group', 'list'], subscription='44444444-4444-4444-4444-444444444444')
    assert result.action == sel.REFUSE and 'not in azureProfile.json' in result.message
    assert 'not sent to az\'s default' in result.message and 'use --clear' in result.message


def test_a_tenant_alone_means_the_default_when_it_is_there_else_its_only_subscription(config_dir):
    assert plan(config_dir, ['group', 'list'], tenant='contoso.com').subscription_id == DEV
    assert plan(config_dir, ['group', 'list'], tenant='Fabrikam').subscription_id == SANDBOX
    write_profile(config_dir, [entry(DEV, 'dev', default=True), entry(PROD, 'prod', tenant=FABRIKAM),
                               entry(SANDBOX, 'sandbox', tenant=FABRIKAM)])
    result = plan(config_dir, ['group', 'list'], tenant=FABRIKAM)
    assert result.action == sel.REFUSE and 'has 2 subscriptions' in result.message


def test_a_subscription_outside_the_selected_tenant_is_refused(config_dir):
    result = plan(config_dir, ['group', 'list'], subscription='prod', tenant='fabrikam.com')
    assert result.action == sel.REFUSE and 'not in the selected tenant' in result.message


def test_previous_selection_from_env():
    assert sel.previous_from_env({}) is None
    assert not sel.previous_from_env({sel.PREVIOUS_SUBSCRIPTION_ENV: '', sel.PREVIOUS_TENANT_ENV: ''}).active
    assert sel.previous_from_env({sel.PREVIOUS_SUBSCRIPTION_ENV: PROD}).subscription == PROD


def test_user_export_updates_the_shipped_one(config_dir):
    user_file = sel.user_data_path(str(config_dir))
    (config_dir / 'tokenguard').mkdir()
    with open(user_file, 'w', encoding='utf-8') as handle:
        json.dump({'groups': ['myext'], 'commands': {'myext run': {}}}, handle)
    options = sel.load_subscription_options(str(config_dir))
    assert 'myext' in options.groups and 'ad' in options.groups
    assert options.own('myext run') == {} and options.own('ad user list') == {}
    assert options.own('group list') is None


def test_a_corrupt_export_reads_as_every_command_taking_subscription(tmp_path):
    path = tmp_path / 'broken.json'
    path.write_text('{not json')
    assert sel._read_options(str(path)).commands == {}  # pylint: disable=protected-access


# ------------------------------------------------------------------ the guard's exit codes and output

class Stream:
    def __init__(self):
        self.text = ''

    def write(self, text):
        self.text += text

    def flush(self):
        pass

    @staticmethod
    def isatty():
        return False


def guard(config_dir, argv, **env):
    stdout, stderr = Stream(), Stream()
    full_env = {'AZURE_CONFIG_DIR': str(config_dir), 'TOKENGUARD_CONTEXT_LINE': 'always', **env}
    code = main(argv, env=full_env, stderr=stderr, stdout=stdout, open_tty=_no_terminal)
    return code, stdout.text, stderr.text


def _no_terminal():
    raise OSError('no terminal')


def test_the_guard_prints_the_id_and_exits_steer(config_dir):
    code, out, err = guard(config_dir, ['group', 'list'], TOKENGUARD_SUBSCRIPTION='prod', TOKENGUARD_STEERING='1')
    assert (code, out) == (ExitCode.STEER, PROD + '\n')
    assert f'subscription prod ({PROD}) [this shell]' in err


def test_the_guard_refuses_with_43_and_prints_nothing_on_stdout(config_dir):
    code, out, err = guard(config_dir, ['ad', 'user', 'list'], TOKENGUARD_SUBSCRIPTION='sandbox',
                           TOKENGUARD_STEERING='1')
    assert (code, out) == (ExitCode.REFUSED_BY_PIN, '') and 'refused: az ad user list' in err


def test_a_destructive_command_is_confirmed_for_the_selected_subscription(config_dir):
    refused = guard(config_dir, ['group', 'delete', '-n', 'rg1'], TOKENGUARD_SUBSCRIPTION='prod',
                    TOKENGUARD_STEERING='1', TOKENGUARD_CONFIRM='dev')
    assert refused[0] == ExitCode.REFUSED_NO_TERMINAL and refused[1] == ''
    confirmed = guard(config_dir, ['group', 'delete', '-n', 'rg1'], TOKENGUARD_SUBSCRIPTION='prod',
                      TOKENGUARD_STEERING='1', TOKENGUARD_CONFIRM='prod')
    assert confirmed[:2] == (ExitCode.STEER, PROD + ' --yes\n')  # steered, and az's own question answered


def test_refusals_and_steered_decisions_are_audited_with_the_selection(config_dir):
    guard(config_dir, ['group', 'delete', '-n', 'rg1'], TOKENGUARD_SUBSCRIPTION='prod', TOKENGUARD_STEERING='1',
          TOKENGUARD_CONFIRM='prod')
    guard(config_dir, ['account', 'lock', 'list'], TOKENGUARD_SUBSCRIPTION='prod', TOKENGUARD_STEERING='1')
    records = [json.loads(line) for line in (config_dir / 'tokenguard' / 'audit.log').read_text().splitlines()]
    assert [(r['decision'], r['how'], r['subscriptionId'], r['selection']) for r in records] == [
        ('confirmed', 'TOKENGUARD_CONFIRM', PROD, PROD), ('refused', 'selection', DEV, PROD)]


def test_a_broken_guard_with_a_selection_refuses_instead_of_landing_in_the_default(config_dir, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError('boom')
    monkeypatch.setattr(sel, 'plan', broken)  # the guard reads selection.py when this shell selected one
    code, out, err = guard(config_dir, ['group', 'list'], TOKENGUARD_SUBSCRIPTION='prod', TOKENGUARD_STEERING='1')
    assert (code, out) == (ExitCode.REFUSED_BY_PIN, '') and 'would land in the default' in err
    assert guard(config_dir, ['tokenguard', 'use', '--clear'], TOKENGUARD_SUBSCRIPTION='prod')[0] == ExitCode.RUN


def test_the_prompt_segment_names_the_selection_as_per_shell(config_dir):
    out = Stream()
    env = {'AZURE_CONFIG_DIR': str(config_dir), 'TOKENGUARD_SUBSCRIPTION': PROD, 'NO_COLOR': '1'}
    prompt_main(['bash', '7'], env, out)
    assert out.text == '[shell:prod] '
    stamp = (config_dir / 'tokenguard' / 'prompt-stamps' / 'bash-7').read_text()
    assert stamp == f'[shell:prod] \nsel:{PROD}|\n'  # the shell compares the second line with its variables
    out = Stream()
    prompt_main(['bash', '7'], {**env, 'TOKENGUARD_SUBSCRIPTION': 'gone'}, out)
    assert out.text == '[shell:?] '
