"""Request builders for a Graph entity the (v1.0) msgraph-sdk lacks.

Every resource sends its requests to the Graph root ``w365:graphUrl`` names (its version
decides what a resource may set: ``kit.checks.check_versions``). The SDK's builders have URL
templates ``{+baseurl}/...`` that the request adapter fills with that root. An entity the
v1.0 SDK has no builder for (``cloudPcOrganizationSettings``, beta only) gets a ``RawBuilder``
with its own template at the version it exists in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from w365_provider.kit.spec import BETA, V1

__all__ = ["RawBuilder", "raw_builder", "root_for"]

_VERSION_SEGMENT = re.compile(r"/(v1\.0|beta)$")


def root_for(base_url: str, version: str) -> str:
    """``base_url`` (a Graph root ending in its version) with the version ``version``."""
    if version not in (V1, BETA):
        raise ValueError(f"unknown Graph version {version!r}")
    if _VERSION_SEGMENT.search(base_url):
        return _VERSION_SEGMENT.sub("/" + version, base_url)
    return base_url.rstrip("/") + "/" + version


@dataclass
class RawBuilder:
    """What ``GraphRuntime.send`` needs of a request builder: a URL template, its parameters,
    the request adapter."""

    url_template: str
    path_parameters: dict[str, Any]
    request_adapter: Any

    def with_url(self, url: str) -> RawBuilder:
        """The builder of an absolute URL (``@odata.nextLink``)."""
        return RawBuilder("{+request-raw-url}", {"request-raw-url": url}, self.request_adapter)


def raw_builder(client: Any, path: str, version: str, query: str = "") -> RawBuilder:
    """A builder of ``path`` (below the Graph root, ``/deviceManagement/...``) at ``version``;
    ``query`` names the query options it takes (``?%24select,%24expand``)."""
    adapter = client.request_adapter
    return RawBuilder(root_for(str(adapter.base_url), version) + path + query, {}, adapter)
