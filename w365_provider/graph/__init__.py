"""The Graph layer: one event loop per process, msgraph-sdk clients, retry rules, errors.

Resources use ``runtime(settings)`` and its ``send`` / ``list`` / ``create`` coroutines; see
``client.py``. What is retried, and how, is in ``retry.py``.
"""

from w365_provider.graph.client import GraphRuntime, Locate, runtime, shutdown
from w365_provider.graph.retry import RetryPolicy

__all__ = ["GraphRuntime", "Locate", "RetryPolicy", "runtime", "shutdown"]
