"""Unit tests of the pure status report, as `az tokenguard status` prints it (JSON)."""
from azext_tokenguard.hygiene import status as status_report
from azext_tokenguard.results import to_json


def identity_of(account):
    return to_json(status_report.identity_of(account))


def token_cache_report(*args, **kwargs):
    return to_json(status_report.token_cache_report(*args, **kwargs))


def build_status(*args, **kwargs):
    return to_json(status_report.build_status(*args, **kwargs))


SP_ACCOUNT = {"id": "sub-1", "name": "contoso-dev", "state": "Enabled", "isDefault": True, "tenantId": "t-1",
              "user": {"name": "app-1", "type": "servicePrincipal"}}


def test_service_principal_identity_carries_its_app_id():
    assert identity_of(SP_ACCOUNT) == {"type": "servicePrincipal", "name": "app-1", "appId": "app-1"}


def test_managed_identity_is_not_mistaken_for_a_service_principal():
    account = {"user": {"name": "userAssignedIdentity", "type": "servicePrincipal",
                        "assignedIdentityInfo": "MSIClient-abc"}}
    assert identity_of(account) == {"type": "managedIdentity", "name": "userAssignedIdentity",
                                    "assignedIdentityInfo": "MSIClient-abc"}
    assert identity_of({"user": {"name": "systemAssignedIdentity", "type": "servicePrincipal"}})["type"] == \
        "managedIdentity"


def test_a_managed_identity_has_the_name_the_context_line_gives_it():
    from azext_tokenguard.guard.profile import context_from_entry
    account = {"id": "s", "user": {"name": "systemAssignedIdentity", "type": "servicePrincipal",
                                   "assignedIdentityInfo": "MSI"}}
    context = context_from_entry(account, "AzureCloud", "default subscription")
    assert identity_of(account) == {"type": context.identity_type, "name": context.identity_name,
                                    "assignedIdentityInfo": "MSI"}
    assert context.identity_name == "systemAssignedIdentity"


def test_user_identity_and_cloud_shell():
    assert identity_of({"user": {"name": "a@b.c", "type": "user"}}) == {"type": "user", "name": "a@b.c"}
    assert identity_of({"user": {"name": "a@b.c", "type": "user", "cloudShellID": True}})["via"] == "Cloud Shell"


def test_windows_cache_is_the_dpapi_encrypted_bin_file():
    report = token_cache_report(r"C:\Users\a\.azure", True, "win32", exists=lambda _: True)
    assert report["path"].endswith("msal_token_cache.bin")
    assert report["servicePrincipalStore"].endswith("service_principal_entries.bin")
    assert report["protection"] == "DPAPI (Windows user account)"


def test_plain_text_cache_on_linux_says_so():
    report = token_cache_report("/home/a/.azure", False, "linux", exists=lambda _: False)
    assert report == {"path": "/home/a/.azure/msal_token_cache.json", "exists": False, "encrypted": False,
                      "protection": "none: plain-text JSON that any process running as you can read",
                      "servicePrincipalStore": "/home/a/.azure/service_principal_entries.json"}


def test_status_tolerates_a_sparse_account_entry():
    status = build_status({"user": {}}, "AzureCloud", "/x", False, "linux", exists=lambda _: False)
    assert status["subscription"] == {"id": None, "name": None, "state": None, "isDefault": False}
    assert status["identity"] == {"type": "user", "name": None}
