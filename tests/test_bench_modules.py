"""Every benchmark can be run by bench/run.py, which calls main(argv) on each module (no figures here)."""
from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
MODULES = sorted(m.name for m in pkgutil.iter_modules([str(BENCH)]) if m.name not in ("run", "common", "__init__"))


@pytest.mark.parametrize("name", MODULES)
def test_each_benchmark_has_a_main_that_takes_the_runners_argv(name):
    module = importlib.import_module(f"bench.{name}")
    assert hasattr(module, "main"), f"bench/{name}.py has no main()"
    inspect.signature(module.main).bind([])  # bench/run.py calls main([])


def test_the_runner_knows_every_capability_benchmark():
    assert {"store", "startup", "scan", "ocr", "ticket", "lockers", "sync", "flow", "survey", "ops"} <= set(MODULES)
