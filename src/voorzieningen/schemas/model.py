"""Settings of the investment model: services, costs, budgets, norms and the objective.

Default cost figures come from ``docs/peers.md`` §4.2-4.3 of the project's research notes
(public Dutch sources, cited per field). Figures marked *assumption* have no public norm and
must be replaced by the corporation's own numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from voorzieningen.schemas.base import StrictModel

Service = Literal["school", "gp", "community_hall"]
SERVICES: tuple[Service, ...] = ("school", "gp", "community_hall")
#: Largest amount of money a setting may hold, € (larger values are typos; they would also
#: make the model numerically meaningless).
MAX_EUR = 1e12
#: Largest price per m² a setting may hold, €/m².
MAX_EUR_PER_M2 = 1e6


class ServiceCosts(StrictModel):
    """Space norm and unit costs of one service (price level 2023, excl. VAT)."""

    m2_per_place: float = Field(ge=1e-3, le=1e4, allow_inf_nan=False)
    """Gross floor area (m² BVO) needed per place of capacity (pupil, patient, visitor)."""

    new_build_eur_per_m2: float = Field(ge=0, le=MAX_EUR_PER_M2, allow_inf_nan=False)
    """Capex of new construction, € per m² BVO (total building cost)."""

    renovate_eur_per_m2: float = Field(ge=0, le=MAX_EUR_PER_M2, allow_inf_nan=False)
    """Capex of a thorough renovation that resets the building's technical life, € per m²."""

    convert_eur_per_m2: float = Field(ge=0, le=MAX_EUR_PER_M2, allow_inf_nan=False)
    """Capex of converting a building of another service to this one, € per m²."""

    fixed_capex_eur: float = Field(default=0.0, ge=0, le=MAX_EUR, allow_inf_nan=False)
    """Fixed capex of any project for this service (design, permits, connections), €."""

    opex_eur_per_m2_year: float = Field(ge=0, le=MAX_EUR_PER_M2, allow_inf_nan=False)
    """Yearly operating cost (maintenance, energy, cleaning), € per m² per year."""

    min_places: float = Field(default=0.0, ge=0, allow_inf_nan=False)
    """Minimum viable size: a building hosting this service must serve at least this many
    places in every period it is open (opheffingsnorm for schools, minimum list size for
    GP practices). 0 disables the rule."""


def _school() -> ServiceCosts:
    # 5.03 m² BVO per pupil: VNG model ordinance (Bouwstenen, School Facilities, May 2023).
    # €2,847 / m²: VNG model level, new primary school, 2023 (Bouwstenen / BDB).
    # €670 per child per year maintenance, energy, cleaning (Bouwstenen 2023) / 5.03 m²
    # = €133 per m² per year. Renovation at 60 % and conversion at 75 % of new build are
    # assumptions. Minimum 23 pupils: historic absolute opheffingsnorm floor (VOS/ABB).
    return ServiceCosts(
        m2_per_place=5.03,
        new_build_eur_per_m2=2847.0,
        renovate_eur_per_m2=0.6 * 2847.0,
        convert_eur_per_m2=0.75 * 2847.0,
        fixed_capex_eur=250_000.0,
        opex_eur_per_m2_year=133.0,
        min_places=23.0,
    )


def _gp() -> ServiceCosts:
    # LHV: 130 m² BVO per FTE normpraktijk; ~2,095 patients per FTE (normpraktijk, unverified)
    # -> 0.062 m² per patient. €2,000 / m² total cost of an eerstelijnscentrum
    # (eerstelijnscentrumopzetten.nl). Opex €60 / m² / yr is an assumption.
    return ServiceCosts(
        m2_per_place=130.0 / 2095.0,
        new_build_eur_per_m2=2000.0,
        renovate_eur_per_m2=0.6 * 2000.0,
        convert_eur_per_m2=0.75 * 2000.0,
        fixed_capex_eur=100_000.0,
        opex_eur_per_m2_year=60.0,
        min_places=0.0,
    )


def _community_hall() -> ServiceCosts:
    # No per-m² norm exists (peers.md §4.3): €2,500 / m² new build, 0.1 m² per weighted
    # visitor-equivalent and €50 / m² / yr opex are assumptions, checked against project
    # totals (renovation of a dorpshuis €0.6-1.0M; MFA new builds €5.4-12.5M).
    return ServiceCosts(
        m2_per_place=0.1,
        new_build_eur_per_m2=2500.0,
        renovate_eur_per_m2=0.6 * 2500.0,
        convert_eur_per_m2=0.75 * 2500.0,
        fixed_capex_eur=100_000.0,
        opex_eur_per_m2_year=50.0,
        min_places=0.0,
    )


_SERVICE_DEFAULTS: dict[str, Callable[[], ServiceCosts]] = {
    "school": _school,
    "gp": _gp,
    "community_hall": _community_hall,
}


class CostSettings(StrictModel):
    """Cost parameters of every action."""

    school: ServiceCosts = Field(default_factory=_school)
    """Costs and space norm of primary schools."""

    gp: ServiceCosts = Field(default_factory=_gp)
    """Costs and space norm of GP practices."""

    community_hall: ServiceCosts = Field(default_factory=_community_hall)
    """Costs and space norm of community halls (dorpshuizen)."""

    mfa_shared_space_saving: float = Field(default=0.10, ge=0, lt=1)
    """Share of floor area saved when services share one multifunctional building (MFA /
    kindcentrum): shared entrance, hall and technical rooms (assumption: 10 %)."""

    mfa_fixed_capex_eur: float = Field(default=150_000.0, ge=0, le=MAX_EUR, allow_inf_nan=False)
    """Extra fixed capex of combining services in one building, € (assumption)."""

    demolition_eur_per_m2: float = Field(
        default=100.0, ge=0, le=MAX_EUR_PER_M2, allow_inf_nan=False
    )
    """Demolition cost of a closed building whose sale value is not given, € per m²
    (assumption)."""

    discount_rate: float = Field(default=0.0225, ge=0, lt=1)
    """Real discount rate per year for the net present value of costs (2.25 %: the Dutch
    government's standard discount rate since 2020, unverified)."""

    building_life_years: float = Field(default=40.0, gt=0)
    """Depreciation period of new capex; the undepreciated part at the end of the horizon
    counts as residual value."""

    @model_validator(mode="before")
    @classmethod
    def _fill_service_defaults(cls, data: Any) -> Any:
        """Let a scenario change one cost of a service; the others keep their defaults."""
        if not isinstance(data, dict):
            return data
        filled = dict(data)
        for service, default in _SERVICE_DEFAULTS.items():
            given = filled.get(service)
            if isinstance(given, dict):
                filled[service] = {**default().model_dump(), **given}
        return filled

    def for_service(self, service: Service) -> ServiceCosts:
        """
        Return the cost settings of one service.

        Parameters
        ----------
        service
            ``"school"``, ``"gp"`` or ``"community_hall"``.

        Returns
        -------
        ServiceCosts
            Space norm and unit costs of that service.
        """
        costs: ServiceCosts = getattr(self, service)
        return costs


class BudgetSettings(StrictModel):
    """Capex budgets of the corporation."""

    capex_total_eur: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    """Total capex over all periods, € (undiscounted); None for no total limit."""

    capex_per_period_eur: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    """Capex limit in each period, €; None for no limit per period."""

    sale_proceeds_fund_capex: bool = True
    """Whether proceeds from selling closed buildings may fund capex within the budget."""

    funding_party: dict[Service, str] = Field(default_factory=dict)
    """Who pays the capex of each service in the cost-per-year report, e.g.
    ``{school = "gemeente"}``; services not named are paid by ``"corporation"``."""

    @field_validator("capex_total_eur", "capex_per_period_eur")
    @classmethod
    def _plausible(cls, value: float | None) -> float | None:
        if value is not None and value > MAX_EUR:
            msg = (
                f"a budget of {value:.3g} EUR is implausible (above {MAX_EUR:.0e} EUR); "
                "check the number, or leave the key out for no limit"
            )
            raise ValueError(msg)
        return value


class NormSettings(StrictModel):
    """Accessibility norms of one service."""

    max_travel_time_min: float | None = Field(default=None, gt=0)
    """Guarantee: demand may only be served by a facility within this travel time (minutes);
    demand without such a facility is unmet and reported. None: the network cutoff applies."""

    min_share_within: float | None = Field(default=None, ge=0, le=1)
    """Share of each period's demand (fraction) that must be served within
    ``within_min`` minutes. None disables the rule."""

    within_min: float = Field(default=15.0, gt=0)
    """Travel time (minutes) that ``min_share_within`` refers to."""


class ZoneGuarantee(StrictModel):
    """A per-village guarantee: a zone must be served within a travel time."""

    zone: str
    """Zone id (e.g. a PC4 code)."""

    service: Service
    """The service guaranteed."""

    max_travel_time_min: float = Field(gt=0)
    """Demand of this zone may only be served within this travel time (minutes); what
    cannot is reported as unmet."""


class Norms(StrictModel):
    """Accessibility norms per service."""

    guarantees: list[ZoneGuarantee] = Field(default_factory=list)
    """Per-village guarantees, stricter than the service-wide norms."""

    school: NormSettings = Field(default_factory=NormSettings)
    """Norms of primary schools (leerlingenvervoer applies beyond 6 km)."""

    gp: NormSettings = Field(default_factory=NormSettings)
    """Norms of GP practices."""

    community_hall: NormSettings = Field(default_factory=NormSettings)
    """Norms of community halls."""


class ModelOptions(StrictModel):
    """What the investment model optimises and which rules it applies."""

    services: list[Service] = Field(default_factory=lambda: list(SERVICES), min_length=1)
    """Services planned in this run."""

    objective: Literal["access", "cost", "worst_off"] = "access"
    """``"access"``: minimise demand-weighted travel time (person-minutes) within the budget;
    ``"cost"``: minimise the net present value of capex, opex and proceeds (€) subject to the
    norms; ``"worst_off"``: minimise, per service, the largest zone-average travel time
    (minutes; unserved persons count at the unmet penalty), then demand-weighted travel time."""

    service_weights: dict[Service, float] = Field(default_factory=dict)
    """Access objective: weight of one person-minute (and of one unserved person) per
    service, e.g. ``{gp = 2.0}`` when a trip to the GP matters twice as much as one to the
    community hall; services not named weigh 1. Age is already in the demand: GP demand is
    weighted by age-specific consultation rates, community-hall demand toward 65+ and 75+."""

    @field_validator("service_weights")
    @classmethod
    def _positive_weights(cls, weights: dict[Service, float]) -> dict[Service, float]:
        bad = {s: w for s, w in weights.items() if not (w > 0 and w < 1e6)}
        if bad:
            msg = f"service weights must be positive and below 1e6, got {bad}"
            raise ValueError(msg)
        return weights

    closest_assignment: bool = False
    """People use their nearest open facility of a service (closest-assignment constraints)
    instead of being sent wherever the plan is best overall; capacity shortfalls there
    become unmet demand."""

    allow_unmet_demand: bool = True
    """Allow demand to stay unserved at a penalty, so that the report says which norm fails
    where instead of a bare "infeasible"."""

    unmet_penalty_min: float = Field(default=240.0, gt=0, allow_inf_nan=False)
    """Access objective: penalty per unserved person, in minutes of travel time (larger than
    any acceptable trip, so demand is served whenever capacity and norms allow)."""

    unmet_penalty_eur: float = Field(default=10_000.0, gt=0, allow_inf_nan=False)
    """Cost objective: penalty per unserved person per year, € (weighted by each period's
    length; far above the yearly cost of a place, so demand is served when it can be)."""

    cost_tiebreak: float = Field(default=1e-6, ge=0, allow_inf_nan=False)
    """Weight of NPV cost (in person-minutes per €) in the access objective, so that among
    equally accessible plans the cheaper one is chosen."""

    allow_mfa: bool = True
    """Allow merging several services into one multifunctional building (MFA / kindcentrum)."""

    allow_conversion: bool = True
    """Allow converting an existing building to another service."""

    max_capacity_factor: float = Field(default=1.5, gt=0, allow_inf_nan=False)
    """Largest new or extended capacity of a service at one site, as a multiple of that
    service's peak total demand in the region."""

    @model_validator(mode="after")
    def _unique_services(self) -> ModelOptions:
        if len(set(self.services)) != len(self.services):
            msg = f"model.services lists a service twice: {self.services}"
            raise ValueError(msg)
        return self
