"""The Cloud PC naming template of a provisioning policy: its characters, tokens and lengths.

Graph reference:
- [admin] https://learn.microsoft.com/en-us/windows-365/enterprise/create-provisioning-policy ("Cloud PC naming template")
- [resource] https://learn.microsoft.com/en-us/graph/api/resources/cloudpcprovisioningpolicy?view=graph-rest-1.0
  (``cloudPcNamingTemplate``)
"""

from __future__ import annotations

import re

from ..errors import BadRequest

NAMING_TEMPLATE_CHARACTERS_MSG = (
    "The Cloud PC naming template may only contain letters, numbers and hyphens (no blanks or underscores) "
    "outside the %USERNAME:X% and %RAND:Y% tokens."
)
NAMING_TEMPLATE_TOKEN_MSG = "The Cloud PC naming template contains an unknown or malformed token; use %USERNAME:X% or %RAND:Y%."
NAMING_TEMPLATE_TOKEN_REPEATED_MSG = "The Cloud PC naming template may contain each token at most once."
NAMING_TEMPLATE_RAND_REQUIRED_MSG = "The Cloud PC naming template must contain a %RAND:Y% token."
NAMING_TEMPLATE_RAND_MIN_MSG = "The %RAND:Y% token of the Cloud PC naming template needs Y of at least 5."
NAMING_TEMPLATE_PREFIX_MSG = "The fixed prefix of the Cloud PC naming template can't be longer than 10 characters."
NAMING_TEMPLATE_LENGTH_MSG = (
    "The Cloud PC naming template must produce names of 5 to 15 characters (tokens count by their length); "
    "this one produces {length}."
)
NAMING_TEMPLATE_USERNAME_MSG = "The %USERNAME:X% token is only allowed for dedicated provisioning policies."

_TOKEN_RE = re.compile(r"%(USERNAME|RAND):(\d+)%")
_NAME_CHAR_RE = re.compile(r"[A-Za-z0-9-]")


def _scan(template: str) -> tuple[int, int | None, list[int], list[int]]:
    """(literal characters, fixed prefix length or None, RAND lengths, USERNAME lengths)."""
    literal, pos = 0, 0
    prefix: int | None = None
    rand: list[int] = []
    username: list[int] = []
    while pos < len(template):
        if template[pos] == "%":
            match = _TOKEN_RE.match(template, pos)
            if match is None:
                raise BadRequest(NAMING_TEMPLATE_TOKEN_MSG)
            if prefix is None:
                prefix = literal
            (rand if match.group(1) == "RAND" else username).append(int(match.group(2)))
            pos = match.end()
            continue
        if not _NAME_CHAR_RE.fullmatch(template[pos]):
            raise BadRequest(NAMING_TEMPLATE_CHARACTERS_MSG)
        literal += 1
        pos += 1
    return literal, prefix, rand, username


def check_naming_template(template: str, provisioning_type: str | None) -> None:
    """[admin] "Cloud PC naming template" and the [resource] property text.

    Letters, digits and hyphens outside the ``%USERNAME:X%`` and ``%RAND:Y%`` tokens; ``%RAND:Y%``
    required with Y of at least 5; a fixed prefix of at most 10 characters; names of 5 to 15
    characters; ``%USERNAME%`` only for dedicated policies. Each token at most once: assumption.
    """
    literal, prefix, rand, username = _scan(template)
    if len(rand) > 1 or len(username) > 1:
        raise BadRequest(NAMING_TEMPLATE_TOKEN_REPEATED_MSG)
    if not rand:
        raise BadRequest(NAMING_TEMPLATE_RAND_REQUIRED_MSG)
    if rand[0] < 5:
        raise BadRequest(NAMING_TEMPLATE_RAND_MIN_MSG)
    if username and username[0] < 1:
        raise BadRequest(NAMING_TEMPLATE_TOKEN_MSG)
    if username and (provisioning_type or "dedicated") != "dedicated":
        raise BadRequest(NAMING_TEMPLATE_USERNAME_MSG)
    if (prefix if prefix is not None else literal) > 10:
        raise BadRequest(NAMING_TEMPLATE_PREFIX_MSG)
    length = literal + sum(rand) + sum(username)
    if not 5 <= length <= 15:
        raise BadRequest(NAMING_TEMPLATE_LENGTH_MSG.format(length=length))
