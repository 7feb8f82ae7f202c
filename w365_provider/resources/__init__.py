"""One package per Windows 365 resource, each described by a spec (see ``w365_provider.kit``):
``spec.py`` (the table), ``rules.py`` (what the table cannot say), ``provider.py`` (extra Graph
steps) and ``__init__.py`` (the public resource class)."""
