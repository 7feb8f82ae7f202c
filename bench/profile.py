"""Where the time of one phase goes: the provider (yappi) and the engine (its own CPU profile).

    .venv/bin/python -m pip install yappi        # a bench-only tool, not a dependency
    .venv/bin/python bench/profile.py --n 200 --phase update [--top 25]

Runs ``up`` of the benchmark's stack (``workload.py``), then the phase with profiling on:
the provider process and the program under yappi (every thread, CPU clock; ``profile_hook/sitecustomize.py``
on ``PYTHONPATH``), the engine with ``pulumi --profiling`` (a Go CPU profile, read with
``go tool pprof`` when Go is installed). Prints the top functions of each by own CPU time and
the process CPU split; the profiles stay in ``--out``.
"""

from __future__ import annotations

import argparse
import pstats
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import workload  # noqa: E402
from bench.engine import REPO, Project  # noqa: E402
from w365_provider.emulator.launcher import EmulatorProcess  # noqa: E402

HOOK = Path(__file__).resolve().parent / "profile_hook"


def main() -> int:
    parser = argparse.ArgumentParser(description="Profile one benchmark phase (see the docstring).")
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--phase", choices=("update", "preview", "refresh", "preview-refresh", "destroy"), default="update")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--out", default=str(REPO / "bench" / "results" / "profile"))
    args = parser.parse_args()
    out = Path(args.out)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    token = "bench-" + secrets.token_hex(8)
    root = Path(tempfile.mkdtemp(prefix="w365-profile-"))
    emu = EmulatorProcess(token=token, image_ready_seconds=0.1, extra_args=workload.EMULATOR_ARGS).start()
    try:
        project = Project.create(root, "ours", workload.files("ours"), {"w365:graphUrl": emu.graph_url},
                                 {"W365_GRAPH_TOKEN": token})  # fmt: skip
        workload.write_spec(project.dir, args.n, "a")
        project.up().check()
        if args.phase == "update":
            workload.write_spec(project.dir, args.n, "b")
        project.env.update(W365_PROFILE_OUT=str(out), PYTHONPATH=str(HOOK))
        command = {"update": ("up", "--yes", "--skip-preview"), "refresh": ("refresh", "--yes", "--skip-preview"),
                   "preview-refresh": ("preview", "--refresh"), "preview": ("preview",), "destroy": ("destroy", "--yes", "--skip-preview")}
        run = project.run(f"--profiling={out / 'engine'}", *command[args.phase], "--stack", project.stack,
                          "--non-interactive")  # fmt: skip
        run.check()
        print(f"{args.phase} at N={args.n}: {run.seconds:.2f} s wall; CPU s by process: "
              + ", ".join(f"{k} {v:.2f}" for k, v in run.watch.cpu_seconds().items()))
    finally:
        emu.stop()
        shutil.rmtree(root, ignore_errors=True)
    for path in sorted(out.glob("pro*-*.pstat")):
        print(f"\n== {path.name}: top {args.top} by own CPU time")
        pstats.Stats(str(path)).sort_stats("tottime").print_stats(args.top)
        print(f"== {path.name}: our functions by cumulative CPU time")
        pstats.Stats(str(path)).sort_stats("cumulative").print_stats("w365_provider", args.top)
    cpu = sorted(out.glob("engine*.cpu"))
    go = shutil.which("go")
    if cpu and go:
        print(f"\n== engine {cpu[0].name}: top {args.top} (go tool pprof -top)")
        pprof = subprocess.run([go, "tool", "pprof", "-top", f"-nodecount={args.top}", str(cpu[0])],
                               capture_output=True, text=True, cwd=out)  # fmt: skip
        print(pprof.stdout or pprof.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
