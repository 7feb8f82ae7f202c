"""The base of this package's dynamic providers: an empty pickle, settings read at run time."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from pulumi.dynamic import ConfigureRequest, ResourceProvider

from w365_provider.errors import ConfigurationError
from w365_provider.graph import process
from w365_provider.graph.client import GraphRuntime, runtime
from w365_provider.settings import Settings, check_program_config

__all__ = ["GraphProvider", "check_program_settings"]

_announced: set[str] = set()
_announce_lock = threading.Lock()
_kept_lock = threading.Lock()
T = TypeVar("T")


class GraphProvider(ResourceProvider):
    """A dynamic provider that talks to Graph.

    Pickled into state by reference and empty: settings come from ``configure`` (stack config,
    secrets decrypted) and the environment in the provider process; the Graph client is built
    there on first use.

    In a program, creating one checks the stack's ``w365`` settings first
    (``check_program_settings``). In the provider process, ``configure`` also makes the
    process end with the engine and print errors as one paragraph (``graph.process``), and
    prints the Graph root once (``Graph: https://…/v1.0 (tenant …)``).
    """

    serialize_as_secret_always = False  # the pickle holds no state at all (see __getstate__)

    def __init__(self) -> None:
        super().__init__()
        check_program_settings()

    def __getstate__(self) -> dict[str, Any]:
        return {}

    def __setstate__(self, state: Mapping[str, Any]) -> None:
        pass

    def configure(self, req: ConfigureRequest) -> None:
        """Read settings from the stack config (namespace ``w365``) and the environment."""
        process.supervise()
        process.short_errors()
        self._settings = Settings.from_configure_request(req)
        announce(self._settings)

    def settings(self) -> Settings:
        """The settings given by ``configure``, else from the environment alone."""
        found: Settings | None = getattr(self, "_settings", None)
        if found is None:
            found = self._settings = Settings.from_mapping({})
        return found

    def _runtime(self) -> GraphRuntime:
        return runtime(self.settings())

    def kept(self, name: str, make: Callable[[], T]) -> T:
        """What this provider object keeps for the life of its process under ``name`` (made by
        ``make`` on first use): the reads it shares between calls. Never pickled (``__getstate__``)."""
        key = f"_kept_{name}"
        with _kept_lock:
            if key not in self.__dict__:
                self.__dict__[key] = make()
            found: T = self.__dict__[key]
        return found


def announce(settings: Settings) -> None:
    """Print ``settings.banner()`` to stderr, once per process and Graph root (the engine shows
    a dynamic provider's stderr to the user)."""
    line = settings.banner()
    with _announce_lock:
        if line in _announced:
            return
        _announced.add(line)
    print(line, file=sys.stderr, flush=True)


def check_program_settings() -> None:
    """In a running Pulumi program, check the stack's ``w365`` settings (unknown keys, Graph
    URL, plain-text token) and stop the program with one paragraph if they are wrong.

    Does nothing outside a program (unit tests, the provider process)."""
    import pulumi
    from pulumi.runtime.settings import get_monitor

    if get_monitor() is None:
        return
    try:
        check_program_config()
    except ConfigurationError as exc:
        raise pulumi.RunError(str(exc)) from None
