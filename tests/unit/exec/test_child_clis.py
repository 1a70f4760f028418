"""Unit tests of the az and azd that exec puts first on its child's PATH: they refuse the token commands only."""
import os
import subprocess

from azext_tokenguard.exec.child_clis import case_insensitive_pattern, refusing_token_commands


def fake_cli(directory, name):
    path = directory / name
    path.write_text(f'#!/bin/sh\necho "real {name}: $*"\n')
    path.chmod(0o700)
    return path


def run(child_path, *argv):
    result = subprocess.run(argv, capture_output=True, text=True, env={"PATH": child_path}, check=False)
    return result.returncode, result.stdout.strip(), result.stderr.strip()


def test_patterns_match_every_case_and_keep_hyphens():
    assert case_insensitive_pattern("get-access-token") == "[Gg][Ee][Tt]-[Aa][Cc][Cc][Ee][Ss][Ss]-[Tt][Oo][Kk][Ee][Nn]"


def test_token_commands_are_refused_wherever_the_words_stand_and_the_rest_runs_the_real_cli(tmp_path):
    fake_cli(tmp_path, "az")
    fake_cli(tmp_path, "azd")
    with refusing_token_commands(f"{tmp_path}:/usr/bin:/bin") as child_path:
        directory = child_path.split(":")[0]
        assert child_path == f"{directory}:{tmp_path}:/usr/bin:/bin"
        assert oct(os.stat(directory).st_mode & 0o777) == "0o700"
        for argv in (["az", "account", "get-access-token"],
                     ["az", "--debug", "Account", "GET-ACCESS-TOKEN", "-o", "json"],
                     ["azd", "auth", "token", "--output", "json"]):
            code, out, err = run(child_path, *argv)
            assert (code, out) == (1, "") and err.startswith(f"az tokenguard exec refused '{argv[0]} ")
        assert run(child_path, "az", "account", "show") == (0, "real az: account show", "")
        assert run(child_path, "az", "get-access-token", "account")[0] == 0  # not az's command: passed on
        assert run(child_path, "azd", "version") == (0, "real azd: version", "")
    assert not os.path.exists(directory)


def test_only_the_clis_on_path_get_one_and_none_leaves_path_alone(tmp_path):
    fake_cli(tmp_path, "az")
    with refusing_token_commands(str(tmp_path)) as child_path:
        assert sorted(os.listdir(child_path.split(":")[0])) == ["az"]
    empty = tmp_path / "empty"
    empty.mkdir()
    with refusing_token_commands(str(empty)) as child_path:
        assert child_path == str(empty)
