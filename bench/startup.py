"""Kiosk start-up: wall time from process start to the first frame, and resident memory when idle.

Runs `kiosk run --simulate` for each role under Xvfb (or the current display) several times.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import table

ROOT = Path(__file__).resolve().parent.parent


def _once(role: str, workdir: Path) -> tuple[float, int]:
    probe = workdir / f"probe-{role}.json"
    probe.unlink(missing_ok=True)
    cfg = workdir / "bench.toml"
    cfg.write_text(
        (ROOT / "config" / "simulate.toml").read_text().replace('data_dir = "var/data"', f'data_dir = "{workdir}/data"')
        .replace('key_file = "var/keys/data.key"', f'key_file = "{workdir}/data.key"')
    )
    env = dict(os.environ, KIOSK_PROBE=str(probe), KIOSK_PROBE_IDLE_S="3")
    cmd = [sys.executable, "-m", "kiosk", "run", "--simulate", "--role", role, "--config", str(cfg)]
    if not os.environ.get("DISPLAY") and shutil.which("xvfb-run"):
        cmd = ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", *cmd]
    start = time.time()
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)
    data = json.loads(probe.read_text())
    return data["first_frame_at"] - start, data["rss_idle_kb"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.startup")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as d:
        for role in ("guest", "security", "survey"):
            results = [_once(role, Path(d)) for _ in range(args.runs)]
            firsts = [r[0] for r in results]
            rss = [r[1] for r in results]
            rows.append([role, f"{statistics.median(firsts):.2f}", f"{max(firsts):.2f}", f"{statistics.median(rss) / 1024:.0f}"])
    note = "under xvfb-run (includes starting Xvfb)" if not os.environ.get("DISPLAY") else "on $DISPLAY"
    print(f"kiosk run --simulate, {args.runs} runs per role, {note}")
    print(table(["role", "first frame median s", "max s", "RSS idle MiB"], rows))


if __name__ == "__main__":
    main()
