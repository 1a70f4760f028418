"""Argument checks run by az before a command does any work; they raise az's own error types."""
from types import SimpleNamespace

import pytest
from azure.cli.core import azclierror

from azext_tokenguard import _validators as v


def test_min_validity_arrives_in_seconds_with_exec_defaulting_to_five_minutes():
    namespace = SimpleNamespace(min_validity="1h30m")
    v.validate_get_token_min_validity(namespace)
    assert namespace.min_validity == 5400
    namespace = SimpleNamespace(min_validity=None)
    v.validate_exec_min_validity(namespace)
    assert namespace.min_validity == 300


def test_a_bad_duration_names_the_option_and_an_example():
    with pytest.raises(azclierror.InvalidArgumentValueError) as raised:
        v.validate_get_token_min_validity(SimpleNamespace(min_validity="10x"))
    assert raised.value.error_msg.startswith("--min-validity: invalid duration '10x'")
    assert raised.value.recommendations == ["For example: --min-validity 45m"]


def test_options_that_exclude_each_other():
    with pytest.raises(azclierror.MutuallyExclusiveArgumentError, match="--resource and --scope"):
        v.validate_resource_or_scope(SimpleNamespace(resource="arm", scopes=["x/.default"]))
    with pytest.raises(azclierror.MutuallyExclusiveArgumentError, match="--subscription and --tenant"):
        v.validate_subscription_or_tenant(SimpleNamespace(subscription="s", tenant="t"))
    with pytest.raises(azclierror.MutuallyExclusiveArgumentError, match="--token and --file"):
        v.validate_token_or_file(SimpleNamespace(token="t", file="f"))
    v.validate_resource_or_scope(SimpleNamespace(resource="arm", scopes=None))


def test_exec_needs_a_command_and_refuses_to_nest(monkeypatch):
    with pytest.raises(azclierror.RequiredArgumentMissingError, match="No command to run"):
        v.validate_exec_command(SimpleNamespace(command_args=[]))
    monkeypatch.setenv(v.EXEC_MARKER, "1")
    with pytest.raises(azclierror.ValidationError, match="Already inside"):
        v.validate_exec_command(SimpleNamespace(command_args=["python"]))


def test_since_becomes_the_audit_logs_utc_time():
    namespace = SimpleNamespace(since="2026-11-23T08:00:00+01:00")
    v.validate_since(namespace)
    assert namespace.since == "2026-11-23T07:00:00Z"
    with pytest.raises(azclierror.InvalidArgumentValueError, match="neither a duration nor an ISO 8601 time"):
        v.validate_since(SimpleNamespace(since="yesterday"))
