"""The ``w365`` command: ``w365 report`` (below) and ``w365 impact`` (``impact/cli.py``, docs/impact.md).

``w365 --version`` prints the package version. ``w365 schema`` prints the JSON Schema of a stack
file (kept in ``schema/stack-config.schema.json``; see ``w365_provider.config.schema``).

``w365 export``: a stack file for the Windows 365 objects of an existing tenant, read-only
(``w365_provider.export``; see docs/stacks.md, "From an existing tenant")::

    W365_GRAPH_TOKEN=... w365 export --stack contoso            # stacks/Pulumi.contoso.yaml
    w365 export --api-version beta --kinds policies -o -        # to stdout

``w365 report``: Markdown for a pull-request comment from ``pulumi preview --json`` output::

    scripts/pulumi preview --json --stack dev  > dev.json
    scripts/pulumi preview --json --stack prod > prod.json
    w365 report --stack dev=dev.json --stack prod=prod.json -o report.md
    w365 report dev.json prod.json          # stack names taken from the URNs in each file
    scripts/pulumi preview --json --stack dev | w365 report -

Groups are shown by name next to a short id: names come from the preview itself (the groups the
stack creates, and the program's ``groupNames`` output); ``--lookup-groups`` reads the others
from Graph, one read per group.

``--people`` adds an "Effect on people" section per stack (read-only Graph requests, settings from
``W365_GRAPH_URL``/``W365_GRAPH_TOKEN`` or azure-identity, ``--graph-url``).

Never pass ``--show-secrets`` to the preview whose output you report: the report hides
values the engine marks as secret, and with that flag the engine marks none.

Exit status: 0 when the report was written (even when it shows a failed preview); 1 when
an input could not be read as a preview (the report is still written, saying so);
2 for usage errors.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from w365_provider import report as rpt
from w365_provider.impact import cli as impact_cli
from w365_provider.version import version

__all__ = ["main"]

MAX_COMMENT_CHARS = 60_000
"""GitHub refuses comments over 65,536 characters; stay below with room for a note."""


def _stack_arg(value: str) -> tuple[str, str]:
    name, sep, path = value.partition("=")
    if not sep or not name.strip() or not path.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=FILE, got {value!r}")
    return name.strip(), path.strip()


_STDIN: list[str] = []


def _read(path: str) -> str:
    if path == "-":
        if not _STDIN:  # read once: --people reads the digest again
            _STDIN.append(sys.stdin.read())
        return _STDIN[0]
    return Path(path).read_text(encoding="utf-8")


NamesFor = Callable[[str, list[str]], dict[str, str]]
"""(stack, group ids) -> display names: how unnamed groups get named (``--lookup-groups``)."""


def _load(name: str | None, path: str, names_for: NamesFor | None = None) -> rpt.StackReport:
    fallback = name or (Path(path).stem if path != "-" else "stack")
    try:
        digest = rpt.load_digest(_read(path))
    except (OSError, UnicodeDecodeError, rpt.ReportError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return rpt.StackReport(stack=fallback, problem=f"{path}: {reason}")
    stack = name or rpt.stack_of(digest) or fallback
    names = names_for(stack, rpt.group_ids(digest)) if names_for else None
    return rpt.analyze(digest, stack=stack, group_names=names)


def _graph_names(stacks_dir: str) -> tuple[NamesFor, Callable[[], list[str]]]:
    """A ``NamesFor`` reading Graph (settings from the stack file's ``w365:graphUrl`` and
    ``w365:tenantId`` and the environment), and a function returning what went wrong."""
    from w365_provider.errors import ConfigurationError
    from w365_provider.lookups.groups import GroupNames
    from w365_provider.settings import Settings

    lookup = GroupNames()
    notes: list[str] = []

    def names_for(stack: str, ids: list[str]) -> dict[str, str]:
        if not ids:
            return {}
        config = _stack_file_config(Path(stacks_dir) / f"Pulumi.{stack}.yaml")
        try:
            settings = Settings.from_mapping({k: config.get(f"w365:{k}") for k in ("graphUrl", "tenantId")})
        except ConfigurationError as exc:
            notes.append(f"stack {stack}: groups not looked up: {exc}")
            return {}
        return lookup.lookup(ids, settings)

    return names_for, lambda: notes + lookup.problems


def _stack_file_config(path: Path) -> dict[str, Any]:
    """The plain text values of a stack file's ``config`` (empty when there is no such file)."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return {}
    config = data.get("config") if isinstance(data, dict) else None
    return {k: v for k, v in (config or {}).items() if isinstance(v, str)}


def truncate(markdown: str, limit: int) -> str:
    """Cut ``markdown`` to at most ``limit`` characters at a line end, closing open blocks."""
    if len(markdown) <= limit:
        return markdown
    note = (
        "\n\n> [!NOTE]\n"
        "> The report was cut to fit a pull-request comment; run `w365 report` locally for all of it.\n"
    )
    cut = markdown[: max(0, limit - len(note) - 40)]
    cut = cut[: cut.rfind("\n") + 1] if "\n" in cut else cut
    if cut.count("```") % 2:
        cut += "```\n"
    cut += "</details>\n" * max(0, cut.count("<details>") - cut.count("</details>"))
    return cut + note


def _report(args: argparse.Namespace) -> int:
    inputs: list[tuple[str | None, str]] = [(n, p) for n, p in args.stack or []]
    inputs += [(None, p) for p in args.files or []]
    if not inputs:
        if sys.stdin.isatty():
            print("w365 report: give preview files (or --stack NAME=FILE, or - for stdin)", file=sys.stderr)
            return 2
        inputs = [(None, "-")]
    names_for, notes = (None, list) if not args.lookup_groups else _graph_names(args.stacks_dir)
    reports = [_load(name, path, names_for) for name, path in inputs]
    if args.people:
        for (_, path), stack in zip(inputs, reports):
            if not stack.problem:
                stack.people = impact_cli.people_markdown(rpt.load_digest(_read(path)), args.graph_url)
    markdown = rpt.render(reports, title=args.title)
    if args.max_chars:
        markdown = truncate(markdown, args.max_chars)
    if args.output and args.output != "-":
        Path(args.output).write_text(markdown, encoding="utf-8")
    else:
        sys.stdout.write(markdown)
    for note in notes():
        print(f"w365 report: {note}", file=sys.stderr)
    bad = [r for r in reports if r.problem]
    for r in bad:
        print(f"w365 report: {r.problem}", file=sys.stderr)
    return 1 if bad else 0


def _schema(args: argparse.Namespace) -> int:
    from w365_provider.config.schema import schema_text

    text = schema_text()
    if args.output and args.output != "-":
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="w365", description="Windows 365 provisioning as code: helper commands.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    schema = sub.add_parser(
        "schema",
        help="the JSON Schema of a stack file (stacks/Pulumi.<stack>.yaml)",
        description=(
            "Print the JSON Schema of a stack file, generated from the config model: editors that read "
            "`# yaml-language-server: $schema=...` complete and check the w365 keys with it."
        ),
    )
    schema.add_argument("-o", "--output", metavar="OUT", help="write the schema here (default: stdout)")
    schema.set_defaults(func=_schema)

    from w365_provider.export.command import add_parser as add_export

    add_export(sub)

    report = sub.add_parser(
        "report",
        help="Markdown for a pull-request comment from `pulumi preview --json` output",
        description=(
            "Render one or several stacks' `pulumi preview --json` output as Markdown: per stack, the "
            "provisioning policies created, updated, replaced and deleted with old and new values, "
            "disruptive changes, assignment changes by group, other resources and warnings. "
            "Secrets are never shown."
        ),
    )
    report.add_argument(
        "--stack", action="append", type=_stack_arg, metavar="NAME=FILE",
        help="a stack's preview JSON (repeatable); FILE may be - for stdin",
    )  # fmt: skip
    report.add_argument(
        "files", nargs="*", metavar="FILE", help="preview JSON files; the stack name comes from the URNs"
    )
    report.add_argument("-o", "--output", metavar="OUT", help="write the Markdown here (default: stdout)")
    report.add_argument("--title", default="Windows 365 preview", help="heading of the report")
    report.add_argument(
        "--lookup-groups", action="store_true",
        help="name the groups the previews do not name with one read-only Graph call per group (Graph "
             "settings: the stack file's w365:graphUrl and w365:tenantId, then W365_GRAPH_URL, W365_GRAPH_TOKEN, "
             "W365_TENANT_ID and azure-identity's sign-in)",
    )
    report.add_argument(
        "--stacks-dir", default="stacks", metavar="DIR",
        help="where the stack files (Pulumi.<stack>.yaml) are, for --lookup-groups (default: stacks)",
    )  # fmt: skip
    report.add_argument(
        "--max-chars", type=int, default=MAX_COMMENT_CHARS, metavar="N",
        help=f"cut the report to N characters, 0 for no limit (default {MAX_COMMENT_CHARS}, under GitHub's limit)",
    )  # fmt: skip
    report.add_argument(
        "--people", action="store_true",
        help="add an 'Effect on people' section per stack (read-only Graph requests; see docs/impact.md)",
    )  # fmt: skip
    report.add_argument("--graph-url", metavar="URL", help="Graph root for --people (default: W365_GRAPH_URL)")
    report.set_defaults(func=_report)
    impact_cli.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``w365`` console script."""
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
