"""Messages Graph answers for every entity set: URL, auth, query options, payload shape, not found.

Rules of one entity set keep their messages in that set's module (``entities/…``); the texts
here are shared by all. Message constants are public so that tests can assert on them.
Sources are listed per rule in ``FIDELITY.md``.
"""

from __future__ import annotations

# HTTP level (routes, auth, body)
SEGMENT_NOT_FOUND_MSG = "Resource not found for the segment '{segment}'."
INVALID_VERSION_MSG = "Invalid version: {version}"
METHOD_NOT_ALLOWED_MSG = "Specified HTTP method is not allowed for the request target."
TOKEN_MISSING_MSG = "Access token is empty."
TOKEN_INVALID_MSG = "Access token validation failure. Invalid audience."
READ_ONLY_TOKEN_MSG = "Insufficient privileges to complete the operation."
INVALID_JSON_MSG = (
    "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format."
)
BODY_TOO_LARGE_MSG = "The maximum request length supported is 4MB."
JSON_TOO_DEEP_MSG = "The JSON request payload is nested deeper than the maximum depth of {max} levels."
RESOURCE_NOT_FOUND_MSG = "The requested resource doesn't exist."
# Query options
QUERY_OPTION_NOT_SUPPORTED_MSG = "Query option '{option}' is not supported on this resource."
QUERY_OPTION_REPEATED_MSG = (
    "Query option '{option}' was specified more than once, but it must be specified at most once."
)
FILTER_INVALID_MSG = "Invalid filter clause: {clause}"
PROPERTY_NOT_FOUND_MSG = "Could not find a property named '{name}' on type '{type}'."
TOP_INVALID_MSG = "Invalid page size specified: '{value}'. Must be between 1 and 999 inclusive."
SKIPTOKEN_INVALID_MSG = "The $skiptoken value '{value}' is not valid."
EXPAND_NOT_SUPPORTED_MSG = "Expanding '{name}' is not supported on type '{type}'."
# Payload shape (OData wording)
UNKNOWN_PROPERTY_MSG = (
    "The property '{name}' does not exist on type '{type}'. Make sure to only use property names that are "
    "defined by the type or mark the type as open type."
)
INVALID_VALUE_MSG = "Cannot convert the literal '{value}' to the expected type '{type}'."
NULL_NOT_ALLOWED_MSG = (
    "A null value was found for the property named '{name}', which has the expected type "
    "'{type}[Nullable=False]'. The expected type '{type}[Nullable=False]' does not allow null values."
)
ODATA_TYPE_MISMATCH_MSG = "The '@odata.type' value '{value}' is not valid here; expected '{expected}'."
UNKNOWN_PARAMETER_MSG = "The parameter '{name}' in the request payload is not a valid parameter for the operation '{action}'."
REQUIRED_PROPERTY_MSG = "The property '{name}' is required."
# Entities
NOT_FOUND_MSG = "No {type} was found with id '{id}'."
