"""The scan follows no link anywhere in a path: not at the root, not in the middle, not in a race."""
import json
import os

from azext_tokenguard.hygiene import scan as cs
from azext_tokenguard.hygiene import token_files as tf
from tests.unit.files import write

NOW = 1_800_000_000.0
SECRET = '{"refresh_token": "0.AAAA-someone-elses-refresh-token"}'


def elsewhere_with_a_token(tmp_path):
    """Another user's directory that holds a token, as ~/.azd would if it were theirs."""
    write(tmp_path / "elsewhere" / "auth" / "auth.json", SECRET)
    return tmp_path / "elsewhere"


def test_a_link_in_the_middle_of_a_tool_root_is_reported_not_read(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    os.symlink(elsewhere_with_a_token(tmp_path), home / ".azd")
    roots = [(str(home), str(home / ".azd" / "auth")), (str(home), str(home / ".azd" / "auth" / "msal"))]
    result = cs.scan_paths(roots, NOW, {})
    assert [(f["id"], f["severity"], f["path"]) for f in result["findings"]] == [
        ("TG009", "medium", str(home / ".azd"))]  # once, though two roots go through it
    assert "not followed" in result["findings"][0]["message"] and result["caches"] == []
    assert "someone-elses" not in json.dumps(result)


def test_scan_roots_name_the_home_of_each_tool_cache(tmp_path):
    home = str(tmp_path / "home")
    roots = tf.scan_roots(str(tmp_path / "cfg"), home)
    assert roots[0] == str(tmp_path / "cfg")
    assert (home, os.path.join(home, ".azd", "auth")) in roots
    assert all(isinstance(r, str) or r[0] == home for r in roots)


def test_the_same_tree_without_the_link_is_read(tmp_path):
    home = tmp_path / "home"
    write(home / ".azd" / "auth" / "auth.json", SECRET)
    result = cs.scan_paths([(str(home), str(home / ".azd" / "auth"))], NOW, {})
    assert "TG012" in [f["id"] for f in result["findings"]]


def test_a_directory_swapped_for_a_link_during_the_walk_is_not_entered(tmp_path, monkeypatch):
    root = tmp_path / "home" / ".azure"
    write(root / "sub" / "harmless.txt", "nothing")
    outside = elsewhere_with_a_token(tmp_path)
    real_walk = cs._walk  # pylint: disable=protected-access

    def swap_then_walk(state, parent, name, path, depth=0):
        if name == "sub":  # seen as a directory, then replaced by a link before the walk opens it
            os.rename(root / "sub", tmp_path / "moved-away")
            os.symlink(outside / "auth", root / "sub")
        real_walk(state, parent, name, path, depth)
    monkeypatch.setattr(cs, "_walk", swap_then_walk)
    result = cs.scan_paths([root], NOW, {})
    assert "someone-elses" not in json.dumps(result) and "TG012" not in [f["id"] for f in result["findings"]]
    assert any(f["id"] == "TG009" and f["path"] == str(root / "sub") for f in result["findings"])


def test_a_file_root_is_read_through_its_directory(tmp_path):
    path = write(tmp_path / "image" / "notes.txt", SECRET)
    result = cs.scan_paths([path], NOW, {})
    assert [f["id"] for f in result["findings"] if f["hasSecret"]] == ["TG012"]


def test_a_root_under_a_missing_directory_is_missing(tmp_path):
    result = cs.scan_paths([(str(tmp_path), str(tmp_path / "no" / "such"))], NOW, {})
    assert result["findings"] == [] and result["stats"]["missingRoots"] == [str(tmp_path / "no" / "such")]


def test_no_descriptor_is_left_open(tmp_path):
    home = tmp_path / "home"
    write(home / ".azure" / "a" / "b" / "c.json", SECRET)
    os.symlink(elsewhere_with_a_token(tmp_path), home / ".azd")
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(50):
        cs.scan_paths([home / ".azure", (str(home), str(home / ".azd" / "auth")), home / "missing"], NOW, {})
    assert len(os.listdir("/proc/self/fd")) == before
