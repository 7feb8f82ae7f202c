"""Refuse a stack file the Pulumi engine would misread, before the engine runs (scripts/pulumi).

Why: the engine reads a stack file (``Pulumi.<stack>.yaml``) into the few keys it knows and
silently drops the rest. When it then saves the file, which it does on ``pulumi config set`` and
on a ``preview``/``up`` that adds the passphrase provider's ``encryptionsalt``, everything it
dropped is gone. A file whose config keys lost their indentation under ``config:`` (or whose
``config`` key is misspelled) is thus rewritten to nothing but its ``encryptionsalt`` line, with
its comments. A file that does not parse at all is refused by the engine itself; this says why
first, in the same words.

Usage (from scripts/pulumi, with the pulumi arguments): ``check_stack_file.py [pulumi args]``.
Checks the stack named by ``--stack``/``-s``, or every stack file of the project in the current
directory when none is named. Exit status 0 when fine (or no project here), 2 with a message
otherwise. Only PyYAML is imported, so it adds a few milliseconds to each pulumi command.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ENGINE_KEYS = ("config", "encryptionsalt", "secretsprovider", "encryptedkey", "environment")
"""Top-level keys the engine keeps when it rewrites a stack file."""


def problems(path: Path) -> list[str]:
    """What makes the engine misread ``path`` (empty when nothing does)."""
    try:
        with path.open(encoding="utf-8") as stream:
            data = yaml.safe_load(stream)
    except (OSError, UnicodeDecodeError) as exc:
        return [f"cannot be read: {exc}"]
    except yaml.YAMLError as exc:
        return [f"is not valid YAML ({' '.join(str(exc).split())})"]
    if data is None:
        return []
    if not isinstance(data, dict):
        return [f"must be a mapping with a `config:` key, not a {type(data).__name__}"]
    found = []
    for key in data:
        if key not in ENGINE_KEYS:
            where = "indent it under `config:`" if ":" in str(key) else f"the engine knows only {', '.join(ENGINE_KEYS)}"
            found.append(f"has the top-level key {key!r}, which the engine ignores and drops when it next saves "
                         f"the file ({where})")  # fmt: skip
    if data.get("config") is not None and not isinstance(data["config"], dict):
        found.append("has a `config:` that is not a mapping of namespace:key to values")
    return found


def stack_files(project: Path, stack: str | None) -> list[Path]:
    """The stack files to check: the named stack's, or all of them."""
    config_dir = project
    try:
        settings = yaml.safe_load((project / "Pulumi.yaml").read_text(encoding="utf-8")) or {}
        if isinstance(settings, dict) and settings.get("stackConfigDir"):
            config_dir = project / str(settings["stackConfigDir"])
    except (OSError, yaml.YAMLError):
        pass
    if stack:
        name = stack.rsplit("/", 1)[-1]
        return [p for p in (config_dir / f"Pulumi.{name}.yaml", config_dir / f"Pulumi.{name}.yml") if p.exists()]
    return sorted(p for p in config_dir.glob("Pulumi.*.y*ml") if p.suffix in (".yaml", ".yml"))


def stack_argument(args: list[str]) -> str | None:
    """The value of ``--stack``/``-s`` in pulumi's arguments, if any."""
    for index, arg in enumerate(args):
        if arg in ("--stack", "-s") and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith("--stack="):
            return arg.split("=", 1)[1]
    return None


NO_STACK_COMMANDS = frozenset({"version", "plugin", "login", "logout", "whoami", "help", "about", "gen-completion"})
"""Commands that read no stack file."""


def main(args: list[str]) -> int:
    project = Path.cwd()
    command = next((a for a in args if not a.startswith("-")), "")
    if not (project / "Pulumi.yaml").exists() or command in NO_STACK_COMMANDS or "--help" in args or "-h" in args:
        return 0
    messages = []
    for path in stack_files(project, stack_argument(args)):
        for problem in problems(path):
            messages.append(f"{path.relative_to(project)} {problem}")
    if not messages:
        return 0
    print("scripts/pulumi: refusing to run, a stack file would be misread (and could be rewritten without "
          "its content):", file=sys.stderr)  # fmt: skip
    for message in messages:
        print(f"  - {message}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
