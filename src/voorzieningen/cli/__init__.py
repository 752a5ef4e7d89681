"""Command-line interface: parse, call the API, print; no logic of its own.

Exit codes: 0 success, 2 bad input or scenario, 3 infeasible, 4 solver, 5 verification,
6 results not written where asked (the message says where the plan was saved instead),
1 any other error of ours. Errors are printed without a traceback unless ``--debug``.
"""

from __future__ import annotations

from voorzieningen.cli import _plan, _results  # noqa: F401  (the verbs register on app)
from voorzieningen.cli._app import app, main

__all__ = ["app", "main"]
