"""Ctrl-C and SIGTERM at any moment of a run (issue 14, item 5): real processes, real signals.

Each case starts ``python -m voorzieningen run`` in a child process (the Delft demo with
estimated travel times, so the stages before the model take seconds; the ``write`` cases plan
only its community halls over two periods, so that the solve before the writer is quick),
waits until the child is in the named stage and sends it SIGINT or SIGTERM. The child is the
real command line; only the stage it waits in is stretched, by monkeypatching in the child
script (no hook in the product):

- ``build``: the model build sleeps;
- ``solve``: HiGHS solves a hard knapsack (minutes to prove) instead of the Delft model;
- ``write``: writing the maps sleeps, when every table is already in the temporary folder.

Every case must end with exit code 130, "interrupted" and no traceback in the output, no
``.tmp-`` folder left in the results root, and the earlier results byte for byte intact.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from voorzieningen import folders, report
from voorzieningen.folders import TEMP_NAME, clean_stale_temps, temp_prefix

REPO = Path(__file__).resolve().parents[1]
TESTS = Path(__file__).resolve().parent

CHILD = textwrap.dedent(
    """
    import sys, time
    from contextlib import contextmanager
    sys.path.insert(0, {tests!r})
    from voorzieningen import api, cli, report, solve

    stage = sys.argv[1]

    def mark():
        print("STAGE " + stage, flush=True)

    if stage == "build":
        def build(data):
            mark()
            time.sleep(300)
            raise AssertionError("not interrupted")
        api.build_model = build
    elif stage == "solve":
        from test_faults import knapsack
        api.build_model = lambda data: (knapsack(600, 20), 1.0)
        real = solve.solver_interruptible
        @contextmanager
        def marked(cancel):
            with real(cancel):
                mark()
                yield
        solve.solver_interruptible = marked
    elif stage == "write":
        def maps(*args, **kwargs):
            mark()
            time.sleep(300)
            raise AssertionError("not interrupted")
        report.write_map_files = maps
    sys.argv = ["voorzieningen", *sys.argv[2:]]
    cli.main()
    """
)


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _interrupt(stage: str, sig: signal.Signals, tmp_path: Path, data_dir: Path) -> str:
    """Run the child until it is in ``stage``, send ``sig``; return its output."""
    root = tmp_path / "results"
    target = root / "delft" / "base"
    target.mkdir(parents=True)
    (target / "decisions.csv").write_text("site,action\nearlier,keep\n", encoding="utf-8")
    (target / "run.json").write_text('{"scenario": "base"}', encoding="utf-8")  # a run of ours
    before = _tree(root)
    log = tmp_path / "child.log"
    args = [
        "run",
        str(REPO / "inputs" / "delft" / "scenarios.toml"),
        "--data-dir",
        str(data_dir),
        "--out-dir",
        str(target),
        "--set",
        "network.method=estimate",
        "--set",
        "solver.time_limit_s=600",  # the knapsack runs until the signal
        "--set",
        "solver.mip_rel_gap=0",  # (within the demo's 0.5 % it may end in a second)
    ]
    if stage == "write":  # reach the writer soon: a plan within 5 % or after 5 s ...
        args[-3] = "solver.time_limit_s=5"
        args[-1] = "solver.mip_rel_gap=0.05"
        # ... of the community halls over two periods (solved in well under a second; the
        # writer writes the same files for any plan)
        args += ["--set", 'model.services=["community_hall"]', "--set", "periods=[2025, 2030]"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(TESTS)])}
    code = CHILD.format(tests=str(TESTS))
    with log.open("w", encoding="utf-8") as sink:
        child = subprocess.Popen(
            [sys.executable, "-c", code, stage, *args],
            stdout=sink,
            stderr=subprocess.STDOUT,
            cwd=tmp_path,
            env=env,
        )
        try:
            deadline = time.monotonic() + 300
            while f"STAGE {stage}" not in log.read_text(encoding="utf-8"):
                assert child.poll() is None, log.read_text(encoding="utf-8")
                assert time.monotonic() < deadline, "the child never reached " + stage
                time.sleep(0.1)
            time.sleep(0.5)  # well inside the stage
            sent = time.monotonic()
            child.send_signal(sig)
            code_ = child.wait(timeout=60)
            took = time.monotonic() - sent
        finally:
            if child.poll() is None:
                child.kill()
                child.wait(timeout=30)
    text = log.read_text(encoding="utf-8")
    assert code_ == 130, text
    assert took < 30, f"{took:.1f} s from the signal to the exit"
    assert "interrupted" in text, text
    assert "Traceback" not in text, text
    assert "unexpected error" not in text, text
    assert not [p for p in root.rglob("*") if ".tmp-" in p.name], list(root.rglob("*"))
    assert _tree(root) == before  # the earlier results, byte for byte; nothing else
    return text


@pytest.mark.slow
@pytest.mark.parametrize(
    ("stage", "sig"),
    [
        ("build", signal.SIGINT),
        ("build", signal.SIGTERM),
        ("solve", signal.SIGINT),
        ("solve", signal.SIGTERM),
        ("write", signal.SIGINT),
        ("write", signal.SIGTERM),
    ],
    ids=lambda v: v.name if isinstance(v, signal.Signals) else v,
)
def test_signal_stops_the_run_cleanly(
    stage: str, sig: signal.Signals, tmp_path: Path, data_dir: Path
) -> None:
    text = _interrupt(stage, sig, tmp_path, data_dir)
    if stage == "solve":  # HiGHS was stopped, not a solver error made of the signal
        assert "HiGHS stopped" not in text, text
        assert "unhandled status" not in text, text  # nor Pyomo's notice of it


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def _gone_pid() -> int:
    """A process id that no longer runs: a child that has exited and been reaped."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait(timeout=30)
    return child.pid


def test_stale_temp_folders_are_cleaned_and_nothing_else(tmp_path: Path) -> None:
    root = tmp_path / "delft"
    root.mkdir()
    dead = _gone_pid()
    stale_dir = root / f".base.tmp-{dead}-abcd_123"  # a killed writer's folder
    stale_dir.mkdir()
    (stale_dir / "decisions.csv").write_text("x", encoding="utf-8")
    stale_old = root / ".krap.tmp-k2j4h5g6"  # an older writer's name (no process id)
    stale_old.mkdir()
    stale_file = root / f".explain.csv.tmp-{dead}-zz9zz9zz"  # explain writes files
    stale_file.write_text("x", encoding="utf-8")
    alive = root / f".ruim.tmp-{os.getpid()}-qwertyui"  # a running writer's (here: ours)
    alive.mkdir()
    fresh = root / f".fiets.tmp-{dead}-newnewne"  # made after the current run started
    fresh.mkdir()
    kept = [
        root / "base",  # results
        root / ".history",
        root / ".base.tmp",  # not our pattern (no suffix)
        root / "base.tmp-abc",  # not hidden: not ours
        root / ".base.TMP-abcdefgh",
        root / ".base.tmp-abc",  # not tempfile's 8 characters: another tool's
        root / f".base.tmp-{dead}-abcdefghij",
    ]
    for path in kept:
        path.mkdir()
    outside = tmp_path / f".base.tmp-{dead}-outoutou"  # beside the root: never touched
    outside.mkdir()
    link = root / f".link.tmp-{dead}-abcdefgh"  # a link is never followed or removed
    link.symlink_to(outside, target_is_directory=True)
    for path in (stale_dir, stale_old, stale_file, alive, *kept, outside):
        _age(path, 3600)
    _age(fresh, -3600)  # in the future of the run's start
    os.utime(link, (time.time() - 3600, time.time() - 3600), follow_symlinks=False)

    removed = clean_stale_temps(root, before=time.time() - 60)

    assert sorted(removed) == sorted([stale_dir, stale_old, stale_file])
    assert not stale_dir.exists()
    assert not stale_old.exists()
    assert not stale_file.exists()
    for path in (alive, fresh, *kept, outside, link):
        assert path.is_symlink() or path.exists(), path
    assert outside.is_dir()


def test_temp_names_carry_the_process_and_match_the_pattern() -> None:
    prefix = temp_prefix("base")
    assert prefix == f".base.tmp-{os.getpid()}-"
    match = TEMP_NAME.match(prefix + "abc_1234")
    assert match is not None
    assert match.group("pid") == str(os.getpid())
    assert match.group("name") == "base"
    assert TEMP_NAME.match(".base.tmp-abc_1234").group("pid") is None  # type: ignore[union-attr]
    assert TEMP_NAME.match("base.tmp-abcdefgh") is None
    assert TEMP_NAME.match(".base.tmp-abcdefghi") is None


def test_the_next_write_cleans_a_killed_writers_folder(tmp_path: Path) -> None:
    from test_report import NO_MAPS, toy_results
    from voorzieningen.record import SavedRun

    root = tmp_path / "delft"
    root.mkdir()
    stale = root / f".base.tmp-{_gone_pid()}-abcdefgh"
    stale.mkdir()
    (stale / "decisions.csv").write_text("half", encoding="utf-8")
    _age(stale, 3600)
    assert stale.stat().st_mtime < folders.PROCESS_STARTED
    report.write_report(SavedRun.from_results(toy_results("new")), root / "krap", settings=NO_MAPS)
    assert not stale.exists()
    assert not [p for p in root.iterdir() if ".tmp-" in p.name]
    assert (root / "krap" / "decisions.csv").is_file()
