import os

from azext_tokenguard.hygiene import token_files as tf


def test_az_token_files_lists_stores_then_lockfiles(tmp_path):
    entries = tf.az_token_files(str(tmp_path))
    names = [os.path.basename(e.path) for e in entries]
    assert names[:6] == ["msal_token_cache.json", "msal_token_cache.bin", "service_principal_entries.json",
                         "service_principal_entries.bin", "msal_http_cache.bin", "accessTokens.json"]
    assert all(n.endswith(".lockfile") for n in names[6:])
    assert "msal_token_cache.json.lockfile" in names
    kinds = {os.path.basename(e.path): e.kind for e in entries}
    assert kinds["msal_token_cache.bin"] == tf.KIND_MSAL_CACHE_ENCRYPTED
    assert kinds["msal_http_cache.bin"] == tf.KIND_HTTP_CACHE
    assert all(e.why for e in entries)
    assert "azureProfile.json" not in names and "config" not in names


def test_kept_files_explain_themselves(tmp_path):
    kept = {os.path.basename(e.path): e for e in tf.kept_files(str(tmp_path))}
    for name in ("config", "clouds.config", "cliextensions", "commands", "logs", "versionCheck.json"):
        assert name in kept and kept[name].why
    assert kept["azureProfile.json"].kind == tf.KIND_PROFILE
    assert "installationId" in kept["azureProfile.json"].why


def test_classify_by_name_and_directory():
    assert tf.classify("/h/.azure/msal_token_cache.json") == tf.KIND_MSAL_CACHE
    assert tf.classify("C:/Users/u/.azure/service_principal_entries.bin") == tf.KIND_SP_ENTRIES_ENCRYPTED
    assert tf.classify("/h/.azure/msal_token_cache.json.lockfile") == tf.KIND_LOCKFILE
    assert tf.classify("/h/.azure/azureProfile.json") == tf.KIND_PROFILE
    assert tf.classify("/h/.IdentityService/msal.cache.nocae") == tf.KIND_TOOL_CACHE
    assert tf.classify("/h/.kube/cache/kubelogin/AzurePublicCloud-x.json") == tf.KIND_TOOL_CACHE
    assert tf.classify("/h/.Azure/AzureRmContext.json") == tf.KIND_PS_CONTEXT
    assert tf.classify("/h/.Azure/AzureRmContextSettings.json") is None
    assert tf.classify("/h/.azure/config") is None
    assert tf.classify("/h/somewhere/cache.json") is None


def _touch(path, text="x"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def test_other_tool_caches_finds_only_known_names(tmp_path):
    home = str(tmp_path)
    for rel in (".Azure/AzureRmContext.json", ".Azure/msal.cache.cae", ".Azure/AzureRmContextSettings.json",
                ".IdentityService/msal.cache.nocae", ".IdentityService/mg.msal.cache.cae",
                ".IdentityService/readme.txt", ".mg/mg.authrecord.json", ".mg/mg.graphoptions.json",
                ".azd/auth/msal/cache.json", ".azd/config.json", ".kube/cache/kubelogin/a.json",
                ".kube/config"):
        _touch(os.path.join(home, rel))
    found = {os.path.relpath(e.path, home) for e in tf.other_tool_caches(home)}
    assert found == {".Azure/AzureRmContext.json", ".Azure/msal.cache.cae",
                     ".IdentityService/msal.cache.nocae", ".IdentityService/mg.msal.cache.cae",
                     ".mg/mg.authrecord.json", ".azd/auth/msal/cache.json",
                     ".kube/cache/kubelogin/a.json"}
    kept = {os.path.relpath(e.path, home) for e in tf.other_tool_kept(home)}
    assert ".Azure/AzureRmContextSettings.json" in kept


def test_other_tool_caches_marks_symlinked_directories(tmp_path):
    home, outside = tmp_path / "home", tmp_path / "outside"
    _touch(str(outside / "token.json"))
    os.makedirs(home / ".kube" / "cache")
    os.symlink(outside, home / ".kube" / "cache" / "kubelogin")
    entries = tf.other_tool_caches(str(home))
    assert len(entries) == 1 and "symlink" in entries[0].why
    assert tf.symlink_on_path(str(home), os.path.dirname(entries[0].path)) is not None


def test_other_tool_caches_on_missing_home(tmp_path):
    assert tf.other_tool_caches(str(tmp_path / "nobody")) == []


def test_home_dirs_to_scan_from_passwd_and_listing():
    passwd = [
        "root:x:0:0:root:/root:/bin/bash",
        "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin",
        "alice:x:1000:1000:Alice:/home/alice:/bin/bash",
        "bob:x:1001:1001::/home/bob:/usr/bin/zsh",
        "svc:x:1002:1002::/home/svc:/bin/false",
        "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin",
        "broken line",
        "weird:x:notanumber:1::/home/w:/bin/sh",
        "rel:x:1003:1003::relative/home:/bin/sh",
        "# comment:x:1004:1::/home/c:/bin/sh",
    ]
    assert tf.home_dirs_to_scan(passwd) == ["/home/alice", "/home/bob", "/root"]
    assert tf.home_dirs_to_scan(passwd, include_root=False) == ["/home/alice", "/home/bob"]
    assert tf.home_dirs_to_scan(home_listing=["carol", ".hidden", "..", "a/b"]) == ["/home/carol"]
    assert tf.home_dirs_to_scan() == []


def test_not_cleanable_here_names_wam_and_browser():
    items = tf.not_cleanable_here()
    text = " ".join(i["what"] for i in items)
    assert "WAM" in text and "Browser" in text
    assert all(set(i) == {"what", "why", "how"} and i["how"] for i in items)
