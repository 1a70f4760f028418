"""The guard's decision end to end in-process: context line, confirmation, TOKENGUARD_CONFIRM, pinning."""
import io
import json

import pytest

from azext_tokenguard.guard.exitcodes import ExitCode
from azext_tokenguard.guard.main import main
from azext_tokenguard.guard.policy import protect

TENANT = 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa'
DEV_ID = '11111111-1111-1111-1111-111111111111'
PROD_ID = '22222222-2222-2222-2222-222222222222'


class FakeTerminal:
    """Stands in for /dev/tty: records what was asked, answers with a fixed line."""

    def __init__(self, answer):
        self.answer = answer
        self.written = ''
        self.opened = 0

    def __call__(self):
        self.opened += 1
        return self

    def write(self, text):
        self.written += text

    def readline(self):
        return self.answer

    def close(self):
        pass


def no_terminal():
    raise OSError('No such device or address')


class TtyStderr(io.StringIO):
    def isatty(self):
        return True


@pytest.fixture
def config_dir(tmp_path):
    return make_config_dir(tmp_path)


def make_config_dir(tmp_path):
    """A profile with 'Dev Sub' (default) and 'Prod' (protected), alice signed in; shared by other guard tests."""
    subscriptions = [
        {'id': DEV_ID, 'name': 'Dev Sub', 'isDefault': True, 'tenantId': TENANT, 'environmentName': 'AzureCloud',
         'tenantDisplayName': 'Contoso', 'user': {'name': 'alice@contoso.com', 'type': 'user'}},
        {'id': PROD_ID, 'name': 'Prod', 'isDefault': False, 'tenantId': TENANT, 'environmentName': 'AzureCloud',
         'tenantDisplayName': 'Contoso', 'user': {'name': 'alice@contoso.com', 'type': 'user'}}]
    (tmp_path / 'azureProfile.json').write_bytes(
        b'\xef\xbb\xbf' + json.dumps({'subscriptions': subscriptions}).encode())
    protect(str(tmp_path), 'Prod')
    return tmp_path


# A confirmed command that az would ask about again runs with az's own --yes added (ExitCode.STEER, "--yes" on
# the guard's stdout): one question per command.
RUN_WITH_AZ_YES = ExitCode.STEER


def run(config_dir, command, answer=None, env=None, stderr=None):
    terminal = FakeTerminal(answer) if answer is not None else no_terminal
    stderr = stderr if stderr is not None else io.StringIO()
    full_env = {'AZURE_CONFIG_DIR': str(config_dir)}
    full_env.update(env or {})
    code = main(command.split(), env=full_env, stderr=stderr, open_tty=terminal, cwd=str(config_dir))
    return code, stderr.getvalue(), terminal


def test_read_runs_and_shows_context_on_a_terminal(config_dir):
    code, err, _ = run(config_dir, 'group list', stderr=TtyStderr())
    assert code == ExitCode.RUN
    assert 'Dev Sub' in err and DEV_ID in err and 'Contoso' in err and 'alice@contoso.com' in err


def test_no_context_line_in_pipes_by_default(config_dir):
    code, err, _ = run(config_dir, 'group list')
    assert code == ExitCode.RUN and err == ''


def test_context_line_modes(config_dir):
    assert 'Dev Sub' in run(config_dir, 'group list', env={'TOKENGUARD_CONTEXT_LINE': 'always'})[1]
    assert run(config_dir, 'group list', stderr=TtyStderr(), env={'TOKENGUARD_CONTEXT_LINE': 'off'})[1] == ''
    only = {'TOKENGUARD_CONTEXT_LINE': 'destructive-only'}
    assert run(config_dir, 'group list', stderr=TtyStderr(), env=only)[1] == ''
    assert 'Dev Sub' in run(config_dir, 'group delete -n x', answer='y\n', stderr=TtyStderr(), env=only)[1]


def test_destructive_asks_with_context_and_defaults_to_no(config_dir):
    code, err, terminal = run(config_dir, 'group delete -n rg1 -g other', answer='\n')
    assert code == ExitCode.REFUSED_BY_USER and 'not run' in err
    for expected in ('az group delete -n rg1 -g other', 'Contoso', 'Dev Sub', DEV_ID, 'rg1', 'other', '[y/N]'):
        assert expected in terminal.written


@pytest.mark.parametrize('answer, expected', [('y\n', RUN_WITH_AZ_YES), ('YES\n', RUN_WITH_AZ_YES),
                                              ('n\n', ExitCode.REFUSED_BY_USER), ('', ExitCode.REFUSED_BY_USER)])
def test_unprotected_destructive_answers(config_dir, answer, expected):
    assert run(config_dir, 'group delete -n rg1', answer=answer)[0] == expected


@pytest.mark.parametrize('answer, expected', [
    ('y\n', ExitCode.REFUSED_BY_USER), ('Prod\n', ExitCode.RUN), ('prod\n', ExitCode.RUN),
    (PROD_ID + '\n', ExitCode.RUN), ('Dev Sub\n', ExitCode.REFUSED_BY_USER)])
def test_protected_subscription_needs_its_name(config_dir, answer, expected):
    code, _err, terminal = run(config_dir, 'group delete -n rg1 --subscription prod --yes', answer=answer)
    assert code == expected
    assert 'Type its name "Prod"' in terminal.written and '--yes does not skip' in terminal.written


def test_writes_ask_only_in_protected_subscriptions(config_dir):
    code, _err, terminal = run(config_dir, 'group create -n rg1 -l westeurope', answer='n\n')
    assert code == ExitCode.RUN and terminal.opened == 0
    assert run(config_dir, 'group create -n rg1 --subscription Prod', answer='n\n')[0] == ExitCode.REFUSED_BY_USER
    assert run(config_dir, 'group list --subscription Prod', answer='n\n')[0] == ExitCode.RUN


def test_no_terminal_refuses_with_its_own_code(config_dir):
    code, err, _ = run(config_dir, 'group delete -n rg1')
    assert code == ExitCode.REFUSED_NO_TERMINAL and 'TOKENGUARD_CONFIRM' in err and 'no terminal' in err


@pytest.mark.parametrize('value, expected', [
    (PROD_ID, RUN_WITH_AZ_YES), (PROD_ID.upper(), RUN_WITH_AZ_YES), ('prod', RUN_WITH_AZ_YES),
    (DEV_ID, ExitCode.REFUSED_NO_TERMINAL), ('yes', ExitCode.REFUSED_NO_TERMINAL), ('1', ExitCode.REFUSED_NO_TERMINAL),
    ('', ExitCode.REFUSED_NO_TERMINAL)])
def test_tokenguard_confirm_is_bound_to_one_subscription(config_dir, value, expected):
    code, _err, _ = run(config_dir, 'group delete -n rg1 --subscription Prod', env={'TOKENGUARD_CONFIRM': value})
    assert code == expected


def test_tokenguard_confirm_is_not_used_when_a_terminal_exists(config_dir):
    code, _err, terminal = run(config_dir, 'group delete -n rg1', answer='n\n', env={'TOKENGUARD_CONFIRM': DEV_ID})
    assert code == ExitCode.REFUSED_BY_USER and terminal.opened == 1


def test_pin_mismatch_refuses_with_unpin_hint(config_dir):
    code, err, _ = run(config_dir, 'group list', env={'TOKENGUARD_EXPECT_SUBSCRIPTION': 'Prod'})
    assert code == ExitCode.REFUSED_BY_PIN and 'unset TOKENGUARD_EXPECT_SUBSCRIPTION' in err
    assert 'az tokenguard pin --clear' in err


def test_pin_match_and_command_line_subscription(config_dir):
    pin = {'TOKENGUARD_EXPECT_SUBSCRIPTION': PROD_ID}
    assert run(config_dir, 'group list --subscription prod', env=pin)[0] == ExitCode.RUN
    assert run(config_dir, 'group list', env={'TOKENGUARD_EXPECT_TENANT': 'contoso'})[0] == ExitCode.RUN
    assert run(config_dir, 'group list', env={'TOKENGUARD_EXPECT_TENANT': 'fabrikam'})[0] == ExitCode.REFUSED_BY_PIN


def test_pin_does_not_block_unpinning(config_dir):
    assert run(config_dir, 'tokenguard pin --clear', env={'TOKENGUARD_EXPECT_SUBSCRIPTION': 'Prod'})[0] == 0


def test_ids_in_a_protected_subscription_count(config_dir):
    ids = '/subscriptions/{}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm'.format(PROD_ID)
    code, _err, terminal = run(config_dir, 'vm update --ids {} --set a=b'.format(ids), answer='n\n')
    assert code == ExitCode.REFUSED_BY_USER and 'Prod' in terminal.written


def test_unknown_context_still_asks_for_destructive(tmp_path):
    code, _err, terminal = run(tmp_path, 'group delete -n rg1', answer='n\n')
    assert code == ExitCode.REFUSED_BY_USER and 'unknown' in terminal.written
    assert run(tmp_path, 'group delete -n rg1', answer='y\n')[0] == RUN_WITH_AZ_YES
    assert run(tmp_path, 'group delete -n rg1')[0] == ExitCode.REFUSED_NO_TERMINAL


def test_unknown_context_lets_others_run_with_one_warning(tmp_path):
    (tmp_path / 'azureProfile.json').write_text('{corrupt')
    code, err, _ = run(tmp_path, 'group create -n rg1')
    assert code == ExitCode.RUN and len(err.splitlines()) == 1 and 'context unknown' in err


def test_corrupt_policy_protects_everything(config_dir):
    (config_dir / 'tokenguard' / 'policy.json').write_text('{nope')
    code, err, terminal = run(config_dir, 'group create -n rg1', answer='y\n')
    assert code == ExitCode.REFUSED_BY_USER and 'treated as protected' in err and 'Type its name' in terminal.written


def test_help_completion_and_empty_are_instant(config_dir):
    for command in ('group delete -n x --help', '', '--version'):
        code, err, _ = run(config_dir, command, env={'TOKENGUARD_EXPECT_SUBSCRIPTION': 'Prod'})
        assert (code, err) == (ExitCode.RUN, '')
    assert run(config_dir, 'group delete', env={'_ARGCOMPLETE': '1'})[0] == ExitCode.RUN


def test_internal_error_never_escapes(config_dir, monkeypatch):
    from azext_tokenguard.guard import main as main_module

    def broken(*_args, **_kwargs):
        raise RuntimeError('boom')
    monkeypatch.setattr(main_module, 'load_policy', broken)
    code, err, _ = run(config_dir, 'group list')
    assert code == ExitCode.RUN and 'internal error (RuntimeError)' in err and 'Traceback' not in err
    code, _err, terminal = run(config_dir, 'group delete -n x', answer='n\n')
    assert code == ExitCode.REFUSED_BY_USER and 'unknown' in terminal.written


def test_ctrl_c_at_the_prompt_refuses(config_dir):
    class Interrupting(FakeTerminal):
        def readline(self):
            raise KeyboardInterrupt
    assert run(config_dir, 'group delete -n x', answer='')[0] == ExitCode.REFUSED_BY_USER
    terminal = Interrupting('')
    code = main(['group', 'delete', '-n', 'x'], env={'AZURE_CONFIG_DIR': str(config_dir)}, stderr=io.StringIO(),
                open_tty=terminal)
    assert code == ExitCode.REFUSED_BY_USER


def test_closed_stderr_does_not_crash(config_dir):
    stderr = io.StringIO()
    stderr.close()
    assert main(['group', 'list'], env={'AZURE_CONFIG_DIR': str(config_dir), 'TOKENGUARD_CONTEXT_LINE': 'always'},
                stderr=stderr, open_tty=no_terminal) == ExitCode.RUN


def test_a_doubtful_resource_id_counts_as_protected_when_anything_is():
    from azext_tokenguard.guard.main import is_protected
    from azext_tokenguard.guard.policy import Policy
    from azext_tokenguard.guard.profile import context_unknown
    doubtful = context_unknown('a resource id with empty segments', doubtful=True)
    assert is_protected(Policy(protected=['contoso-prod']), doubtful)  # a write to it asks
    assert not is_protected(Policy(), doubtful)
    assert not is_protected(Policy(protected=['contoso-prod']), context_unknown('no azureProfile.json'))


def test_az_gets_its_own_yes_only_after_tokenguard_asked_and_only_where_az_asks_too(config_dir, capsys):
    assert run(config_dir, 'group delete -n rg1', answer='y\n')[0] == RUN_WITH_AZ_YES
    assert capsys.readouterr().out == '--yes\n'
    assert run(config_dir, 'group delete -n rg1 -y', answer='y\n')[0] == ExitCode.RUN  # answered already
    assert run(config_dir, 'group list')[0] == ExitCode.RUN  # nothing asked, nothing added
    # `az rest --method delete` is confirmed by tokenguard, but az neither asks nor has --yes there
    assert run(config_dir, 'rest --method delete --url /x', answer='y\n')[0] == ExitCode.RUN
    assert capsys.readouterr().out == ''
