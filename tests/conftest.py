"""Shared fixtures: where the read-only shared data lives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


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
