"""get-token as a drop-in for az account get-access-token: az's columns, and az's --resource-type values."""
from collections import OrderedDict

import pytest
from azure.cli.core.cloud import AZURE_CHINA_CLOUD, AZURE_PUBLIC_CLOUD

from azext_tokenguard._format import AZ_ACCESS_TOKEN_COLUMNS, az_columns_first
from azext_tokenguard.tokens.resources import AZ_RESOURCE_TYPES, ResourceError, resource_of_type

RESULT = {"tokenType": "Bearer", "accessToken": "t", "expires_on": 1, "expiresOn": "x", "tenant": "tid",
          "subscription": "sid", "audience": "a", "scopes": [], "roles": [], "identityType": "application",
          "expiresAt": "z", "secondsRemaining": 9, "tokenSource": "cache"}


def test_az_columns_come_first_in_azs_own_tsv_order_then_the_summary():
    ordered = az_columns_first(RESULT)
    assert isinstance(ordered, OrderedDict)
    assert list(ordered)[:6] == list(AZ_ACCESS_TOKEN_COLUMNS) == sorted(AZ_ACCESS_TOKEN_COLUMNS)
    assert list(ordered)[6:] == sorted(set(RESULT) - set(AZ_ACCESS_TOKEN_COLUMNS))
    assert dict(ordered) == RESULT


def test_without_a_subscription_the_rest_keeps_its_order_and_other_results_pass_through():
    no_subscription = {k: v for k, v in RESULT.items() if k != "subscription"}
    assert list(az_columns_first(no_subscription))[:5] == ["accessToken", "expiresOn", "expires_on", "tenant",
                                                           "tokenType"]
    rows = [{"alias": "arm"}]
    assert az_columns_first(rows) is rows and az_columns_first("eyJ") == "eyJ"


def test_resource_types_are_azs_and_resolve_from_the_cloud():
    assert set(AZ_RESOURCE_TYPES) == {"oss-rdbms", "arm", "aad-graph", "ms-graph", "batch", "media", "data-lake"}
    endpoints = dict(vars(AZURE_PUBLIC_CLOUD.endpoints))
    assert resource_of_type("ms-graph", endpoints, "AzureCloud") == "https://graph.microsoft.com/"
    assert resource_of_type("arm", endpoints, "AzureCloud") == "https://management.core.windows.net/"


def test_a_resource_type_the_cloud_lacks_is_an_error_never_another_resource():
    with pytest.raises(ResourceError, match="has no active_directory_data_lake_resource_id"):
        resource_of_type("data-lake", dict(vars(AZURE_CHINA_CLOUD.endpoints)), "AzureChinaCloud")
