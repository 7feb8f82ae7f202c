"""The base of this package's dynamic providers: an empty pickle, settings read at run time."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi.dynamic import ConfigureRequest, ResourceProvider

from w365_provider.graph.client import GraphRuntime, runtime
from w365_provider.settings import Settings


class GraphProvider(ResourceProvider):
    """A dynamic provider that talks to Graph.

    Pickled into state by reference and empty: settings come from ``configure`` (stack config,
    secrets decrypted) and the environment in the provider process; the Graph client is built
    there on first use.
    """

    serialize_as_secret_always = False  # the pickle holds no state at all (see __getstate__)

    def __getstate__(self) -> dict[str, Any]:
        return {}

    def __setstate__(self, state: Mapping[str, Any]) -> None:
        pass

    def configure(self, req: ConfigureRequest) -> None:
        """Read settings from the stack config (namespace ``w365``) and the environment."""
        self._settings = Settings.from_configure_request(req)

    def settings(self) -> Settings:
        """The settings given by ``configure``, else from the environment alone."""
        found: Settings | None = getattr(self, "_settings", None)
        if found is None:
            found = self._settings = Settings.from_mapping({})
        return found

    def _runtime(self) -> GraphRuntime:
        return runtime(self.settings())
