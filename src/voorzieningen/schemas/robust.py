"""Settings of a robust plan: one plan for several population variants (issue 16)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from voorzieningen.schemas.base import StrictModel

#: How far the variants' weights may sum from 1 (rounding of weights such as 1/3).
WEIGHT_SUM_TOLERANCE = 1e-6


class RobustSettings(StrictModel):
    """One plan that holds under several population variants (``demand.scenarios``).

    The decisions of the first period are shared by all variants (here and now); the later
    periods are planned per variant (recourse). See ``models/robust.md``.
    """

    variants: dict[str, float] = Field(default_factory=dict)
    """Population variants (names in ``demand.scenarios``) and their weights (probabilities,
    each above 0, summing to 1), e.g. ``{mid = 0.5, low = 0.25, krimp = 0.25}``. Empty (the
    default): an ordinary plan for ``demand.scenario`` alone. At least two variants."""

    objective: Literal["expected", "minmax_regret"] = "expected"
    """``"expected"``: minimise the weighted mean of the variants' objectives;
    ``"minmax_regret"``: minimise the largest regret, the objective of the plan under a
    variant less the best objective any plan reaches under that variant (each variant is
    first solved alone), with the weighted mean as a tie-break."""

    @field_validator("variants")
    @classmethod
    def _weights(cls, variants: dict[str, float]) -> dict[str, float]:
        if not variants:
            return variants
        if len(variants) < 2:
            msg = (
                f"robust.variants names one variant ({next(iter(variants))}); a robust plan "
                "needs at least two. For one variant set demand.scenario instead."
            )
            raise ValueError(msg)
        bad = {k: v for k, v in variants.items() if not 0 < v <= 1}
        if bad:
            msg = f"robust.variants weights must be above 0 and at most 1; got {bad}"
            raise ValueError(msg)
        total = sum(variants.values())
        if abs(total - 1.0) > WEIGHT_SUM_TOLERANCE:
            fixed = ", ".join(f"{k} = {v / total:.4g}" for k, v in variants.items())
            msg = (
                f"robust.variants weights sum to {total:g}, not 1; they are probabilities. "
                f"Normalised they would be {{{fixed}}}."
            )
            raise ValueError(msg)
        return variants

    @property
    def enabled(self) -> bool:
        """Whether the run plans for several variants."""
        return bool(self.variants)
