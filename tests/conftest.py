"""Shared fixtures: where the read-only shared data lives."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]

# Lines a test wants printed at the end of the run (e.g. the bad-input corpus summary). Under
# pytest-xdist a worker's output never reaches the terminal: workers hand their lines to the
# controller in ``workeroutput``, which prints them in its terminal summary.
_SUMMARY = pytest.StashKey[list[str]]()


#: The test files that take longest, longest first (CPU seconds measured on the 2-core
#: development machine, 2026-11-27: region 30, Dask sweeps 24, signals 22, cli 21, Delft demo
#: 20, README 19, sweeps 15, alternatives 11, bad inputs 9, writer faults 8; every other file
#: under 7). pytest-xdist (``--dist loadfile --no-loadscope-reorder``, pyproject.toml) hands
#: out whole files in collection order, so these go first and the short files fill the gaps
#: at the end; otherwise a long file handed out last keeps one worker busy alone.
LONGEST_FIRST = (
    "test_region.py",
    "test_sweep_dask.py",
    "test_signals.py",
    "test_cli.py",
    "test_demo_delft.py",
    "test_readme.py",
    "test_sweep.py",
    "test_alternatives.py",
    "test_bad_inputs.py",
    "test_write_faults.py",
)


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_SUMMARY] = []
    missing = [name for name in LONGEST_FIRST if not (REPO / "tests" / name).is_file()]
    if missing:
        msg = f"tests/conftest.py LONGEST_FIRST names files that do not exist: {missing}"
        raise pytest.UsageError(msg)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Collect the longest test files first (see LONGEST_FIRST); the rest keep their order."""
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """Collect a finished xdist worker's summary lines (controller side)."""
    lines = getattr(node, "workeroutput", {}).get("summary_lines", [])
    node.config.stash[_SUMMARY].extend(lines)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    for line in config.stash[_SUMMARY]:
        terminalreporter.write_line(line)


@pytest.fixture
def summary_line(request: pytest.FixtureRequest) -> Callable[[str], None]:
    """Print a line in the run's terminal summary (with or without xdist workers)."""
    config = request.config

    def add(line: str) -> None:
        workeroutput = getattr(config, "workeroutput", None)
        if workeroutput is not None:
            workeroutput.setdefault("summary_lines", []).append(line)
        else:
            config.stash[_SUMMARY].append(line)

    return add


def _shared_dir(env: str, default: Path) -> Path:
    path = Path(os.environ.get(env, str(default)))
    if not path.is_dir():
        msg = f"shared data not found at {path} (set {env})"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    return path


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The shared data directory (`../shared/data`); fails under CI=true when missing."""
    return _shared_dir("VOORZIENINGEN_DATA_DIR", REPO.parent / "shared" / "data")


@pytest.fixture(scope="session")
def benchmarks_dir() -> Path:
    """The shared benchmark instances (`../shared/benchmarks`); fails under CI=true when missing."""
    return _shared_dir("VOORZIENINGEN_BENCHMARKS_DIR", REPO.parent / "shared" / "benchmarks")


@pytest.fixture
def saved_figures(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every matplotlib figure saved during the test (``Figure.savefig`` still writes)."""
    from matplotlib.figure import Figure

    saved: list[Any] = []
    original = Figure.savefig

    def spy(self: Figure, *args: Any, **kwargs: Any) -> Any:
        saved.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", spy)
    return saved
