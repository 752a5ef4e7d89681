"""The writer under faults (issue 14, items 2 and 6): names are never paths, nothing outside a
results folder is moved, a plan that cannot be written where asked is saved elsewhere, and
concurrent writers to one folder never end in a raw OSError.

The plan written is the small toy plan of ``test_report`` (no solve): these tests are about
the writer and the folder checks, which run the same for any plan. Where a test runs the
command line, ``api.run_scenario`` is replaced by a function returning that toy plan, so a
check that failed to stop a bad name would write (and the tree hash would show it) instead
of starting a full solve.

Read-only folders: the test process runs as root in CI containers, where ``chmod`` does not
bind; :func:`read_only` then also refuses writes inside the folder by monkeypatching
``os.access``, ``os.mkdir`` and ``os.rename`` (the only calls by which the writer creates or
moves anything: every file is written inside a folder it first creates with ``os.mkdir``).
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from voorzieningen import api, cli, folders, report
from voorzieningen.errors import OutputError, ScenarioError, exit_code_for
from voorzieningen.record import SavedRun
from voorzieningen.report import read_table, write_report
from voorzieningen.scenarios import load_scenario
from voorzieningen.schemas.base import check_folder_name

TESTS = Path(__file__).resolve().parent
DELFT = TESTS.parent / "inputs" / "delft"
runner = CliRunner()


def toy(name: str = "first") -> SavedRun:
    from test_report import toy_results

    return SavedRun.from_results(toy_results(name), region="delft")


NO_MAPS = report.ReportSettings(with_maps=False)
#: The message of a name with other characters, or a bad first or last one.
ALLOWED = (
    r"may hold only letters, digits, '_', '-' and '\.' "
    r"\(starting with a letter, digit or '_', not ending in '\.'\)"
)


def tree(root: Path) -> dict[str, str]:
    """Every file and folder under ``root``: relative path -> sha256 of the bytes, or kind."""
    out: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            out[rel] = "link:" + str(path.readlink())
        elif path.is_dir():
            out[rel] = "dir"
        else:
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def outside(state: dict[str, str], root: str) -> dict[str, str]:
    """The entries of a :func:`tree` that lie outside the folder ``root`` (relative)."""
    return {k: v for k, v in state.items() if k != root and not k.startswith(root + "/")}


def read_only(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``folder`` read-only (chmod; as root also by refusing writes inside it)."""
    folder.chmod(0o555)
    if os.geteuid() != 0:
        return
    locked = folder.resolve()

    def inside(path: object) -> bool:
        return Path(os.fspath(path)).resolve().is_relative_to(locked)  # type: ignore[arg-type]

    real_access, real_mkdir, real_rename = os.access, os.mkdir, os.rename

    def access(path, mode, *args, **kwargs):
        if mode & os.W_OK and inside(path):
            return False
        return real_access(path, mode, *args, **kwargs)

    def mkdir(path, mode=0o777, *args, **kwargs):
        if inside(Path(os.fspath(path)).parent):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real_mkdir(path, mode, *args, **kwargs)

    def rename(src, dst, *args, **kwargs):
        if inside(Path(os.fspath(src)).parent) or inside(Path(os.fspath(dst)).parent):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(dst))
        return real_rename(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)
    monkeypatch.setattr(os, "mkdir", mkdir)
    monkeypatch.setattr(os, "rename", rename)


@pytest.fixture
def private_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The system temporary directory, moved into the test's folder."""
    temp = tmp_path / "systemp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    return temp


@pytest.fixture(autouse=True)
def _writable_again(tmp_path: Path):
    yield
    for path in [tmp_path, *tmp_path.rglob("*")]:
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)


# -- names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("..", "is the current or parent folder, not a name"),
        (".", "is the current or parent folder, not a name"),
        ("", "is empty"),
        ("a/b", "contains a path separator"),
        ("/etc", "contains a path separator"),
        ("C:\\results", "contains a path separator"),
        (".history", r"starts with '\.' \(hidden folders are the tool's own\)"),
        ("base.", ALLOWED),
        ("krap 2030", ALLOWED),
        ("-krap", ALLOWED),
        ("x" * 101, "is longer than 100 characters"),
        ("NUL", "is a name Windows reserves for a device"),
        ("com1.csv", "is a name Windows reserves for a device"),
    ],
)
def test_a_bad_folder_name_is_refused_naming_the_setting(name, problem):
    want = rf"^{re.escape(repr(name))} {problem}; the region names a folder of the results"
    with pytest.raises(ValueError, match=want):
        check_folder_name(name, what="region")


@pytest.mark.parametrize(
    "name", ["delft", "krap_2030", "base-set-0123abcd", "v1.2", "_x", "x" * 100]
)
def test_good_folder_names_pass(name):
    assert check_folder_name(name, what="scenario name") == name


def _scenario(tmp_path: Path, *replacements: tuple[str, str]) -> Path:
    region = tmp_path / "delft"
    shutil.copytree(DELFT, region)
    path = region / "scenarios.toml"
    text = path.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("replacements", "sets", "name", "where"),
    [
        ([('region = "delft"', 'region = ".."')], [], "base", r"base, region\) \| '\.\.' is"),
        ([('region = "delft"', 'region = "a/b"')], [], "base", r"base, region\) \| 'a/b'"),
        ([], ["region=/tmp"], "base", r"base, region\) \| '/tmp' contains a path separator"),
        ([], ["name=."], "base", r"base, name\) \| '\.' is the current"),
        ([("krap = [", '".." = [')], [], "..", r"scenarios, \.\.\) \| the scenario name '\.\.'"),
        ([("krap = [", '"a/b" = [')], [], "krap", r"scenarios, a/b\) \| the scenario name 'a/b'"),
    ],
)
def test_scenario_file_errors_name_the_file_and_key(tmp_path, replacements, sets, name, where):
    path = _scenario(tmp_path, *replacements)
    with pytest.raises(ScenarioError, match=re.escape(str(path)) + ", " + where):
        load_scenario(path, name=name, sets=sets)


# -- names and out-dirs that try to leave the results root: nothing outside is touched ----


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """cwd with an input folder ``delft/``, earlier results and a plain file beside them.

    ``api.run_scenario`` returns the toy plan (no solve): a check that let a bad name
    through would write, and show in the tree's hash.
    """
    monkeypatch.chdir(tmp_path)
    _scenario(tmp_path)
    write_report(toy("earlier"), tmp_path / "results" / "delft" / "base", settings=NO_MAPS)
    write_report(toy("other"), tmp_path / "results" / "delft" / "krap", settings=NO_MAPS)
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    monkeypatch.setattr(api, "run_scenario", lambda *a, **k: toy("new"))
    return tmp_path


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(cli.app, ["run", "delft/scenarios.toml", "--data-dir", ".", *args])
    assert "Traceback" not in result.output
    assert "unexpected error" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, " ".join(result.output.split())


@pytest.mark.parametrize(
    ("replacements", "args", "message"),
    [
        # region ".." + name "delft" wrote to results/../delft: the input folder was moved
        ([('region = "delft"', 'region = ".."')], ["--set", "name=delft"], "'..' is the current"),
        ([], ["--set", "name=."], r"'\.' is the current or parent folder"),  # moved results/delft
        ([], ["--set", "region=a/b"], "'a/b' contains a path separator"),
        ([], ["--set", f"region={Path.cwd().anchor}tmp"], "contains a path separator"),
        ([], ["--set", "name=.history"], "starts with '.'"),
        ([], ["-s", "..", "--set", "region=x"], r"unknown scenario '\.\.'"),
        ([], ["--out-dir", "."], r"\(--out-dir \.\) \| '\.' is not a folder name"),
        ([], ["--out-dir", "results/.."], r"'\.\.' is not a folder name"),
        ([], ["--out-dir", "notes.txt"], r"\(--out-dir notes\.txt\) \| is a file, not a results"),
        ([], ["--out-dir", "notes.txt/base"], r"notes\.txt is a file, not a folder"),
        ([], ["--out-dir", "delft"], r"holds files but is not a results folder \(no run\.json\)"),
        ([], ["--out-dir", "results/delft"], "holds files but is not a results folder"),
        ([], ["--out-dir", "/"], r"'/' is not a folder name"),
    ],
)
def test_names_that_try_to_leave_the_results_root_touch_nothing(
    workspace, replacements, args, message
):
    if replacements:
        _scenario(workspace / "again", *replacements)
        shutil.rmtree(workspace / "delft")
        shutil.move(workspace / "again" / "delft", workspace / "delft")
        (workspace / "again").rmdir()
    before = tree(workspace)
    code, text = _run(*args)
    assert code != 0, text
    assert re.search(message, text), text
    assert tree(workspace) == before  # nothing anywhere changed, results included


def test_a_link_out_of_the_results_root_is_refused(workspace, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (workspace / "results" / "linked").symlink_to(elsewhere, target_is_directory=True)
    before, away = tree(workspace), tree(elsewhere)
    code, text = _run("--set", "region=linked")
    assert code == exit_code_for(OutputError("x")) == 6
    assert "is outside the results root" in text
    assert tree(workspace) == before
    assert tree(elsewhere) == away


def test_the_writer_itself_never_leaves_its_root(workspace):
    """Called from Python with hostile folders, the writer saves the plan inside the root."""
    results = workspace / "results"
    before = tree(workspace)
    for target in (results / "delft" / ".", results / ".." / "delft", results / "delft" / ".."):
        with pytest.raises(OutputError, match=r"The plan was saved to .*\.unsaved"):
            write_report(toy("hostile"), target, settings=NO_MAPS, results_root=results)
    after = tree(workspace)
    assert outside(after, "results/.unsaved") == before
    saved = sorted((results / ".unsaved").iterdir())
    assert len(saved) == 3
    for folder in saved:
        assert read_table(folder / "decisions.csv").loc[0, "name"] == "hostile"


# -- a failure after the solve saves the plan elsewhere ----------------------------------


def test_read_only_results_folder_saves_the_plan_in_the_results_root(tmp_path, monkeypatch):
    results = tmp_path / "results"
    target = results / "delft" / "base"
    write_report(toy("earlier"), target, settings=NO_MAPS)
    before = tree(results / "delft")
    read_only(results / "delft", monkeypatch)
    with pytest.raises(OutputError) as caught:
        write_report(toy("second"), target, settings=NO_MAPS, results_root=results)
    text = str(caught.value)
    assert re.search(r"is not writable \(read-only, or another user's\)", text), text
    saved = Path(re.search(r"The plan was saved to (\S+) instead", text).group(1))
    assert saved.parent == results / ".unsaved"
    assert saved.name.startswith("base-")
    assert read_table(saved / "decisions.csv").loc[0, "name"] == "second"
    assert json.loads((saved / "run.json").read_text(encoding="utf-8"))["scenario"] == "toy"
    assert tree(results / "delft") == before  # earlier results untouched


def test_read_only_root_saves_the_plan_in_the_system_temp_dir(tmp_path, monkeypatch, private_temp):
    results = tmp_path / "results"
    results.mkdir()
    read_only(results, monkeypatch)
    with pytest.raises(OutputError, match=r"The plan was saved to .*systemp") as caught:
        write_report(toy("second"), results / "delft" / "base", settings=NO_MAPS)
    (saved,) = (private_temp / folders.TEMP_UNSAVED).iterdir()
    assert str(saved) in str(caught.value)
    assert read_table(saved / "decisions.csv").loc[0, "name"] == "second"
    assert list(results.iterdir()) == []


def _full_disk(monkeypatch: pytest.MonkeyPatch, *, everywhere: bool = False) -> None:
    """Writing a CSV raises ENOSPC in the writer's temporary folder (or everywhere)."""
    real = report.write_csv

    def write_csv(frame, path, **kwargs):
        if everywhere or ".tmp-" in Path(path).parent.name:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real(frame, path, **kwargs)

    monkeypatch.setattr(report, "write_csv", write_csv)


def test_full_disk_is_a_named_error_that_says_where_the_plan_is(tmp_path, monkeypatch):
    results = tmp_path / "results"
    target = results / "delft" / "base"
    write_report(toy("earlier"), target, settings=NO_MAPS)
    _full_disk(monkeypatch)
    with pytest.raises(OutputError) as caught:
        write_report(toy("second"), target, settings=NO_MAPS, results_root=results)
    text = str(caught.value)
    assert "No space left on device" in text
    assert "(the disk is full; free space)" in text
    assert f"move it to {target} once fixed" in text
    (saved,) = (results / ".unsaved").iterdir()
    assert f"The plan was saved to {saved} instead" in text
    assert read_table(saved / "decisions.csv").loc[0, "name"] == "second"
    assert read_table(target / "decisions.csv").loc[0, "name"] == "earlier"
    assert sorted(p.name for p in (results / "delft").iterdir()) == ["base"]  # no .tmp-* left
    assert isinstance(caught.value.__cause__, OSError)
    assert caught.value.__cause__.errno == errno.ENOSPC


def test_full_disk_everywhere_says_the_plan_is_lost(tmp_path, monkeypatch, private_temp):
    _full_disk(monkeypatch, everywhere=True)
    results = tmp_path / "results"
    with pytest.raises(OutputError, match=r"nor anywhere else \(.*\.unsaved: .*systemp") as caught:
        write_report(toy(), results / "delft" / "base", settings=NO_MAPS, results_root=results)
    assert "the plan is lost; fix the disk and run again" in str(caught.value)
    assert list((results / ".unsaved").iterdir()) == []
    assert list((private_temp / folders.TEMP_UNSAVED).iterdir()) == []


def test_a_file_where_the_folder_should_be_is_kept_and_the_plan_saved(tmp_path):
    results = tmp_path / "results"
    (results / "delft").mkdir(parents=True)
    target = results / "delft" / "base"
    target.write_text("not a folder", encoding="utf-8")
    with pytest.raises(OutputError, match=r"is a file, not a results folder.*saved to") as caught:
        write_report(toy("second"), target, settings=NO_MAPS, results_root=results)
    assert target.read_text(encoding="utf-8") == "not a folder"
    assert str(results / ".unsaved") in str(caught.value)


def test_a_folder_of_other_files_is_never_moved(tmp_path):
    target = tmp_path / "documents"
    target.mkdir()
    (target / "letter.docx").write_bytes(b"mine")
    before = tree(tmp_path)
    with pytest.raises(OutputError, match=r"holds files but is not a results folder"):
        write_report(toy(), target, settings=NO_MAPS)
    assert outside(tree(tmp_path), ".unsaved") == before
    assert not (tmp_path / ".history").exists()


def test_an_empty_folder_is_filled(tmp_path):
    target = tmp_path / "new"
    target.mkdir()
    assert write_report(toy("x"), target, settings=NO_MAPS) == target
    assert read_table(target / "decisions.csv").loc[0, "name"] == "x"
    assert not (tmp_path / ".history").exists()


def test_cli_write_failure_after_the_solve_exits_6_naming_the_saved_plan(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _scenario(tmp_path)

    def solve_then_disk_turns_read_only(*args, **kwargs):
        (tmp_path / "results" / "delft").mkdir(parents=True)
        read_only(tmp_path / "results" / "delft", monkeypatch)
        return toy("solved")

    monkeypatch.setattr(api, "run_scenario", solve_then_disk_turns_read_only)
    code, text = _run()
    assert code == 6, text
    saved = next((tmp_path / "results" / ".unsaved").iterdir())
    assert re.search(r"error: \(results/delft/base\) \| the results could not be written", text)
    assert f"The plan was saved to {saved} instead" in text
    assert read_table(saved / "decisions.csv").loc[0, "name"] == "solved"


# -- concurrent writers ------------------------------------------------------------------


def _complete(folder: Path) -> str:
    """The plan's name in a complete results folder (run.json and every table)."""
    assert json.loads((folder / "run.json").read_text(encoding="utf-8"))["scenario"] == "toy"
    return str(read_table(folder / "decisions.csv").loc[0, "name"])


def _kept(parent: Path) -> list[str]:
    """The plans kept under ``parent``: in place, in the history and in ``.unsaved``."""
    names = [_complete(parent / "base")]
    for sub in (folders.HISTORY, folders.UNSAVED):
        if (parent / sub).exists():
            names += [_complete(p) for p in (parent / sub).iterdir()]
    return names


def test_commit_retries_when_another_writer_moves_or_fills_the_folder(tmp_path, monkeypatch):
    """The two races of two writers, played out one step at a time."""
    parent = tmp_path / "delft"
    target = parent / "base"
    write_report(toy("earlier"), target, settings=NO_MAPS)
    real_retire = folders._retire
    moves: list[str] = []

    def race(folder: Path) -> None:
        if not moves:  # another writer moves the earlier run to the history first ...
            moves.append("theirs moved it")
            real_retire(folder)
            raise FileNotFoundError(errno.ENOENT, "gone", str(folder))
        real_retire(folder)

    monkeypatch.setattr(folders, "_retire", race)
    real_rename = Path.rename

    def rename(self: Path, dest: Path) -> Path:
        if Path(dest) == target and len(moves) == 1:  # ... and puts its own plan in place
            moves.append("theirs in place")
            write_report(toy("theirs"), target, settings=NO_MAPS)
        return real_rename(self, dest)

    monkeypatch.setattr(Path, "rename", rename)
    write_report(toy("ours"), target, settings=NO_MAPS)
    assert moves == ["theirs moved it", "theirs in place"]
    assert _complete(target) == "ours"
    assert sorted(_kept(parent)) == ["earlier", "ours", "theirs"]


def test_commit_gives_up_with_a_named_error_when_it_always_loses(tmp_path, monkeypatch):
    parent = tmp_path / "delft"
    target = parent / "base"
    write_report(toy("earlier"), target, settings=NO_MAPS)
    monkeypatch.setattr(
        folders,
        "_retire",
        lambda folder: (_ for _ in ()).throw(FileNotFoundError(errno.ENOENT, "gone")),
    )
    with pytest.raises(OutputError, match=r"other runs replaced this folder 50 times") as caught:
        write_report(toy("ours"), target, settings=NO_MAPS)
    (saved,) = (parent / folders.UNSAVED).iterdir()
    assert f"The plan was saved to {saved} instead" in str(caught.value)
    assert sorted(_kept(parent)) == ["earlier", "ours"]


def test_concurrent_threads_each_keep_their_plan(tmp_path, monkeypatch):
    """Eight writers reach the commit at the same moment, five times over."""
    parent = tmp_path / "delft"
    target = parent / "base"
    writers, rounds = 8, 5
    errors: list[BaseException] = []
    together = threading.Barrier(writers, timeout=120)
    real_fill = report._write_files

    def fill_then_wait(saved, folder, settings):
        real_fill(saved, folder, settings)
        if ".tmp-" in folder.name:
            together.wait()  # every writer commits at once

    monkeypatch.setattr(report, "_write_files", fill_then_wait)

    def work(i: int) -> None:
        for r in range(rounds):
            try:
                write_report(toy(f"w{i}r{r}"), target, settings=NO_MAPS)
            except OutputError as err:
                errors.append(err)
            except BaseException as err:  # asserted below
                errors.append(err)
                together.abort()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # never a raw OSError; and with eight writers no one loses 50 races in a row, so none
    # needed the named error and .unsaved (they are tested above)
    assert errors == [], [f"{err}: {err.__cause__!r}" for err in errors]
    expected = sorted(f"w{i}r{r}" for i in range(writers) for r in range(rounds))
    assert sorted(_kept(parent)) == expected  # every plan kept once: in place or in history
    assert {p.name for p in parent.iterdir()} == {folders.HISTORY, "base"}  # no .tmp-* left


WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    sys.path.insert(0, {tests!r})
    from test_write_faults import NO_MAPS, toy
    from voorzieningen import report
    from voorzieningen.errors import OutputError

    go = Path({go!r})
    Path({go!r} + ".ready-" + sys.argv[1]).touch()  # everything imported
    while not go.exists():
        time.sleep(0.01)
    start = float(go.read_text())
    real = report._write_files
    slot = [0]

    def fill_then_wait(saved, folder, settings):
        real(saved, folder, settings)
        slot[0] += 1
        time.sleep(max(0.0, start + slot[0] * {slot_s} - time.time()))  # commit together

    report._write_files = fill_then_wait
    for r in range({rounds}):
        try:
            report.write_report(
                toy(f"p{{sys.argv[1]}}r{{r}}"), Path({target!r}), settings=NO_MAPS
            )
        except OutputError as err:
            print("named:", err)
    """
)


@pytest.mark.slow
def test_two_concurrent_runs_of_one_scenario_in_processes(tmp_path):
    """Two processes write one results folder, committing at the same moments."""
    parent = tmp_path / "delft"
    go, rounds = tmp_path / "go", 6
    # A slot of 0.5 s is ten times the writing of the toy plan (about 0.05 s): both
    # processes fill their folder, then commit at the slot's end, together.
    code = WRITER.format(
        tests=str(TESTS), go=str(go), rounds=rounds, target=str(parent / "base"), slot_s=0.5
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(i)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    deadline = time.monotonic() + 120
    while not all((tmp_path / f"go.ready-{i}").exists() for i in range(2)):
        assert all(p.poll() is None for p in procs), [p.communicate() for p in procs]
        assert time.monotonic() < deadline, "the writers never finished importing"
        time.sleep(0.05)
    ready = tmp_path / "go.tmp"
    ready.write_text(repr(time.time() + 0.5))  # both have imported everything
    ready.rename(go)
    outputs = [p.communicate(timeout=300) for p in procs]
    for proc, (stdout, stderr) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, stderr  # no raw OSError, no traceback
        assert "Traceback" not in stderr
        assert "named:" not in stdout  # each won its races by retrying
    expected = sorted(f"p{i}r{r}" for i in range(2) for r in range(rounds))
    assert sorted(_kept(parent)) == expected


# -- plain output folders and sweeps -----------------------------------------------------


def test_plain_out_dirs_are_created_or_refused_by_name(tmp_path, monkeypatch):
    """``report``, ``compare`` and ``network`` write files into ``--out-dir``."""
    (tmp_path / "file.txt").write_text("mine", encoding="utf-8")
    assert folders.make_folder(tmp_path / "a" / "b", what="--out-dir").is_dir()
    assert folders.make_folder(tmp_path / "a", what="--out-dir").is_dir()  # may exist
    with pytest.raises(OutputError, match=r"\(--out-dir .*file\.txt\) \| .*is a file, not a"):
        folders.make_folder(tmp_path / "file.txt", what="--out-dir")
    with pytest.raises(OutputError, match=r"file\.txt is a file, not a folder"):
        folders.make_folder(tmp_path / "file.txt" / "x", what="--out-dir")
    (tmp_path / "locked").mkdir()
    read_only(tmp_path / "locked", monkeypatch)
    with pytest.raises(OutputError, match=r"locked is not writable \(read-only"):
        folders.make_folder(tmp_path / "locked" / "x", what="--out-dir")
    assert (tmp_path / "file.txt").read_text(encoding="utf-8") == "mine"


def test_sweep_checks_every_results_folder_before_solving(tmp_path, monkeypatch):
    from voorzieningen import sweep

    def no_solve(*args, **kwargs):
        msg = "solved before the folders were checked"
        raise AssertionError(msg)

    monkeypatch.setattr(sweep, "_run_and_write", no_solve)
    (tmp_path / "file.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(OutputError, match=r"\(results root .*file\.txt\) \| .*is a file"):
        sweep.run_scenarios(
            DELFT / "scenarios.toml", ["base"], data_dir=tmp_path, out_root=tmp_path / "file.txt"
        )
    taken = tmp_path / "out" / "delft" / "krap"
    taken.mkdir(parents=True)
    (taken / "letter.docx").write_bytes(b"mine")
    with pytest.raises(OutputError, match=r"krap\) \| holds files but is not a results folder"):
        sweep.run_scenarios(
            DELFT / "scenarios.toml", ["base", "krap"], data_dir=tmp_path, out_root=tmp_path / "out"
        )
    assert (taken / "letter.docx").read_bytes() == b"mine"
