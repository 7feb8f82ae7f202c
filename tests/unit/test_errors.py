"""The error hierarchy and how errors describe a failed Graph call."""

from __future__ import annotations

import pytest

import w365_provider
from w365_provider import errors


def test_hierarchy() -> None:
    for cls in (errors.ConfigurationError, errors.ValidationError, errors.GraphError):
        assert issubclass(cls, errors.W365Error)
    for cls in (errors.NoMatchingImageError, errors.NoMatchingServicePlanError):  # a look-up found nothing
        assert issubclass(cls, errors.W365Error) and not issubclass(cls, errors.GraphError)
    for cls in (
        errors.GraphThrottledError,
        errors.GraphNotFoundError,
        errors.GraphTransportError,
        errors.GraphConflictError,
    ):
        assert issubclass(cls, errors.GraphError)


def test_graph_error_names_operation_status_code_and_request_id() -> None:
    exc = errors.GraphThrottledError(
        "create provisioning policy 'HR'",
        status=429,
        code="TooManyRequests",
        message="slow down",
        request_id="abc-123",
        attempts=6,
    )
    assert str(exc) == (
        "create provisioning policy 'HR' failed after 6 attempts: HTTP 429 TooManyRequests - slow down "
        "(request-id abc-123)"
    )
    assert (exc.status, exc.code, exc.request_id, exc.attempts) == (429, "TooManyRequests", "abc-123", 6)


def test_graph_error_without_an_answer() -> None:
    exc = errors.GraphTransportError("read provisioning policy p1", message="ConnectError: refused")
    assert str(exc) == "read provisioning policy p1 failed: ConnectError: refused"


def test_validation_error_names_the_property() -> None:
    exc = errors.ValidationError("display_name", "must not be empty")
    assert str(exc) == "display_name: must not be empty"
    assert exc.property_name == "display_name"


def test_public_api_lists_everything_once() -> None:
    assert sorted(w365_provider.__all__) == sorted(set(w365_provider.__all__))
    for name in w365_provider.__all__:
        assert hasattr(w365_provider, name), name
    for name in errors.__all__:
        assert name in w365_provider.__all__, name
    assert "ProvisioningPolicy" in w365_provider.__all__


def test_errors_are_raisable_and_catchable_as_base() -> None:
    with pytest.raises(errors.W365Error):
        raise errors.GraphNotFoundError("read x", status=404)
