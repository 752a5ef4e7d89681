"""Run every rule on a plan and report what it breaks."""

from __future__ import annotations

from voorzieningen.errors import VerificationError
from voorzieningen.verify.inputs import PlanFrames, PlanTables, VerifyInputs
from voorzieningen.verify.rules import RULES, Violation, objective_rule
from voorzieningen.verify.state import build_context

#: Violations listed in an error message before "... and N more".
SHOWN = 50


def find_violations(
    plan: PlanFrames, inputs: VerifyInputs, *, objective_value: float | None = None
) -> list[Violation]:
    """
    Check a plan against every rule, from the raw inputs.

    Parameters
    ----------
    plan
        The plan's tables (a :class:`PlanTables` or any object with the same six tables).
    inputs
        The raw inputs and settings of the run.
    objective_value
        The objective the solver reported (its own unit); when given it is recomputed from
        the plan and compared (relative tolerance 1e-5).

    Returns
    -------
    list of Violation
        Every violation, grouped by rule; empty when the plan keeps every rule.
    """
    ctx = build_context(PlanTables.from_frames(plan), inputs)
    rules = list(RULES)
    if objective_value is not None:
        rules.append(objective_rule(objective_value))
    return [v for rule in rules for v in rule(ctx)]


def verify_tables(
    plan: PlanFrames, inputs: VerifyInputs, *, objective_value: float | None = None
) -> None:
    """
    Verify a plan from the raw inputs; raise if it breaks any rule.

    Parameters
    ----------
    plan
        The plan's tables.
    inputs
        The raw inputs and settings of the run.
    objective_value
        The objective the solver reported, or None not to check it.

    Raises
    ------
    VerificationError
        Listing every violation as ``[kind] message``.
    """
    violations = find_violations(plan, inputs, objective_value=objective_value)
    if violations:
        shown = "\n".join(f"- {v}" for v in violations[:SHOWN])
        more = f"\n... and {len(violations) - SHOWN} more" if len(violations) > SHOWN else ""
        msg = (
            f"The plan violates {len(violations)} rule(s) on independent re-checking:\n"
            f"{shown}{more}"
        )
        raise VerificationError(msg)
