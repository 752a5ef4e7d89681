"""Results folders: where a run may write, how an earlier run is kept, where a plan goes instead.

The writer (:func:`voorzieningen.report.write_report`) uses three steps of this module:

- :func:`check_results_folder`, before the solve and again before writing: the folder's last
  part is a name (never empty, ``.`` or ``..``), it lies inside its results root, it is not a
  file or a symbolic link, an existing folder is empty or an earlier results folder (it holds
  ``run.json``), and the nearest existing folder above it is writable.
- :func:`commit`: move an earlier results folder of ours to ``<parent>/.history/`` and rename
  the freshly written temporary folder into place. Nothing that is not a results folder of
  ours is ever moved or deleted. Concurrent writers to one folder are safe without a lock:
  each rename is atomic, a writer that finds another's folder in place moves it to the
  history and retries, so the last one to finish wins and every earlier one is kept in
  ``.history``; after :data:`COMMIT_ATTEMPTS` lost races the writer gives up with
  :class:`~voorzieningen.errors.OutputError` (its plan is then saved elsewhere).
- :func:`save_elsewhere`: when writing fails after the solve (a read-only or full disk, a file
  where the folder should be), save the plan to ``<results root>/.unsaved/<name>-<time>-<id>/``,
  else to ``<system temp>/voorzieningen-unsaved/``, and return the error that names it.

Renames follow POSIX semantics (a folder renamed onto an empty folder replaces it).
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import stat
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from voorzieningen.errors import OutputError, VoorzieningenError

#: The file every results folder holds; a folder without it is never moved or replaced.
RUN_FILE = "run.json"
#: Folder (beside the results folder) that keeps earlier runs.
HISTORY = ".history"
#: Folder (in the results root) that keeps plans that could not be written where asked.
UNSAVED = ".unsaved"
#: Folder in the system's temporary directory for plans that fit nowhere else.
TEMP_UNSAVED = "voorzieningen-unsaved"
#: Times a writer retries when other writers replace the same folder at the same moment.
COMMIT_ATTEMPTS = 50
#: errno values of a rename onto a folder that another writer filled first.
TAKEN = (errno.EEXIST, errno.ENOTEMPTY)
#: errno values of a folder that cannot be written (permissions, read-only file system).
READ_ONLY = (errno.EACCES, errno.EPERM, errno.EROFS)


@dataclass(frozen=True)
class ResultsFolder:
    """Where a run writes.

    Attributes
    ----------
    path
        The results folder as given (relative paths stay relative).
    root
        The results root, resolved: everything the writer creates (the folder, its
        temporary twin, ``.history``, ``.unsaved``) lies inside it.
    """

    path: Path
    root: Path


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def _nearest_existing(path: Path) -> Path:
    """Return the path itself if it exists, else its nearest existing parent."""
    for candidate in (path, *path.parents):
        if os.path.lexists(candidate):
            return candidate
    return Path(path.anchor or ".")


def check_results_root(
    root: Path | str, *, what: str = "results root", shown: Path | str | None = None
) -> Path:
    """
    Check that a results root is, or can become, a writable folder.

    Parameters
    ----------
    root
        The folder under which results are written (``results``, ``--out-dir`` of a sweep).
    what
        How the message names it (``"--out-dir"``).
    shown
        The path the message shows (default ``root``; a results folder inside it).

    Returns
    -------
    pathlib.Path
        The root, resolved.

    Raises
    ------
    OutputError
        If the root or a folder above it is a file, or the nearest existing folder is not
        writable.
    """
    resolved = Path(root).expanduser().resolve()
    existing = _nearest_existing(resolved)
    shown = root if shown is None else shown
    if not existing.is_dir():
        msg = (
            f"({what} {shown}) | {existing} is a file, not a folder; give a folder that does "
            "not pass through a file (files are never moved or overwritten)."
        )
        raise OutputError(msg)
    if not os.access(existing, os.W_OK | os.X_OK):
        msg = (
            f"({what} {shown}) | {existing} is not writable (read-only, or another user's); "
            "make it writable or give another folder."
        )
        raise OutputError(msg)
    return resolved


def make_folder(folder: Path | str, *, what: str = "folder") -> Path:
    """
    Create a folder that files are written into (``compare --out-dir``, ``report``).

    Parameters
    ----------
    folder
        The folder; it may exist.
    what
        How the message names it (``"--out-dir"``).

    Returns
    -------
    pathlib.Path
        The folder.

    Raises
    ------
    OutputError
        If it, or a folder above it, is a file, or it cannot be created.
    """
    path = Path(folder)
    check_results_root(path, what=what)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        msg = f"({what} {folder}) | cannot create the folder: {_advice(err)}."
        raise OutputError(msg) from err
    return path


def not_ours(folder: Path) -> str | None:
    """
    Say why an existing path may not be replaced by the writer, or None if it may.

    Parameters
    ----------
    folder
        An existing path where a results folder is to be written.

    Returns
    -------
    str or None
        None for an empty folder or an earlier results folder (it holds ``run.json``);
        else what it is (a symbolic link, a file, a folder of other files).
    """
    # One lstat, and a folder that vanishes meanwhile (a concurrent writer moved it to the
    # history) is no longer in the way: never mistake it for a file.
    try:
        mode = folder.lstat().st_mode
        if stat.S_ISLNK(mode):
            return "is a symbolic link; give the real folder it points to, or a new one"
        if not stat.S_ISDIR(mode):
            return "is a file, not a results folder; it is never moved or overwritten"
        # One listing of one folder: checking run.json and then listing could see two
        # different folders when a concurrent writer swaps them in between.
        names = {entry.name for entry in folder.iterdir()}
        if not names or RUN_FILE in names:
            return None
    except FileNotFoundError:
        return None
    return (
        f"holds files but is not a results folder (no {RUN_FILE}); it is never moved or "
        "overwritten: give a new or empty folder"
    )


def check_results_folder(
    target: Path | str, *, root: Path | str | None = None, what: str = "results folder"
) -> ResultsFolder:
    """
    Check that a run may write its results folder, before solving and before writing.

    Parameters
    ----------
    target
        The results folder (``results/<region>/<name>`` or ``--out-dir``).
    root
        The results root the folder must lie in; ``None``: the folder's parent.
    what
        How the message names the folder (``"--out-dir"``).

    Returns
    -------
    ResultsFolder
        The folder and its resolved root.

    Raises
    ------
    OutputError
        If the folder's last part is not a name (empty, ``.``, ``..``, hidden), it lies
        outside its root, it is a file, a link or a folder of other files, or it cannot be
        written.
    """
    path = Path(target).expanduser()
    name = path.name
    given = re.split(r"[\\/]", os.fspath(target).rstrip("/\\"))[-1]  # Path drops a last "."
    if given == ".":
        name = given
    if name in ("", ".", "..") or name.startswith("."):
        msg = (
            f"({what} {target}) | {name or str(path)!r} is not a folder name; give the "
            "results folder itself, e.g. results/delft/base (never '.', '..' or a hidden "
            "folder: an earlier folder there would be moved away)."
        )
        raise OutputError(msg)
    parent = check_results_root(path.parent, what=what, shown=target)
    base = parent if root is None else Path(root).expanduser().resolve()
    resolved = parent / name
    if resolved == base or not resolved.is_relative_to(base):
        msg = (
            f"({what} {target}) | {resolved} is outside the results root {base}; results are "
            "only written inside it: check the region and scenario names and links."
        )
        raise OutputError(msg)
    if os.path.lexists(path):
        problem = not_ours(path)
        if problem is not None:
            msg = f"({what} {target}) | {problem}."
            raise OutputError(msg)
    return ResultsFolder(path=path, root=base)


def _retire(folder: Path) -> None:
    """Move an earlier results folder to ``<parent>/.history/<name>-<time>``."""
    history = folder.parent / HISTORY
    history.mkdir(exist_ok=True)
    for attempt in range(COMMIT_ATTEMPTS):
        suffix = f"-{attempt}" if attempt else ""
        try:
            folder.rename(history / f"{folder.name}-{_stamp()}{suffix}")
        except OSError as err:
            if err.errno not in TAKEN:
                raise
            continue
        return
    msg = f"({folder}) | no free name in {history} for the earlier results."
    raise OutputError(msg)


def commit(tmp: Path, target: Path) -> None:
    """
    Put a fully written temporary folder in place, keeping any earlier results.

    Parameters
    ----------
    tmp
        The written folder, beside ``target``.
    target
        The results folder.

    Raises
    ------
    OutputError
        If ``target`` is (or became) something other than a results folder of ours, or
        other writers kept replacing it for :data:`COMMIT_ATTEMPTS` attempts.
    OSError
        If a rename fails for another reason (read-only, full disk).
    """
    for _ in range(COMMIT_ATTEMPTS):
        if os.path.lexists(target):
            problem = not_ours(target)
            if problem is not None:
                msg = f"({target}) | {problem}."
                raise OutputError(msg)
            try:
                if (target / RUN_FILE).is_file():
                    _retire(target)
                else:
                    target.rmdir()  # empty: nothing to keep
            except FileNotFoundError:
                continue  # another writer moved it first
            except OSError as err:
                if err.errno in TAKEN:
                    continue  # another writer filled the empty folder first
                raise
        try:
            tmp.rename(target)
        except OSError as err:
            if err.errno in TAKEN:
                continue  # another writer put its folder in place first
            raise
        return
    msg = (
        f"({target}) | other runs replaced this folder {COMMIT_ATTEMPTS} times while this one "
        "was writing it; run one at a time or give each its own --out-dir."
    )
    raise OutputError(msg)


def _advice(cause: BaseException) -> str:
    """Say what went wrong, and what to do about it."""
    if isinstance(cause, VoorzieningenError):
        return str(cause).partition(" | ")[2].rstrip(".") or str(cause)
    if isinstance(cause, OSError):
        text = f"{cause.strerror or cause}" + (f": {cause.filename}" if cause.filename else "")
        if cause.errno == errno.ENOSPC:
            return f"{text} (the disk is full; free space)"
        if cause.errno in READ_ONLY:
            return f"{text} (make the folder writable, or give another --out-dir)"
        return text
    return (
        f"unexpected error (a bug in voorzieningen; rerun with --debug and report the "
        f"traceback): {type(cause).__name__}: {cause}"
    )


def save_elsewhere(
    fill: Callable[[Path], object],
    target: Path,
    root: Path | None,
    cause: BaseException,
) -> OutputError:
    """
    Save a plan that could not be written where asked, and return the error that says where.

    Tried in turn: ``<results root>/.unsaved/``, then ``<system temp>/voorzieningen-unsaved/``;
    each plan gets a folder of its own, ``<name>-<time>-<random>``.

    Parameters
    ----------
    fill
        Writes the plan's files into the folder it is given.
    target
        The results folder that could not be written.
    root
        Its results root (``.unsaved`` is made there), or None to use the system's
        temporary directory only.
    cause
        Why it could not.

    Returns
    -------
    OutputError
        Naming the folder asked for, the cause, the fix and where the plan was saved (or
        that it could not be saved anywhere); raise it ``from cause``.
    """
    places = [] if root is None else [root / UNSAVED]
    places.append(Path(tempfile.gettempdir()) / TEMP_UNSAVED)
    failed: list[str] = []
    for place in places:
        try:
            place.mkdir(parents=True, exist_ok=True)
            saved = Path(tempfile.mkdtemp(prefix=f"{target.name or 'plan'}-{_stamp()}-", dir=place))
        except OSError as err:
            failed.append(f"{place}: {err.strerror or err}")
            continue
        try:
            fill(saved)
        except Exception as err:  # try the next place, then report all
            shutil.rmtree(saved, ignore_errors=True)
            failed.append(f"{place}: {getattr(err, 'strerror', None) or err}")
            continue
        msg = (
            f"({target}) | the results could not be written there: {_advice(cause)}. The plan "
            f"was saved to {saved} instead (tables, action lists and run.json; "
            f"`voorzieningen report {saved}` draws the maps); move it to {target} once fixed."
        )
        return OutputError(msg)
    msg = (
        f"({target}) | the results could not be written there: {_advice(cause)}; nor "
        f"anywhere else ({'; '.join(failed)}): the plan is lost; fix the disk and run again."
    )
    return OutputError(msg)


#: Names of the writers' temporary files and folders: ``.<name>.tmp-<pid>-<random>`` (and,
#: from writers before the process id was added, ``.<name>.tmp-<random>``); ``<random>`` is
#: the 8 characters :mod:`tempfile` adds.
TEMP_NAME = re.compile(r"^\.(?P<name>.+)\.tmp-(?:(?P<pid>[0-9]+)-)?[a-z0-9_]{8}$")
#: When this process started writing anything (s since the epoch): temporary files older
#: than this are left from an earlier run.
PROCESS_STARTED = time.time()


def temp_prefix(name: str) -> str:
    """Prefix of a temporary file or folder for ``name``, naming this process."""
    return f".{name}.tmp-{os.getpid()}-"


def _running(pid: int) -> bool:
    """Whether a process with this id runs (ours always does)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it runs, under another user
        return True
    return True


def clean_stale_temps(folder: Path, *, before: float | None = None) -> list[Path]:
    """
    Remove the temporary files and folders an earlier, killed writer left in ``folder``.

    Only entries directly in ``folder`` whose name matches :data:`TEMP_NAME` are touched,
    never symbolic links, and only when they were last changed before ``before`` and the
    process named in them (if any) no longer runs: a concurrent writer's folder is kept.

    Parameters
    ----------
    folder
        A results root (the parent of results folders) or a results folder.
    before
        Time (s since the epoch) the current run started; default :data:`PROCESS_STARTED`.

    Returns
    -------
    list of pathlib.Path
        What was removed.
    """
    cutoff = PROCESS_STARTED if before is None else before
    try:
        entries = list(folder.iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return []
    removed: list[Path] = []
    for path in entries:
        match = TEMP_NAME.match(path.name)
        if match is None or path.is_symlink():
            continue
        try:
            changed = path.lstat().st_mtime
        except FileNotFoundError:
            continue
        pid = match.group("pid")
        if changed >= cutoff or (pid is not None and _running(int(pid))):
            continue
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
    return removed


__all__ = [
    "COMMIT_ATTEMPTS",
    "HISTORY",
    "PROCESS_STARTED",
    "RUN_FILE",
    "TEMP_NAME",
    "UNSAVED",
    "ResultsFolder",
    "check_results_folder",
    "check_results_root",
    "clean_stale_temps",
    "commit",
    "make_folder",
    "not_ours",
    "save_elsewhere",
    "temp_prefix",
]
