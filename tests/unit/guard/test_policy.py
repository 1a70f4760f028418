"""Policy: protected subscriptions, context-line mode, atomic private files, fail closed when corrupt."""
import json
import os
import stat

import pytest

from azext_tokenguard.guard.policy import (
    PolicyError, load_policy, policy_path, policy_show, protect, reset_policy, set_settings, unprotect)


def mode_of(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_default_policy_when_missing(tmp_path):
    policy = load_policy(str(tmp_path))
    assert policy.protected == [] and policy.context_line == 'auto' and not policy.error
    assert not policy.is_protected('Prod', 'id')


def test_round_trip_and_file_modes(tmp_path):
    protect(str(tmp_path), 'Prod*')
    protect(str(tmp_path), '22222222-2222-2222-2222-222222222222')
    shown = protect(str(tmp_path), 'prod*')  # duplicate, case-insensitively
    assert shown['protected'] == ['Prod*', '22222222-2222-2222-2222-222222222222']
    set_settings(str(tmp_path), context_line='destructive-only')
    policy = load_policy(str(tmp_path))
    assert policy.context_line == 'destructive-only'
    assert policy.is_protected('production-eu', '') and policy.is_protected('', '22222222-2222-2222-2222-222222222222')
    assert not policy.is_protected('Dev', '11111111-1111-1111-1111-111111111111')
    path = policy_path(str(tmp_path))
    assert mode_of(path) == 0o600 and mode_of(os.path.dirname(path)) == 0o700
    assert [n for n in os.listdir(os.path.dirname(path)) if n.endswith('.tmp')] == []
    assert json.loads(open(path, encoding='utf-8').read())['version'] == 1
    unprotect(str(tmp_path), 'PROD*')
    assert load_policy(str(tmp_path)).protected == ['22222222-2222-2222-2222-222222222222']


def test_existing_loose_directory_is_tightened(tmp_path):
    (tmp_path / 'tokenguard').mkdir(mode=0o755)
    protect(str(tmp_path), 'Prod')
    assert mode_of(tmp_path / 'tokenguard') == 0o700


def test_unprotect_unknown_entry(tmp_path):
    protect(str(tmp_path), 'Prod')
    with pytest.raises(PolicyError, match='not in the protected list'):
        unprotect(str(tmp_path), 'Dev')


@pytest.mark.parametrize('pattern', ['', '   ', 'a\nb', 'x' * 300, None])
def test_bad_patterns(tmp_path, pattern):
    with pytest.raises(PolicyError):
        protect(str(tmp_path), pattern)


def test_bad_context_line_mode(tmp_path):
    with pytest.raises(PolicyError, match='one of'):
        set_settings(str(tmp_path), context_line='sometimes')


@pytest.mark.parametrize('content', [
    b'{', b'[]', b'{"protected": "Prod"}', b'{"protected": [1]}', b'{"contextLine": "loud"}', b'\xff',
    b'[' * 100000])
def test_corrupt_policy_fails_closed(tmp_path, content):
    (tmp_path / 'tokenguard').mkdir()
    (tmp_path / 'tokenguard' / 'policy.json').write_bytes(content)
    policy = load_policy(str(tmp_path))
    assert policy.error and policy.is_protected('Dev', 'any-id')
    assert 'error' in policy_show(str(tmp_path))
    with pytest.raises(PolicyError, match='policy reset'):
        protect(str(tmp_path), 'Prod')
    reset = reset_policy(str(tmp_path), now=0)
    assert reset['movedAside'].endswith('.bad-19700101000000') and 'error' not in reset
    assert not load_policy(str(tmp_path)).error


def test_reset_rewrites_a_valid_policy_in_place_and_moves_nothing_aside(tmp_path):
    protect(str(tmp_path), 'Prod')
    set_settings(str(tmp_path), mode='read-only')
    reset = reset_policy(str(tmp_path), now=0)
    assert reset['movedAside'] == '' and reset['protected'] == [] and reset['mode'] == 'normal'
    assert [p.name for p in (tmp_path / 'tokenguard').iterdir()] == ['policy.json']


def test_symlinked_policy_file_is_not_followed(tmp_path):
    target = tmp_path / 'elsewhere.json'
    target.write_text('{"protected": []}')
    (tmp_path / 'tokenguard').mkdir()
    os.symlink(target, tmp_path / 'tokenguard' / 'policy.json')
    policy = load_policy(str(tmp_path))
    assert policy.error and policy.is_protected('Dev', 'x')


def test_symlinked_policy_directory_is_refused(tmp_path):
    elsewhere = tmp_path / 'elsewhere'
    elsewhere.mkdir()
    os.symlink(elsewhere, tmp_path / 'tokenguard')
    with pytest.raises(PolicyError, match='not a directory'):
        protect(str(tmp_path), 'Prod')
    assert os.listdir(elsewhere) == []
