"""The scenario: everything one run needs, validated (pydantic, ``extra="forbid"``).

A scenario file (TOML or YAML) holds a ``[base]`` table of these fields, named
``[overrides.<name>]`` tables of partial changes, and ``[scenarios]`` lists of overrides;
see :mod:`voorzieningen.scenarios` for the precedence rules.
"""

from __future__ import annotations

import itertools
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from voorzieningen.schemas.base import (
    FOLDER_NAME_PATTERN,
    StrictModel,
    check_folder_name,
    check_relative_path,
)
from voorzieningen.schemas.demand import YEAR_RANGE, DemandSettings
from voorzieningen.schemas.model import BudgetSettings, CostSettings, ModelOptions, Norms
from voorzieningen.schemas.network import NetworkSettings
from voorzieningen.schemas.report import ReportOptions
from voorzieningen.schemas.robust import RobustSettings
from voorzieningen.schemas.solver import SolverSettings

#: Most planning periods a scenario may have (assumption: 50 five-year periods is 250 years;
#: the model grows linearly with periods, see issue 14).
MAX_PERIODS = 50


class ZoneSettings(StrictModel):
    """Which demand zones the region has."""

    source: Literal["cbs_pc4", "csv"] = "cbs_pc4"
    """``"cbs_pc4"``: CBS postcode-4 areas of the listed municipalities, with their centroids
    from ``centroids_file``; ``"csv"``: a user file ``zones_file`` in the region folder."""

    gemeenten: list[str] = Field(default_factory=list)
    """Municipalities (CBS names, e.g. ``"Delft"``) whose PC4 areas form the region."""

    centroids_file: str = "cbs/cbs_pc4_centroids_2020_nl.csv"
    """CBS PC4 centroids (RD and WGS84), relative to the data directory."""

    zones_file: str | None = None
    """User zones CSV in the region folder (columns ``zone``, ``gemeente``, ``lon``, ``lat``)."""

    csv_decimal: Literal["auto", "comma", "point"] = "auto"
    """How the numbers of ``zones_file`` are written: ``"auto"`` (decided per column; a
    number with two readings, such as ``4.358`` vs ``4358``, that neither the other cells nor
    the coordinate range decide is refused), ``"comma"`` (Dutch: ``4,358``) or ``"point"``."""

    csv_encoding: Literal["utf-8", "cp1252"] = "utf-8"
    """Text encoding of ``zones_file``: ``"utf-8"`` or ``"cp1252"`` (see the facilities key)."""

    @field_validator("centroids_file")
    @classmethod
    def _in_data_dir(cls, value: str) -> str:
        check_relative_path(value, folder="data directory")
        return value

    @field_validator("zones_file")
    @classmethod
    def _in_region(cls, value: str | None) -> str | None:
        return check_relative_path(value, folder="region folder")


class FacilitySettings(StrictModel):
    """Which existing buildings and candidate sites the plan may use."""

    duo_schools: bool = True
    """Include the DUO primary-school locations (type ``basisschool``) of the region's
    municipalities as existing school buildings."""

    duo_file: str = "cbs/duo_schoolvestigingen_20241122_nl.csv"
    """DUO school locations with pupil counts, relative to the data directory."""

    portfolio_file: str | None = "portfolio.csv"
    """The corporation's buildings and candidate sites, a CSV in the region folder."""

    school_capacity_headroom: float = Field(default=1.15, ge=1.0, le=10)
    """Capacity of a DUO school as a multiple of its current pupils (the buildings are not
    in the DUO file; 15 % headroom is an assumption)."""

    csv_decimal: Literal["auto", "comma", "point"] = "auto"
    """How the portfolio's numbers are written. ``"auto"``: per column, a decimal comma
    (``4,3585``; ``1.420,5``) or a decimal point (``4.3585``; ``1,420.5``), from the cells that
    can only be read one way; a number with two readings (``1.420``: 1.42 or 1420) that no
    other cell of the column or file decides is refused, naming the cell. ``"comma"``: Dutch
    (``10.500`` = 10500 places); ``"point"``: ``10.500`` = 10.5."""

    csv_encoding: Literal["utf-8", "cp1252"] = "utf-8"
    """Text encoding of the portfolio: ``"utf-8"`` (with or without byte-order mark, Excel's
    'CSV UTF-8') or ``"cp1252"`` (Excel's plain 'CSV' on Windows). Not guessed: a file that
    is not UTF-8 is refused, naming its first bad byte."""

    duo_schools_managed: bool = False
    """Whether the plan may decide on DUO schools that are not in the portfolio. Default: no;
    they are owned by school boards and stay open as they are, counting for accessibility.
    A portfolio row ``duo-<vestigingscode>`` makes one school the corporation's to plan."""

    @field_validator("duo_file")
    @classmethod
    def _in_data_dir(cls, value: str) -> str:
        check_relative_path(value, folder="data directory")
        return value

    @field_validator("portfolio_file")
    @classmethod
    def _in_region(cls, value: str | None) -> str | None:
        return check_relative_path(value, folder="region folder")


class Scenario(StrictModel):
    """One fully specified run of the planner."""

    name: str = Field(default="base", pattern=FOLDER_NAME_PATTERN)
    """Scenario name; the run writes to ``results/<region>/<name>/``. A folder name, never a
    path: letters, digits, ``_``, ``-`` and ``.``, not starting with ``.`` (so never ``.``
    or ``..``) and not ending in ``.``."""

    region: str = Field(pattern=FOLDER_NAME_PATTERN)
    """Region name (the folder under ``inputs/`` and ``results/``); a folder name like
    ``name``."""

    description: str = ""
    """Free text shown in reports."""

    periods: list[int] = Field(
        default_factory=lambda: [2025, 2030, 2035, 2040], min_length=1, max_length=MAX_PERIODS
    )
    """Planning periods (years, 1 January, within 2000-2100 and not before
    ``demand.base_year``), increasing, at most 50. Each period lasts until the next; the last
    lasts as long as the one before it (5 years if there is only one)."""

    zones: ZoneSettings = Field(default_factory=ZoneSettings)
    """Demand zones."""

    network: NetworkSettings
    """Road network and travel-time settings."""

    demand: DemandSettings = Field(default_factory=DemandSettings)
    """Population, projection and demand per service."""

    facilities: FacilitySettings = Field(default_factory=FacilitySettings)
    """Existing buildings and candidate sites."""

    costs: CostSettings = Field(default_factory=CostSettings)
    """Unit costs, discount rate, residual values."""

    budget: BudgetSettings = Field(default_factory=BudgetSettings)
    """Capex budgets."""

    norms: Norms = Field(default_factory=Norms)
    """Accessibility norms per service."""

    model: ModelOptions = Field(default_factory=ModelOptions)
    """Objective and rules of the investment model."""

    solver: SolverSettings = Field(default_factory=SolverSettings)
    """HiGHS time limit, gap and threads."""

    report: ReportOptions = Field(default_factory=ReportOptions)
    """Language of the reports and the winners-and-losers tolerance."""

    robust: RobustSettings = Field(default_factory=RobustSettings)
    """One plan for several population variants (first period shared), off by default."""

    @field_validator("name", "region", mode="before")
    @classmethod
    def _folder_name(cls, value: str, info: ValidationInfo) -> str:
        what = "scenario name" if info.field_name == "name" else "region"
        return check_folder_name(value, what=what)

    @field_validator("network")
    @classmethod
    def _network_file(cls, network: NetworkSettings) -> NetworkSettings:
        try:
            check_relative_path(network.source, folder="data directory")
        except ValueError as err:
            msg = f"network.source: {err}"
            raise ValueError(msg) from None
        return network

    @field_validator("demand")
    @classmethod
    def _demand_files(cls, demand: DemandSettings) -> DemandSettings:
        for key in (
            "population_source",
            "history_source",
            "external_totals_source",
            "migration_age_source",
        ):
            value = getattr(demand, key, None)
            if isinstance(value, str):
                try:
                    check_relative_path(value, folder="data directory")
                except ValueError as err:
                    msg = f"demand.{key}: {err}"
                    raise ValueError(msg) from None
        return demand

    @field_validator("periods")
    @classmethod
    def _increasing(cls, periods: list[int]) -> list[int]:
        if any(b <= a for a, b in itertools.pairwise(periods)):
            msg = f"periods must be strictly increasing years, got {periods}"
            raise ValueError(msg)
        low, high = YEAR_RANGE
        odd = [p for p in periods if not low <= p <= high]
        if odd:
            msg = (
                f"periods must be calendar years within {low}-{high} (1 January of each "
                f"period's first year), got {odd}"
            )
            raise ValueError(msg)
        return periods

    @model_validator(mode="after")
    def _periods_after_base_year(self) -> Scenario:
        if min(self.periods) < self.demand.base_year:
            msg = (
                f"periods {self.periods} start before demand.base_year "
                f"{self.demand.base_year}, the year of the population data; the projection "
                "only runs forward. Start the periods in or after that year."
            )
            raise ValueError(msg)
        return self

    @model_validator(mode="after")
    def _robust_variants_known(self) -> Scenario:
        unknown = sorted(set(self.robust.variants) - set(self.demand.scenarios))
        if unknown:
            known = sorted(self.demand.scenarios)
            msg = (
                f"robust.variants names unknown population variant(s) {unknown}; use names "
                f"of demand.scenarios: {known}"
            )
            raise ValueError(msg)
        return self

    def period_years(self) -> list[float]:
        """
        Return the length of each planning period.

        Returns
        -------
        list of float
            Years from each period to the next; the last period repeats the one before it
            (5 years when there is a single period).
        """
        steps = [float(b - a) for a, b in itertools.pairwise(self.periods)]
        return [*steps, steps[-1] if steps else 5.0]
