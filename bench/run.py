"""Runs every benchmark in bench/ (each module with a main()) and prints their figures.

    .venv/bin/python -m bench.run            all of them
    .venv/bin/python -m bench.run store scan only these
"""
from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    names = argv if argv is not None else sys.argv[1:]
    here = Path(__file__).parent
    modules = [m.name for m in pkgutil.iter_modules([str(here)]) if m.name not in ("run", "__init__") and not m.name.startswith("_")]
    chosen = names or sorted(modules)
    failed = []
    for name in chosen:
        module = importlib.import_module(f"bench.{name}")
        if not hasattr(module, "main"):
            continue
        print(f"\n=== bench/{name}.py ===", flush=True)
        start = time.perf_counter()
        try:
            module.main(list(getattr(module, "RUNNER_ARGV", [])))  # a long benchmark may ask for its short run
        except Exception as exc:  # one broken benchmark must not hide the others' figures
            failed.append(name)
            print(f"bench {name} failed: {exc!r}")
        print(f"(bench/{name}.py took {time.perf_counter() - start:.1f} s)", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
