"""Ctrl-C and SIGTERM: a run stops cleanly at any moment, and says "interrupted".

Python turns Ctrl-C (SIGINT) into :class:`KeyboardInterrupt`; :func:`terminate_as_interrupt`
makes SIGTERM (``kill``, a scheduler stopping a job) do the same, so that every ``try`` /
``except BaseException`` clean-up of the writer runs and nothing partial is left behind.

While HiGHS runs, an exception raised by a signal handler would surface inside one of the
solver's callbacks, where HiGHS turns it into a solver error ("HiGHS stopped (error)").
:func:`solver_interruptible` therefore swaps the handlers, for the solve only, for ones that
ask HiGHS to stop (``cancel``) and remember the signal; when HiGHS has returned, the
remembered signal is handed to the earlier handler, which raises ``KeyboardInterrupt``. A plan
HiGHS found before the signal is not kept: an interrupted run saves nothing (use
``solver.time_limit_s`` to stop a long solve with its best plan).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

#: Signals that stop a run: Ctrl-C and the polite ``kill``.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    """Signal handler: raise :class:`KeyboardInterrupt` (as Ctrl-C does)."""
    raise KeyboardInterrupt(signal.Signals(signum).name)


def terminate_as_interrupt() -> bool:
    """
    Make SIGTERM raise :class:`KeyboardInterrupt`, as Ctrl-C does.

    Only the main thread of a process may install signal handlers; elsewhere nothing changes.

    Returns
    -------
    bool
        Whether the handler was installed.
    """
    if threading.current_thread() is not threading.main_thread():
        return False
    signal.signal(signal.SIGTERM, _raise_interrupt)
    return True


@contextmanager
def solver_interruptible(cancel: Callable[[], None]) -> Iterator[None]:
    """
    Within the block, SIGINT and SIGTERM ask the solver to stop instead of raising at once.

    On leaving the block the earlier handlers are back; if a signal came, the earlier handler
    of the first such signal is then called (Python's default for SIGINT raises
    :class:`KeyboardInterrupt`). Signals whose handler is not a Python function (ignored, or
    the system default that ends the process) are left as they are. Outside the main thread
    the block runs unchanged.

    Parameters
    ----------
    cancel
        Asks the running solver to stop (called from the signal handler; must be quick).

    Yields
    ------
    None
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    earlier: dict[int, Any] = {}
    received: list[int] = []

    def record(signum: int, frame: FrameType | None) -> None:
        received.append(signum)
        cancel()

    for stop in STOP_SIGNALS:
        handler = signal.getsignal(stop)
        if callable(handler):
            earlier[stop] = handler
            signal.signal(stop, record)
    try:
        yield
    finally:
        for signum, handler in earlier.items():
            signal.signal(signum, handler)
    if received:
        earlier[received[0]](received[0], None)
        raise KeyboardInterrupt(signal.Signals(received[0]).name)


@contextmanager
def signals_deferred() -> Iterator[None]:
    """
    Hold SIGINT and SIGTERM back while the block runs; they arrive when it ends.

    For steps that must not stop half-way, such as moving an earlier results folder aside and
    the new one into its place. A signal that comes meanwhile is delivered (and raises, if its
    handler does) right after the block.

    Yields
    ------
    None
    """
    held = set(STOP_SIGNALS)
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
