"""The one home of az's file facts, shared by the guard and the extension: names, limits, bounded reading,
private writing, the profile and who its entries sign in as."""
import os
import stat

import pytest

from azext_tokenguard.hygiene import cleanup
from azext_tokenguard.hygiene import token_files
from azext_tokenguard.guard import az_files, policy, profile


def test_the_guard_and_logout_share_one_profile_limit_and_one_set_of_names():
    assert profile.MAX_PROFILE_BYTES == cleanup.MAX_PROFILE_BYTES == az_files.MAX_PROFILE_BYTES
    assert token_files.AZ_PROFILE == profile.PROFILE_FILE_NAME == az_files.PROFILE_FILE_NAME
    assert policy.policy_path("/c") == os.path.join("/c", az_files.TOKENGUARD_DIR_NAME, az_files.POLICY_FILE_NAME)


def test_the_config_dir_is_azs_rule():
    assert az_files.config_dir({"AZURE_CONFIG_DIR": "/x"}) == "/x"
    assert az_files.config_dir({"AZURE_CONFIG_DIR": ""}) == os.path.join(os.path.expanduser("~"), ".azure")


def test_reading_is_bounded_and_a_missing_file_is_none(tmp_path):
    path = tmp_path / "f"
    assert az_files.read_bounded(str(path), 4) is None
    path.write_bytes(b"1234")
    assert az_files.read_bounded(str(path), 4) == b"1234"
    path.write_bytes(b"12345")
    with pytest.raises(az_files.FileTooLargeError, match="larger than 4 bytes"):
        az_files.read_bounded(str(path), 4)


def test_a_fifo_is_refused_at_once_instead_of_hanging_the_reader(tmp_path):
    fifo = tmp_path / "azureProfile.json"
    os.mkfifo(fifo)
    with pytest.raises(az_files.NotRegularFileError):
        az_files.read_bounded(str(fifo), 100)


def test_a_symlink_is_followed_only_where_az_follows_it(tmp_path):
    (tmp_path / "target").write_bytes(b"{}")
    os.symlink(tmp_path / "target", tmp_path / "link")
    assert az_files.read_bounded(str(tmp_path / "link"), 10) == b"{}"
    with pytest.raises(az_files.NotRegularFileError, match="a symlink"):
        az_files.read_bounded(str(tmp_path / "link"), 10, follow_links=False)


def test_a_private_write_replaces_a_link_and_leaves_its_target_alone(tmp_path):
    target = tmp_path / "target"
    target.write_bytes(b"theirs")
    os.symlink(target, tmp_path / "mine")
    az_files.write_private_file(str(tmp_path / "mine"), b"ours")
    assert target.read_bytes() == b"theirs" and (tmp_path / "mine").read_bytes() == b"ours"
    assert stat.S_IMODE(os.lstat(tmp_path / "mine").st_mode) == 0o600
    assert sorted(os.listdir(tmp_path)) == ["mine", "target"]  # no temp file left behind


def test_the_profile_parser_gives_one_line_reasons():
    assert az_files.parse_profile(b'\xef\xbb\xbf{"subscriptions": []}') == {"subscriptions": []}
    for data, reason in ((b"[]", "not a JSON object"), (b'{"subscriptions": {}}', "is not a list"),
                         (b"", "Expecting value"), (b"\xff", "decode")):
        with pytest.raises(az_files.ProfileFormatError, match=reason):
            az_files.parse_profile(data)


@pytest.mark.parametrize("user, expected", [
    ({"name": "alice@contoso.example", "type": "user"}, ("user", "alice@contoso.example")),
    ({"name": "app-id", "type": "servicePrincipal"}, ("servicePrincipal", "app-id")),
    ({"name": "systemAssignedIdentity", "type": "servicePrincipal", "assignedIdentityInfo": "MSI"},
     ("managedIdentity", "systemAssignedIdentity")),
    ({"name": "userAssignedIdentity", "type": "servicePrincipal", "assignedIdentityInfo": "MSIClient-x"},
     ("managedIdentity", "userAssignedIdentity")),
    ({"name": 3, "type": "robot"}, ("user", "")), (None, ("user", "")),
])
def test_identities_are_named_as_az_account_show_names_them(user, expected):
    assert az_files.identity_of(user) == expected
