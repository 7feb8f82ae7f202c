"""``w365 export``: the command around ``export_tenant`` (options, the output file, exit status).

Exit status: 0 when the file was written; 1 when Graph could not be read, or with ``--strict``
when something was left out (the file is written all the same); 2 for usage errors, and when
the output file exists and ``--force`` was not given.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from w365_provider.errors import W365Error
from w365_provider.export.run import KIND_NAMES, export_tenant
from w365_provider.settings import DEFAULT_GRAPH_URL, Settings

__all__ = ["add_parser", "graph_url_for", "run"]

API_VERSIONS = ("v1.0", "beta")


def graph_url_for(url: str, api_version: str | None) -> str:
    """``url`` with its version segment replaced by ``api_version`` (``v1.0`` or ``beta``)."""
    if not api_version:
        return url
    parts = urlsplit(url.rstrip("/"))
    root = parts.path.rsplit("/", 1)[0] if parts.path.strip("/") else ""
    return urlunsplit((parts.scheme, parts.netloc, f"{root}/{api_version}", "", ""))


def _kinds(value: str) -> tuple[str, ...]:
    kinds = tuple(k.strip() for k in value.split(",") if k.strip())
    unknown = [k for k in kinds if k not in KIND_NAMES]
    if unknown or not kinds:
        raise argparse.ArgumentTypeError(f"unknown kind(s) {', '.join(unknown) or '(none)'}; known: {', '.join(KIND_NAMES)}")
    return kinds


def add_parser(sub: Any) -> None:
    """The ``export`` subcommand of ``w365``."""
    parser = sub.add_parser(
        "export",
        help="write a stack file for the Windows 365 objects of an existing tenant (read-only)",
        description=(
            "Read every Windows 365 object of a tenant through Microsoft Graph (GET requests only) and write a "
            "stack config file for this program: every entry adopts its object by Graph id, groups are objectId "
            "references with their display names as comments, and what the stack file cannot express is left "
            "out with a comment. Secrets are never written. Graph: --graph-url, else W365_GRAPH_URL, else "
            f"{DEFAULT_GRAPH_URL}; sign-in: W365_GRAPH_TOKEN, else azure-identity (Azure CLI, AZURE_* ...)."
        ),
    )
    parser.add_argument("--stack", metavar="NAME", help="write stacks/Pulumi.NAME.yaml (see --stacks-dir)")
    parser.add_argument("--stacks-dir", default="stacks", metavar="DIR", help="where stack files are (default: stacks)")
    parser.add_argument("-o", "--output", metavar="OUT", help="write here instead; - for stdout (the default without --stack)")
    parser.add_argument("--kinds", type=_kinds, default=KIND_NAMES, metavar="K1,K2",
                        help=f"object kinds to export (default: all of {', '.join(KIND_NAMES)}); groups follow the references")
    parser.add_argument("--graph-url", metavar="URL", help="Graph root with its version, such as https://graph.microsoft.com/beta")
    parser.add_argument("--api-version", choices=API_VERSIONS, help="Graph API version: replaces the version of the Graph URL")
    parser.add_argument("--tenant-id", metavar="ID", help="the Entra tenant to sign in to (else W365_TENANT_ID)")
    parser.add_argument("--force", action="store_true", help="replace an existing file (its encryption salt and secrets are kept)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when anything was left out of the file")
    parser.set_defaults(func=run)  # fmt: skip


def _target(args: argparse.Namespace) -> Path | None:
    if args.output and args.output != "-":
        return Path(args.output)
    if args.output == "-" or not args.stack:
        return None
    return Path(args.stacks_dir) / f"Pulumi.{args.stack}.yaml"


def _existing(path: Path) -> Any:
    import yaml

    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None


def run(args: argparse.Namespace) -> int:
    """Run ``w365 export``."""
    target = _target(args)
    if target is not None and target.exists() and not args.force:
        print(f"w365 export: {target} exists; give --force to replace it (its encryption salt and secret values "
              "are kept), or choose another file with -o", file=sys.stderr)  # fmt: skip
        return 2
    try:
        base = Settings.from_mapping({"graphUrl": args.graph_url, "tenantId": args.tenant_id})
        settings = Settings.from_mapping(
            {"graphUrl": graph_url_for(base.graph_url, args.api_version), "tenantId": args.tenant_id}
        )
        result = export_tenant(settings, args.kinds, keep=_existing(target) if target is not None else None)
    except W365Error as exc:
        print(f"w365 export: {exc}", file=sys.stderr)
        return 1
    finally:
        from w365_provider.graph import shutdown

        shutdown()
    if target is None:
        sys.stdout.write(result.text)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(result.text, encoding="utf-8")
    counts = ", ".join(f"{n} {name}" for name, n in result.counts.items())
    where = f"; wrote {target}" if target is not None else ""
    left = f"; {result.left_out} left out (see the comments in the file)" if result.left_out else ""
    print(f"w365 export: {counts} from {settings.graph_url} with {result.requests} Graph requests (GET only)"
          f"{left}{where}", file=sys.stderr)  # fmt: skip
    return 1 if args.strict and result.left_out else 0
