"""Exception and warning hierarchy of voorzieningen.

Every error raised on purpose by this package derives from :class:`VoorzieningenError`
and from the builtin exception it refines, so callers can catch either. Messages name the
file, column and rows involved and say how to fix the problem. The command-line interface
maps each class to an exit code (:data:`EXIT_CODES`) and prints the message without a
traceback.
"""

from __future__ import annotations


class VoorzieningenError(Exception):
    """Base of every error raised on purpose by voorzieningen."""


class InputDataError(VoorzieningenError, ValueError):
    """Bad or missing input files, columns or values."""


class ScenarioError(VoorzieningenError, ValueError):
    """Unknown, invalid or conflicting scenario settings or overrides."""


class NetworkError(VoorzieningenError, ValueError):
    """A road network that cannot be loaded, or points that cannot be placed on it."""


class InfeasibleModelError(VoorzieningenError):
    """No plan satisfies the constraints of the scenario."""


class SolverError(VoorzieningenError, RuntimeError):
    """The solver is missing, failed, or stopped without a plan."""


class VerificationError(VoorzieningenError, AssertionError):
    """A solved plan violates a constraint when re-checked independently."""


class OutputError(VoorzieningenError, OSError):
    """Results that cannot be written where asked.

    A read-only or full disk, a file where the folder should be, a folder that is not a
    results folder. When raised after a solve, the message names the fallback folder the
    plan was saved to instead.
    """


class VoorzieningenWarning(UserWarning):
    """A recoverable data problem that the user should know about."""


#: Exit code of the command-line interface for each error class (most specific first).
EXIT_CODES: tuple[tuple[type[VoorzieningenError], int], ...] = (
    (InputDataError, 2),
    (ScenarioError, 2),
    (NetworkError, 2),
    (InfeasibleModelError, 3),
    (SolverError, 4),
    (VerificationError, 5),
    (OutputError, 6),
    (VoorzieningenError, 1),
)


def exit_code_for(error: BaseException) -> int:
    """
    Return the command-line exit code for an error.

    Parameters
    ----------
    error
        The exception raised.

    Returns
    -------
    int
        2 for input and scenario errors, 3 for infeasible models, 4 for solver errors,
        5 for verification errors, 6 for results that could not be written where asked,
        1 for anything else.
    """
    for cls, code in EXIT_CODES:
        if isinstance(error, cls):
            return code
    return 1
