"""Graph API versions for resources whose properties (or whole entity) exist only in beta.

The msgraph-sdk request builders are v1.0's. A builder's URL template is ``{+baseurl}/...``
and the request adapter fills ``baseurl`` with its own (v1.0) root on every request, so the
same template with the beta root written in place of ``{+baseurl}`` reaches beta
(``https://graph.microsoft.com/beta/...``); query options still go through the template.
An entity v1.0's SDK lacks (``cloudPcOrganizationSettings``) gets a ``RawBuilder`` with its
own template.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from w365_provider.kit.spec import BETA, V1

__all__ = ["RawBuilder", "at_version", "raw_builder", "root_for"]

_VERSION_SEGMENT = re.compile(r"/(v1\.0|beta)$")


def root_for(base_url: str, version: str) -> str:
    """``base_url`` (a Graph root ending in its version) with the version ``version``."""
    if version not in (V1, BETA):
        raise ValueError(f"unknown Graph version {version!r}")
    if _VERSION_SEGMENT.search(base_url):
        return _VERSION_SEGMENT.sub("/" + version, base_url)
    return base_url.rstrip("/") + "/" + version


def at_version(builder: Any, version: str) -> Any:
    """``builder`` (a v1.0 request builder) pointed at Graph ``version``."""
    if version == V1:
        return builder
    root = root_for(str(builder.request_adapter.base_url), version)
    template = str(builder.url_template).replace("{+baseurl}", root)
    return RawBuilder(template, dict(builder.path_parameters), builder.request_adapter)


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
