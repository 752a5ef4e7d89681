"""Solver settings of a scenario."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from voorzieningen.schemas.base import StrictModel

#: Most solver threads a scenario may ask for (assumption: a sane cap for a planning server;
#: HiGHS aborted the process with SIGABRT at threads = 100000). 0 lets HiGHS choose.
MAX_THREADS = 64
#: Longest time limit (seconds): one week.
MAX_TIME_LIMIT_S = 7 * 24 * 3600.0


class SolverSettings(StrictModel):
    """How HiGHS is run on a model."""

    time_limit_s: float = Field(default=300.0, gt=0, le=MAX_TIME_LIMIT_S, allow_inf_nan=False)
    """Wall-clock limit of the solve stage, in seconds (at most one week): the model build, its
    hand-over to HiGHS and the solve together. The build and the hand-over are timed and
    subtracted from the time HiGHS gets; a build that takes the whole limit stops the run with
    a message. When the limit is hit during the solve, the best plan found so far is returned
    with its proven gap, and the run says so. (A Pareto front gives its first budget level the
    whole stage's limit and each later level ``time_limit_s`` of solving.)"""

    mip_rel_gap: float = Field(default=1e-4, ge=0, le=1, allow_inf_nan=False)
    """Relative optimality gap (fraction, 0.005 = 0.5 %) at which the solver may stop."""

    mip_abs_gap: float = Field(default=0.0, ge=0, le=1e12, allow_inf_nan=False)
    """Absolute optimality gap, in the objective's unit, at which the solver may stop (0:
    only the relative gap applies): euros for the ``cost`` objective, person-minutes for
    ``access``, minutes for ``worst_off``, the objective's unit for a preset. The solve stage
    converts it to the unit the solver sees (the cost objective is handed to HiGHS in M€, so
    ``mip_abs_gap = 1000`` reaches HiGHS as 0.001). For objectives that are integral on every
    plan, a value just below 1 proves optimality as well as a zero gap does. A
    ``mip_abs_gap`` given in ``highs_options`` instead is passed to HiGHS as it is, unscaled."""

    presolve: Literal["off", "choose", "on"] = "off"
    """HiGHS presolve of the MIP: ``off`` (default), ``choose`` (HiGHS' default) or ``on``.
    Off because it is never slower on the investment model here and far faster at region
    scale (measured 2026-11-28 on 2 cores, ``benchmarks/README.md``, ``model_scale.py``):
    200x100 synthetic 17.6 s against 55.8 s; Noordoost-Groningen (169k columns) 0.52 %
    against 0.82 % proven gap at 300 s; 400x200 solved (0.06 %) in 106 s instead of no
    bound in 600 s, where the presolved root LP never finished. The demos are unchanged
    (Het Hogeland 7.4 s against 9.0 s, Delft 2.9 s either way, same plans) and so are the
    OR-Library presets (pmed 24/24, cap 33/33, pmedcap 12/12, about the same times). A
    ``presolve`` in ``highs_options`` takes precedence."""

    highs_options: dict[str, bool | int | float | str] = Field(default_factory=dict)
    """Further HiGHS options by name (see the HiGHS documentation), e.g.
    ``{mip_heuristic_effort = 0.1}``; applied after the settings above."""

    threads: int = Field(default=0, ge=0, le=MAX_THREADS)
    """Number of solver threads, at most :data:`MAX_THREADS` (64); 0 lets HiGHS choose."""

    memory_limit_mib: float | None = Field(default=None, gt=0, le=2**24, allow_inf_nan=False)
    """Memory the model may use, MiB (at most 16 TiB). Before the build, the model's size is
    estimated from its data (variables and rows; 400 MiB plus about 4 MiB per 1,000 of them: see
    ``voorzieningen.model.size``) and a model that needs more is refused with a message.
    None (the default): the memory available when the run starts (psutil, else
    /proc/meminfo); a number overrides it, e.g. to allow a model the estimate finds too big."""

    @field_validator("highs_options")
    @classmethod
    def _no_threads_option(
        cls, value: dict[str, bool | int | float | str]
    ) -> dict[str, bool | int | float | str]:
        """Refuse ``threads``: it goes through the range-checked ``solver.threads``."""
        if any(key.strip().lower() == "threads" for key in value):
            msg = "give the number of threads as solver.threads (0-64), not in highs_options"
            raise ValueError(msg)
        return value

    tee: bool = False
    """Print the solver log to the terminal."""
