"""What a resource class passes to the engine, derived from its spec, and how it registers.

``register`` does what ``pulumi.dynamic.Resource.__init__`` does, with two differences that
matter on a large stack:

- the provider is serialized once per provider class, not once per resource: its pickle holds
  no state (``GraphProvider.__getstate__``), so the bytes are the same every time (the SDK's own
  ``serialize_provider``, so existing state sees no change of ``__provider``);
- it is not a function named ``__init__``. The SDK records as a resource's source position the
  caller of the third ``__init__`` on the stack (``Resource``, ``CustomResource``, then the
  concrete class). With ``pulumi.dynamic.Resource.__init__`` in between, that was this package's
  own constructor line; now it is the program's line that declares the resource, as for any
  provider's resources, and each resource's state is a frame shorter;
- the stack trace the SDK records with each resource keeps only the program's own frames (see
  ``program_frames``), not the frames of the language host, the SDK and asyncio below them.
  Those are about 1 kB of each resource's state (a quarter of a policy's), carry the paths of the
  interpreter and the engine on the machine that ran the command, and the engine serializes
  the whole state after every step, so on a large stack each byte is paid once per step.

A resource class declares its outputs (``policy_id: pulumi.Output[str]``, ...) under
``if TYPE_CHECKING:``, for type checkers and readers only: the SDK evaluates a class's runtime
annotations again for every resource it registers (``_types.resource_types``, about 0.5 ms per
resource), and a dynamic resource's outputs are plain values that need no type to resolve.
"""

from __future__ import annotations

import contextvars
import functools
import pathlib
import sys
from collections.abc import Mapping
from typing import Any, Callable, Optional

import pulumi
import pulumi.runtime.resource as sdk_resource
from pulumi.dynamic import ResourceProvider
from pulumi.dynamic.dynamic import PROVIDER_KEY, serialize_provider
from pulumi.runtime._serialization import _serialize  # as pulumi.dynamic.Resource.__init__ of the pinned SDK does

from w365_provider.kit.spec import Spec

__all__ = ["program_frames", "register", "resource_options", "resource_props"]

# Set while ``register`` runs, so the SDK's stack trace is trimmed for this package's resources only.
_registering: contextvars.ContextVar[bool] = contextvars.ContextVar("w365_registering", default=False)

def resource_props(spec: Spec, given: Mapping[str, Any]) -> dict[str, Any]:
    """The inputs among ``given`` (a constructor's arguments), and every computed output as
    ``None`` so the engine knows the resource has it."""
    return {**{name: given.get(name) for name in spec.inputs}, **{name: None for name in spec.computed}}


def resource_options(spec: Spec, opts: Optional[pulumi.ResourceOptions]) -> pulumi.ResourceOptions:
    """``opts`` with the spec's ``replace_on_changes`` and ``ignore_changes`` added."""
    defaults: dict[str, Any] = {"replace_on_changes": list(spec.replace_on_changes)}
    if spec.ignore_changes:
        defaults["ignore_changes"] = list(spec.ignore_changes)
    return pulumi.ResourceOptions.merge(pulumi.ResourceOptions(**defaults), opts)


@functools.cache
def serialized_provider(provider: type[ResourceProvider]) -> str:
    """``__provider`` for every resource of ``provider``: the SDK's serialization of a new
    instance, made once per class. The provider must hold no state and no secret (it keeps
    ``serialize_as_secret_always = False``), or one value could not serve every resource."""
    found, secret = _serialize(True, serialize_provider, provider())
    if secret or getattr(provider, "serialize_as_secret_always", True):
        raise TypeError(f"{provider.__name__} must hold no secret to be serialized once per class")
    return found


def program_frames(trace: Any, program_dir: pathlib.Path, env_dir: pathlib.Path) -> Any:
    """``trace`` (the SDK's ``StackTrace``, innermost frame first) cut to its leading frames in
    ``program_dir`` and not in ``env_dir`` (the program's virtualenv, often inside it): the
    program's own code. Below them come the language host, the SDK and asyncio. At least the
    first frame is kept, whatever it is: it is the resource's source position."""
    inside, outside = (d.as_uri().rstrip("/") + "/" for d in (program_dir, env_dir))
    kept = 0
    for frame in trace.frames:
        uri = frame.pc.uri if frame.HasField("pc") else ""
        if not uri.startswith(inside) or uri.startswith(outside):
            break
        kept += 1
    return type(trace)(frames=trace.frames[: max(kept, 1)])


@functools.cache
def _trim_stack_traces() -> None:
    """Wrap the SDK's ``_get_stack_trace`` (once per process) to apply ``program_frames`` while
    ``register`` runs; other resources of the program keep the SDK's full trace."""
    sdk_trace: Callable[[], Any] = sdk_resource._get_stack_trace

    @functools.wraps(sdk_trace)
    def trace() -> Any:
        found = sdk_trace()
        if not _registering.get():
            return found
        # the engine runs the program in its directory; sys.prefix is the interpreter's (venv's) own
        return program_frames(found, pathlib.Path.cwd(), pathlib.Path(sys.prefix))

    sdk_resource._get_stack_trace = trace


def register(
    resource: pulumi.dynamic.Resource,
    provider: type[ResourceProvider],
    name: str,
    props: Mapping[str, Any],
    opts: Optional[pulumi.ResourceOptions],
) -> None:
    """Register ``resource`` (called from its class's ``__init__``) with the engine, served by
    ``provider``: ``pulumi.dynamic.Resource.__init__`` without its per-resource pickling, and
    with the program's line as the source position and only the program's frames as the stack
    trace (see the module docstring)."""
    values = {**props, PROVIDER_KEY: serialized_provider(provider)}
    _trim_stack_traces()
    token = _registering.set(True)
    try:
        pulumi.CustomResource.__init__(
            resource, f"pulumi-python:{type(resource)._resource_type_name}", name, values, opts
        )
    finally:
        _registering.reset(token)
