"""Shared by the benchmark scripts: run a command and measure its wall time and peak RSS.

The command runs inside a fresh interpreter, so that interpreter's RUSAGE_CHILDREN covers
exactly the one command (and not the benchmark script's other children)."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

PROBE = (
    "import resource, subprocess, sys, time\n"
    "t = time.monotonic()\n"
    "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
    "w = time.monotonic() - t\n"
    "sys.stdout.write(p.stdout); sys.stderr.write(p.stderr[-2000:] if p.returncode else '')\n"
    "print(f'PROBE {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss} {w}')\n"
    "sys.exit(p.returncode)\n"
)


def measured(cmd):
    """Runs `cmd` from the crate root; returns (its stdout lines, wall seconds, peak RSS in MB).
    A failing command stops the benchmark with its output and exit status."""
    proc = subprocess.run([sys.executable, "-c", PROBE, *cmd], cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"failed (exit {proc.returncode}): {' '.join(cmd)}")
    lines = proc.stdout.splitlines()
    kb, wall = next(l.split()[1:] for l in lines if l.startswith("PROBE "))
    return [l for l in lines if not l.startswith("PROBE ")], float(wall), int(kb) / 1024
