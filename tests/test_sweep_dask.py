"""Sweeps on Dask: a local cluster of worker processes and an existing scheduler.

Starting a Dask cluster of worker processes (each imports the whole tool) costs more than the
small runs it serves, so both tests share one cluster, started once for this file:

- ``scheduler=None`` makes the sweep start its own local cluster; here ``LocalCluster`` records
  the arguments the sweep asks for and hands it the shared cluster (one worker process:
  the same kind of cluster, a worker fewer to start), and the sweep's closing is recorded;
- an existing scheduler is the shared cluster's address.

Both compare with the same scenarios run one after the other (one module fixture).
"""

from __future__ import annotations

import os

import pytest

from test_cli import DELFT, SMALL, SMALL_BASE

#: The local cluster ``sweep.run_scenarios`` starts for two scenarios (``scheduler=None``).
CLUSTER = {
    "n_workers": min(2, os.cpu_count() or 1),
    "threads_per_worker": 1,
    "processes": True,
    "dashboard_address": ":0",
}


@pytest.fixture(scope="module")
def cluster():
    """One local Dask cluster of worker processes for this file."""
    from dask.distributed import LocalCluster

    with LocalCluster(**{**CLUSTER, "n_workers": 1}) as started:
        yield started


@pytest.fixture(scope="module")
def sequential(data_dir, tmp_path_factory):
    """``base`` and ``krap`` (SMALL settings) run one after the other, without Dask."""
    from voorzieningen import sweep

    return sweep.run_scenarios(
        DELFT,
        ["base", "krap"],
        data_dir=data_dir,
        out_root=tmp_path_factory.mktemp("seq"),
        sets=SMALL,
        scheduler="synchronous",
    )


@pytest.mark.slow
def test_sweep_scenarios_on_dask_matches_sequential_and_resumes(
    cluster, sequential, data_dir, tmp_path, monkeypatch
):
    import dask.distributed

    from voorzieningen import sweep

    started: list[dict[str, object]] = []
    closed: list[bool] = []

    def local_cluster(**kwargs):
        started.append(kwargs)
        return cluster

    monkeypatch.setattr(dask.distributed, "LocalCluster", local_cluster)
    monkeypatch.setattr(cluster, "close", lambda *a, **k: closed.append(True))
    names = ["base", "krap"]
    local = sweep.run_scenarios(
        DELFT, names, data_dir=data_dir, out_root=tmp_path / "dask", sets=SMALL
    )
    assert started == [CLUSTER]  # the sweep started one local cluster of worker processes
    assert closed == [True]  # ... and closed it
    alone = sequential
    for col in ("objective_value", "capex_total_eur", "unmet_visitor_equivalents"):
        assert list(local[col]) == list(alone[col])
    assert not local["resumed"].any()
    again = sweep.run_scenarios(
        DELFT, names, data_dir=data_dir, out_root=tmp_path / "dask", sets=SMALL
    )
    assert again["resumed"].all()
    assert list(again["objective_value"]) == list(local["objective_value"])
    assert len(started) == 1  # nothing left to run: no cluster started
    # a changed setting is a different run: not resumed
    other = sweep.run_scenarios(
        DELFT,
        ["base"],
        data_dir=data_dir,
        out_root=tmp_path / "dask",
        sets=[*SMALL, "solver.mip_rel_gap=0.001"],
        scheduler="synchronous",
    )
    assert not other["resumed"].any()


@pytest.mark.slow
def test_sweep_on_an_existing_dask_scheduler(cluster, sequential, data_dir, tmp_path):
    from voorzieningen import sweep

    remote = sweep.run_scenarios(
        DELFT,
        ["base"],
        data_dir=data_dir,
        out_root=tmp_path / "remote",
        sets=SMALL,
        scheduler=cluster.scheduler_address,
    )
    alone = sequential.loc[["base"]]
    assert list(remote["objective_value"]) == list(alone["objective_value"])
    assert (tmp_path / "remote" / "delft" / SMALL_BASE / "plan.html").is_file()
