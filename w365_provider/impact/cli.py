"""``w365 impact``: who gets which Cloud PC if a stack's change is applied.

    w365 impact --stack local                  # the desired state in stacks/Pulumi.local.yaml
    w365 impact --config path/to/Pulumi.dev.yaml
    w365 impact --preview dev.json --names     # the change in `pulumi preview --json` output
    w365 impact --stack local --json           # the result as JSON (per policy and per user)

Graph is reached as the provider reaches it: ``W365_GRAPH_URL`` (or ``--graph-url``, or the
stack config's ``w365:graphUrl``) and ``W365_GRAPH_TOKEN`` or azure-identity. Only read-only
requests are made (see docs/impact.md for the permissions). Exit status: 0 with a result (even
with blind spots), 2 for usage errors or an unreadable input.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from w365_provider.errors import W365Error

__all__ = ["add_parser", "people_markdown"]


def add_parser(sub: Any) -> None:
    """Add the ``impact`` subcommand to ``w365``'s subparsers."""
    parser = sub.add_parser(
        "impact",
        help="who gets which Cloud PC if a stack's change is applied",
        description=(
            "Per provisioning policy: who would get a new Cloud PC, who is assigned but unlicensed, who is "
            "covered by an earlier-assigned policy, whose Cloud PC keeps its old settings, who loses one "
            "(grace period), and the licence shortfall. Read-only Graph requests; counts first."
        ),
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--stack", metavar="NAME", help="a stack: its desired state in STACK_DIR/Pulumi.NAME.yaml")
    source.add_argument("--config", metavar="FILE", help="a stack config file (Pulumi.<stack>.yaml)")
    source.add_argument("--preview", metavar="FILE", help="`pulumi preview --json` output (- for stdin)")
    parser.add_argument("--stack-dir", default="stacks", metavar="DIR", help="where --stack looks (default: stacks)")
    parser.add_argument("--graph-url", metavar="URL", help="Graph root, e.g. http://127.0.0.1:8765/v1.0")
    parser.add_argument("--names", action="store_true", help="list the people by display name")
    parser.add_argument("--limit", type=int, default=20, metavar="N", help="names per line with --names (0: all)")
    parser.add_argument("--all", action="store_true", help="show every policy, also those the change leaves alone")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from w365_provider.impact.analysis import analyze
    from w365_provider.impact.render import text_report

    try:
        planned, config = _planned(args)
        settings = _settings(args.graph_url, config)
    except (OSError, ValueError, W365Error) as exc:
        print(f"w365 impact: {exc}", file=sys.stderr)
        return 2
    impact = analyze(settings, planned)
    if args.json:
        sys.stdout.write(json.dumps(_json(impact), indent=2, sort_keys=True) + "\n")
    else:
        sys.stdout.write(text_report(impact, names=args.names, limit=args.limit or None, everything=args.all))
    return 0


def _planned(args: argparse.Namespace) -> tuple[list[Any], dict[str, Any]]:
    from w365_provider import report as rpt
    from w365_provider.impact.plan import from_preview, from_stack_config
    from w365_provider.config.stack import api_version_of
    from w365_provider.stack_config import SECTIONS, parse_stack_config

    if args.preview:
        text = sys.stdin.read() if args.preview == "-" else Path(args.preview).read_text(encoding="utf-8")
        try:
            return from_preview(rpt.load_digest(text)), {}
        except rpt.ReportError as exc:
            raise ValueError(f"{args.preview}: {exc}") from None
    path = Path(args.config) if args.config else Path(args.stack_dir) / f"Pulumi.{args.stack}.yaml"
    config = _yaml_config(path)
    sections = {name: config.get(f"w365:{name}") for name in SECTIONS}  # a policy may name a connection
    version = api_version_of(str(config.get("w365:graphUrl") or os.environ.get("W365_GRAPH_URL") or ""))
    return from_stack_config(parse_stack_config(sections, api_version=version)), config


def _yaml_config(path: Path) -> dict[str, Any]:
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    config = data.get("config") or {}
    if not isinstance(config, dict):
        raise ValueError(f"{path}: `config` must be a mapping")
    return config


def _settings(graph_url: str | None, config: dict[str, Any]) -> Any:
    from w365_provider.settings import Settings

    values: dict[str, Any] = {}
    url = graph_url or config.get("w365:graphUrl")
    if isinstance(url, str):
        values["graphUrl"] = url
    if isinstance(config.get("w365:tenantId"), str):
        values["tenantId"] = config["w365:tenantId"]
    return Settings.from_mapping(values)  # given values win over W365_GRAPH_URL


def _json(impact: Any) -> dict[str, Any]:
    """The result without userPrincipalNames: people by id and display name."""
    from w365_provider.impact.render import safe_name

    return {
        "policies": [asdict(e) | {"changed_settings": sorted(e.changed_settings)} for e in impact.policies],
        "shortfalls": [asdict(s) | {"missing": s.missing} for s in impact.shortfalls],
        "outcome": {uid: [list(t) for t in pcs] for uid, pcs in impact.outcome.items()},
        "pools": [{"policy": p, "plan": plan, "count": n} for (p, plan), n in sorted(impact.pools.items())],
        "names": {uid: safe_name(name) for uid, name in impact.names.items()},
        "blind_spots": impact.blind_spots,
        "requests": asdict(impact.requests),
    }


def people_markdown(digest: dict[str, Any], graph_url: str | None = None, limit: int = 5) -> str:
    """The "Effect on people" section for ``w365 report`` from one stack's preview digest; never raises."""
    from w365_provider.impact.analysis import analyze
    from w365_provider.impact.plan import from_preview
    from w365_provider.impact.render import markdown_section

    try:
        impact = analyze(_settings(graph_url, {}), from_preview(digest))
    except Exception as exc:  # noqa: BLE001 - the rest of the report must still render
        return markdown_section(None, problem=f"the analysis failed ({type(exc).__name__}: {exc})")
    return markdown_section(impact, limit=limit)
