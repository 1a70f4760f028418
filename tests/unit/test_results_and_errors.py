"""Typed results become camelCase JSON once, and every tokenguard error becomes the az error of its kind."""
import inspect
from dataclasses import dataclass
from typing import Optional

import pytest
from azure.cli.core import azclierror

from azext_tokenguard import az_command
from azext_tokenguard.hygiene import cleanup
from azext_tokenguard.tokens import durations
from azext_tokenguard.tokens import jwt_inspect
from azext_tokenguard.tokens import resources
from azext_tokenguard.tokens import lifetime as token_lifetime
from azext_tokenguard.guard import errors, pin, policy, shell_init
from azext_tokenguard.results import camel_case, key, optional, to_json


@dataclass
class Inner:
    files_seen: int
    kind_detected: Optional[str] = optional()


@dataclass
class Outer:
    inner: Inner
    az_spelling: int = key("expires_on", default=1)
    data: dict = None


def test_field_names_become_camel_case_and_plain_dicts_keep_their_keys():
    result = to_json(Outer(Inner(3), data={"x_ms_claim": [Inner(1, "msal")]}))
    assert result == {"inner": {"filesSeen": 3}, "expires_on": 1,
                      "data": {"x_ms_claim": [{"filesSeen": 1, "kindDetected": "msal"}]}}
    assert camel_case("last_modified_days_ago") == "lastModifiedDaysAgo" and camel_case("id") == "id"


@pytest.mark.parametrize("error, az_type", [
    (durations.DurationError("x"), azclierror.InvalidArgumentValueError),
    (jwt_inspect.TokenFormatError("x"), azclierror.InvalidArgumentValueError),
    (resources.ResourceError("x"), azclierror.InvalidArgumentValueError),
    (policy.PolicyError("x"), azclierror.InvalidArgumentValueError),
    (pin.PinError("x"), azclierror.InvalidArgumentValueError),
    (shell_init.ShellInitError("x"), azclierror.InvalidArgumentValueError),
    (token_lifetime.LifetimeUnavailableError(600, 60), azclierror.ValidationError),
    (cleanup.CleanupError("x"), azclierror.FileOperationError),
    (errors.ConflictingArgumentsError("x"), azclierror.MutuallyExclusiveArgumentError),
    (errors.MissingArgumentError("x"), azclierror.RequiredArgumentMissingError),
    (errors.NotSignedInError("x"), azclierror.AuthenticationError),
    (errors.CancelledError("x"), azclierror.ManualInterrupt),
    (errors.FindingsError("x"), azclierror.UnclassifiedUserFault),
])
def test_each_kind_of_error_maps_to_one_az_error(error, az_type):
    assert type(az_command.as_az_error(error)) is az_type  # pylint: disable=unidiomatic-typecheck


def test_a_command_raises_the_az_error_with_message_and_recommendation_and_returns_json():
    @az_command.az_command
    def failing(namespace):  # pylint: disable=unused-argument
        raise pin.PinError("Give --subscription.")

    @az_command.az_command
    def succeeding(cmd=None):  # pylint: disable=unused-argument
        return Inner(2)

    with pytest.raises(azclierror.InvalidArgumentValueError) as raised:
        failing(None)
    assert raised.value.error_msg == "Give --subscription."
    assert raised.value.recommendations == [pin.PinError.recommendation]
    assert succeeding() == {"filesSeen": 2}
    assert list(inspect.signature(failing).parameters) == ["namespace"]  # what az reads to pass arguments
