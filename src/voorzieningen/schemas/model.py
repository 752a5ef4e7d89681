"""Settings of the investment model: services, costs, budgets, norms and the objective.

Default cost figures come from ``docs/peers.md`` §4.2-4.3 of the project's research notes
(public Dutch sources, cited per field). Figures marked *assumption* have no public norm and
must be replaced by the corporation's own numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from voorzieningen.schemas.base import MAX_MINUTES, StrictModel, check_relative_path

Service = Literal["school", "gp", "community_hall"]
SERVICES: tuple[Service, ...] = ("school", "gp", "community_hall")
#: Largest amount of money a setting may hold, € (larger values are typos; they would also
#: make the model numerically meaningless).
MAX_EUR = 1e12
#: Largest price per m² a setting may hold, €/m².
MAX_EUR_PER_M2 = 1e6


class ServiceCosts(StrictModel):
    """Space norm, size limits and unit costs of one service (price level 2023, excl. VAT).

    Floor area of the service in a building = ``base_m2 + m2_per_place * places`` (see
    :func:`voorzieningen.schemas.sizes.floor_area_m2`). Class-level defaults are neutral (no
    base, no maximum); the Dutch defaults of each service are set in ``_school``, ``_gp``
    and ``_community_hall`` below, each with its source.
    """

    m2_per_place: float = Field(ge=1e-3, le=1e4, allow_inf_nan=False)
    """Gross floor area (m² BVO) needed per place of capacity (pupil, patient, visitor
    equivalent), on top of ``base_m2``."""

    base_m2: float = Field(default=0.0, ge=0, le=1e5, allow_inf_nan=False)
    """Fixed part of the floor area of any building (or MFA part) hosting this service, m²
    BVO: entrance, hall, staff room, toilets, installations. Counted once per site and
    service while the service is open there."""

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

    min_places: float = Field(default=0.0, ge=0, le=1e7, allow_inf_nan=False)
    """Minimum viable size, places: a building hosting this service must serve at least this
    many places in every period it is open (minimum list size for GP practices). For
    schools this is the national fallback of the opheffingsnorm; the norm per gemeente comes
    from ``norms.school_closure``, and a portfolio row's ``min_places`` overrides both.
    0 disables the rule."""

    max_places: float | None = Field(default=None, gt=0, le=1e7, allow_inf_nan=False)
    """Largest size of one site, places (pupils, patients, visitor equivalents); None for no
    limit. A portfolio row's ``max_places`` overrides it for that building; an existing
    building that is already larger keeps its current capacity as its maximum."""

    extend_eur_per_m2: float | None = Field(
        default=None, ge=0, le=MAX_EUR_PER_M2, allow_inf_nan=False
    )
    """Capex of extending a building's life past its end of life (levensduurverlengend
    onderhoud: roof, facades, installations brought back to standard, no change of use or
    size), € per m². None: ``costs.extend_share_of_renovation`` times
    ``renovate_eur_per_m2`` (see :meth:`CostSettings.extend_eur_per_m2_for`)."""

    temporary_eur_per_place_year: float = Field(
        default=0.0, ge=0, le=MAX_EUR_PER_M2, allow_inf_nan=False
    )
    """Cost of temporary space (portable units, rented rooms) per place and year while the
    building is under works, € per place per year; used when
    ``model.service_during_works = "temporary"``."""

    @model_validator(mode="after")
    def _min_below_max(self) -> ServiceCosts:
        if self.max_places is not None and self.max_places < self.min_places:
            msg = (
                f"max_places ({self.max_places:g}) is below min_places ({self.min_places:g}); "
                "a site could never be open. Raise max_places or lower min_places."
            )
            raise ValueError(msg)
        return self


def _school() -> ServiceCosts:
    # Floor area 200 m² + 5.03 m² BVO per pupil: VNG Modelverordening voorzieningen
    # huisvesting onderwijs (since 2008; ruimtebehoefte basisonderwijs "vaste voet" of
    # 200 m² plus 5.03 m² per leerling), as summarised by Vastgoeddialoog,
    # https://www.vastgoeddialoog.nl/trends/nieuwe-modelverordening-voorzieningen-huisvesting-vng/
    # (peers.md §4.2: the Rijk assumes >= 3.5 m² plus a fixed base; VNG 5.03 m²).
    # €2,847 / m²: VNG model level, new primary school, 2023 (Bouwstenen / BDB).
    # €670 per child per year maintenance, energy, cleaning (Bouwstenen 2023) / 5.03 m²
    # = €133 per m² per year. Renovation at 60 % and conversion at 75 % of new build are
    # assumptions. Minimum 23 pupils: the lowest gemeentelijke opheffingsnorm in the law
    # (lowest 23, highest 200: Kamerbrief 11 April 2017, Kamerstuk 31293 nr. 361,
    # https://zoek.officielebekendmakingen.nl/kst-31293-361.html); the norm per gemeente
    # comes from norms.school_closure. Maximum 1,000 pupils: assumption, from DUO
    # schoolvestigingen Nov 2024 (data/cbs DUO file): of 6,182 basisschool locations the
    # median has 199 pupils, the 99.9th percentile 910, and only 3 exceed 1,000.
    # Temporary space €1,000 per pupil per year: assumption (a rented portable classroom of
    # ~60 m² for ~28 pupils at ~€470 / m² / yr); replace with quotes.
    return ServiceCosts(
        m2_per_place=5.03,
        base_m2=200.0,
        new_build_eur_per_m2=2847.0,
        renovate_eur_per_m2=0.6 * 2847.0,
        convert_eur_per_m2=0.75 * 2847.0,
        fixed_capex_eur=250_000.0,
        opex_eur_per_m2_year=133.0,
        min_places=23.0,
        max_places=1000.0,
        temporary_eur_per_place_year=1000.0,
    )


def _gp() -> ServiceCosts:
    # LHV: 130 m² BVO per FTE normpraktijk; ~2,095 patients per FTE (normpraktijk, peers.md
    # §4.2, unverified). Split as a fixed 30 m² (waiting room, toilet, technical room;
    # assumption) plus 100 m² per 2,095 patients, so that one normpraktijk still needs
    # exactly 130 m² (LHV) and a 20,000-patient centre ~985 m².
    # €2,000 / m² total cost of an eerstelijnscentrum (eerstelijnscentrumopzetten.nl).
    # Opex €60 / m² / yr is an assumption.
    # Minimum 1,000 patients: assumption (about half a normpraktijk: a part-time solo
    # practice; the average practice lists ~2,350 patients, De Groene Amsterdammer,
    # https://www.groene.nl/artikel/de-minister-krenkt-ons-diep). Maximum 20,000 patients:
    # assumption (a large gezondheidscentrum of ~10 FTE GPs at the normpraktijk size; the
    # issue's credibility check). Temporary space €10 per patient per year: assumption
    # (~0.05 m² per patient at ~€200 / m² / yr market rent, peers.md §4.2).
    return ServiceCosts(
        m2_per_place=100.0 / 2095.0,
        base_m2=30.0,
        new_build_eur_per_m2=2000.0,
        renovate_eur_per_m2=0.6 * 2000.0,
        convert_eur_per_m2=0.75 * 2000.0,
        fixed_capex_eur=100_000.0,
        opex_eur_per_m2_year=60.0,
        min_places=1000.0,
        max_places=20_000.0,
        temporary_eur_per_place_year=10.0,
    )


def _community_hall() -> ServiceCosts:
    # No per-m² norm exists (peers.md §4.3); every figure here is an assumption, checked
    # against use and project totals. A visitor equivalent is one person visiting 12 times a
    # year (demand.hall_weight_*); a village of 1,000 residents has ~400-460 of them.
    # Sizing from use (assumption): a dorpshuis of ~300 m² (a hall of ~150 m², a meeting
    # room, kitchen, toilets, storage) hosts of the order of 20,000 visits a year, i.e.
    # ~1,700 visitor equivalents. Hence a fixed 150 m² (the hall and its services, needed at
    # any size) plus 0.09 m² per visitor equivalent: a village of 1,000 gets ~190 m², one of
    # 5,000 (~2,250 visitor equivalents) ~350 m², a 600 m² MFA serves ~5,000. (The first
    # figures, 0.1 m² per visitor equivalent without a base, gave a village a 46 m² hall; a
    # later 250 m² + 0.25 m² made a 300 m² dorpshuis serve 200 visitor equivalents.)
    # Cross-check: the renovation of the dorpshuis of Nieuw-Schoonebeek cost €625k
    # (peers.md §4.3), i.e. ~420 m² at the renovation price below (€1,500 / m²).
    # €2,500 / m² new build and €50 / m² / yr opex are assumptions.
    # No minimum size (volunteer-run halls survive at any size; assumption); maximum 5,000
    # visitor equivalents (~600 m², a large MFA hall; assumption).
    # Temporary space €50 per visitor equivalent per year: assumption.
    return ServiceCosts(
        m2_per_place=0.09,
        base_m2=150.0,
        new_build_eur_per_m2=2500.0,
        renovate_eur_per_m2=0.6 * 2500.0,
        convert_eur_per_m2=0.75 * 2500.0,
        fixed_capex_eur=100_000.0,
        opex_eur_per_m2_year=50.0,
        min_places=0.0,
        max_places=5000.0,
        temporary_eur_per_place_year=50.0,
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

    building_life_years: float = Field(default=40.0, gt=0, le=200)
    """Depreciation period of new capex; the undepreciated part at the end of the horizon
    counts as residual value."""

    max_extension_share: float = Field(default=0.5, ge=0, le=10, allow_inf_nan=False)
    """Largest extension of an existing building, as a share of its current floor area
    (0.5: at most 50 % more m²; 0: no extensions). Assumption (a larger extension is in
    practice a new build on the plot); a portfolio row's ``max_floor_area_m2`` overrides it
    for that building. Candidate sites without ``max_floor_area_m2`` are bounded only by
    the services' ``max_places``."""

    extend_share_of_renovation: float = Field(default=0.25, ge=0, le=10, allow_inf_nan=False)
    """Capex of a life extension (``extend``) as a share of the service's
    ``renovate_eur_per_m2``, used where ``costs.<service>.extend_eur_per_m2`` is not given.
    Assumption (25 %: no public Dutch figure per m² for levensduurverlengend onderhoud of
    maatschappelijk vastgoed was found; the work replaces the parts of a full renovation that
    keep the building safe and dry, not its layout or its installations' standard); replace
    with the corporation's MJOP figures."""

    extend_life_years: float = Field(default=15.0, gt=0, le=100, allow_inf_nan=False)
    """Years a life extension adds to a building's end of life (from its
    ``end_of_life_year``, or from the first period for a building already past it).
    Assumption (15 years: the span of a meerjarenonderhoudsplan with its large
    replacements brought forward); after it the building must close."""

    extend_fixed_capex_eur: float = Field(default=10_000.0, ge=0, le=MAX_EUR, allow_inf_nan=False)
    """Fixed capex of a life extension (condition survey, updated MJOP, permits), €.
    Assumption; a service's ``fixed_capex_eur`` (design of a new building) does not apply."""

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

    def extend_eur_per_m2_for(self, service: Service) -> float:
        """
        Return the capex of extending the life of a building of a service, € per m².

        Parameters
        ----------
        service
            The building's service.

        Returns
        -------
        float
            ``costs.<service>.extend_eur_per_m2``, or ``extend_share_of_renovation`` times
            the service's ``renovate_eur_per_m2`` when not given.
        """
        given = self.for_service(service).extend_eur_per_m2
        if given is not None:
            return given
        return self.extend_share_of_renovation * self.for_service(service).renovate_eur_per_m2


_BUDGET_LIMITS = (
    "capex_total_eur",
    "capex_per_year_eur",
    "net_spend_total_eur",
    "net_spend_per_year_eur",
    "capex_per_period_eur",
)


@dataclass(frozen=True)
class PeriodBudgets:
    """The budget limits of one run, resolved per period (None: no limit).

    Attributes
    ----------
    capex_total_eur
        Gross capex summed over all periods, €.
    capex_eur
        Gross capex limit of each period, €.
    net_spend_total_eur
        Net spend (capex minus sale proceeds) summed up to and including each period, €:
        the running total stays within this limit in every period, so later sales cannot
        pay for earlier works.
    net_spend_eur
        Net spend limit of each period, €.
    """

    capex_total_eur: float | None
    capex_eur: tuple[float | None, ...]
    net_spend_total_eur: float | None
    net_spend_eur: tuple[float | None, ...]


class BudgetSettings(StrictModel):
    """Budgets of the corporation: two separate optional limits, in total and per period.

    *Gross capex* is all construction money spent (new build, renovation, conversion, MFA,
    extension, demolition); *net spend* is gross capex minus the proceeds of selling closed
    buildings. Limits on gross capex are prudent when sales are uncertain; limits on net
    spend when sales are agreed. Every limit left out (None) does not bind. Per-period limits
    are given per year and scale with the period's length (a 5-year period gets 5 times the
    yearly amount); ``capex_per_period_eur`` states one amount per period instead.

    Until 2025 ``capex_total_eur`` limited capex *net* of proceeds when
    ``sale_proceeds_fund_capex`` was true (the old default). It now always means gross
    capex; write ``net_spend_total_eur`` for the old meaning.
    """

    capex_total_eur: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    """Gross capex over all periods, € (undiscounted); None for no limit."""

    capex_per_year_eur: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    """Gross capex per year of period length, €/year: period ``t`` may spend this times its
    length in years; None for no limit."""

    capex_per_period_eur: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    """Gross capex in each period whatever its length, €; None for no limit. For budgets
    agreed per planning period; do not combine with ``capex_per_year_eur``."""

    net_spend_total_eur: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    """Net spend (gross capex minus sale proceeds) over all periods, € (undiscounted): the
    running total up to each period stays within it, so later sales cannot pay for earlier
    works; None for no limit."""

    net_spend_per_year_eur: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    """Net spend per year of period length, €/year (period ``t`` gets this times its length);
    None for no limit."""

    funding_party: dict[Service, str] = Field(default_factory=dict)
    """Who pays the capex of each service in the cost-per-year report, e.g.
    ``{school = "gemeente"}``; services not named are paid by ``"corporation"``."""

    @model_validator(mode="before")
    @classmethod
    def _old_proceeds_switch(cls, data: Any) -> Any:
        """Accept ``sale_proceeds_fund_capex = false`` (same meaning now); refuse true."""
        if not isinstance(data, dict) or "sale_proceeds_fund_capex" not in data:
            return data
        given = dict(data)
        old = given.pop("sale_proceeds_fund_capex")
        if old is not False:
            msg = (
                "sale_proceeds_fund_capex was removed: capex_total_eur now limits gross "
                "capex. To let sale proceeds fund works, limit net spend instead: rename "
                "capex_total_eur to net_spend_total_eur (and capex_per_period_eur to "
                "net_spend_per_year_eur, divided by the period length), then delete "
                "sale_proceeds_fund_capex"
            )
            raise ValueError(msg)
        return given

    @field_validator(*_BUDGET_LIMITS)
    @classmethod
    def _plausible(cls, value: float | None) -> float | None:
        if value is not None and value > MAX_EUR:
            msg = (
                f"a budget of {value:.3g} EUR is implausible (above {MAX_EUR:.0e} EUR); "
                "check the number, or leave the key out for no limit"
            )
            raise ValueError(msg)
        return value

    @model_validator(mode="after")
    def _one_gross_period_limit(self) -> BudgetSettings:
        if self.capex_per_year_eur is not None and self.capex_per_period_eur is not None:
            msg = (
                "capex_per_year_eur and capex_per_period_eur both limit gross capex per "
                "period; keep one of them"
            )
            raise ValueError(msg)
        return self

    @property
    def sale_proceeds_fund_capex(self) -> bool:
        """Transitional for the model before it reads :meth:`per_period`: always False."""
        return False

    def per_period(self, period_years: Sequence[float]) -> PeriodBudgets:
        """
        Resolve the limits for a run's periods.

        Parameters
        ----------
        period_years
            Length of each period in years (``Scenario.period_years()``).

        Returns
        -------
        PeriodBudgets
            Totals as given; per-period limits as ``per_year * length`` (or
            ``capex_per_period_eur`` as given), None where no limit is set.
        """

        def scaled(per_year: float | None) -> tuple[float | None, ...]:
            if per_year is None:
                return tuple(None for _ in period_years)
            return tuple(per_year * float(years) for years in period_years)

        capex = (
            tuple(self.capex_per_period_eur for _ in period_years)
            if self.capex_per_period_eur is not None
            else scaled(self.capex_per_year_eur)
        )
        return PeriodBudgets(
            capex_total_eur=self.capex_total_eur,
            capex_eur=capex,
            net_spend_total_eur=self.net_spend_total_eur,
            net_spend_eur=scaled(self.net_spend_per_year_eur),
        )


class NormSettings(StrictModel):
    """Accessibility norms of one service."""

    max_travel_time_min: float | None = Field(default=None, gt=0, le=MAX_MINUTES)
    """Guarantee: demand may only be served by a facility within this travel time (minutes);
    demand without such a facility is unmet and reported. None: the network cutoff applies."""

    min_share_within: float | None = Field(default=None, ge=0, le=1)
    """Share of each period's demand (fraction) that must be served within
    ``within_min`` minutes. None disables the rule."""

    within_min: float = Field(default=15.0, gt=0, le=MAX_MINUTES)
    """Travel time (minutes) that ``min_share_within`` refers to."""


class ZoneGuarantee(StrictModel):
    """A per-village guarantee: a zone must be served within a travel time."""

    zone: str
    """Zone id (e.g. a PC4 code)."""

    service: Service
    """The service guaranteed."""

    max_travel_time_min: float = Field(gt=0, le=MAX_MINUTES)
    """Demand of this zone may only be served within this travel time (minutes); what
    cannot is reported as unmet."""


#: The lowest gemeentelijke opheffingsnorm in the law, pupils (lowest 23, highest 200:
#: Kamerbrief 11 April 2017, Kamerstuk 31293 nr. 361,
#: https://zoek.officielebekendmakingen.nl/kst-31293-361.html).
NATIONAL_OPHEFFINGSNORM_PUPILS = 23.0


class SchoolClosureNorm(StrictModel):
    """Where the school closure norm (opheffingsnorm, pupils) of each gemeente comes from.

    A school below its gemeente's opheffingsnorm loses its funding (Wet op het primair
    onderwijs art. 153); the norm depends on the gemeente's pupil density and is set by
    ministerial regulation every five years. Precedence per gemeente: a row in
    ``table_file`` > a row in the package table (``package_table``) > ``national_pupils``.
    A portfolio row's ``min_places`` overrides all three for that building.
    """

    national_pupils: float = Field(
        default=NATIONAL_OPHEFFINGSNORM_PUPILS, ge=0, le=1000, allow_inf_nan=False
    )
    """Norm of gemeenten without a row in the tables, pupils. Default 23: the lowest norm
    in the law (Kamerstuk 31293 nr. 361), so no school is closed that the law keeps open;
    give your gemeente's current norm in ``table_file`` for a binding plan."""

    package_table: Literal["none", "2013"] = "none"
    """``"2013"``: use the per-gemeente norms shipped with the package, from the Regeling
    aanpassing van de stichtings- en opheffingsnormen voor het basisonderwijs 2013, bijlage
    1 (https://wetten.overheid.nl/BWBR0032502; valid 1 August 2013 to 1 August 2018, since
    replaced by the 2018 and 2023 regulations, whose full tables were not at hand). Only
    for sensitivity runs or when nothing newer is available; gemeenten formed after 2013
    (Het Hogeland, Eemsdelta, Westerwolde, ...) fall back to ``national_pupils``.
    ``"none"`` (default): no package table."""

    table_file: str | None = None
    """Your own table, a CSV in the region folder with columns ``gemeente`` (CBS name),
    ``opheffingsnorm_pupils`` and optionally ``gemeente_code`` (CBS code, e.g. ``"0503"``)
    and ``source``; None for none."""

    @field_validator("table_file")
    @classmethod
    def _in_region(cls, value: str | None) -> str | None:
        return check_relative_path(value, folder="region folder")


class Norms(StrictModel):
    """Accessibility norms per service, and the school closure norm."""

    school_closure: SchoolClosureNorm = Field(default_factory=SchoolClosureNorm)
    """Minimum pupils of a school per gemeente (opheffingsnorm)."""

    guarantees: list[ZoneGuarantee] = Field(default_factory=list)
    """Per-village guarantees, stricter than the service-wide norms."""

    school: NormSettings = Field(default_factory=NormSettings)
    """Norms of primary schools (leerlingenvervoer applies beyond 6 km)."""

    gp: NormSettings = Field(default_factory=NormSettings)
    """Norms of GP practices."""

    community_hall: NormSettings = Field(default_factory=NormSettings)
    """Norms of community halls."""


#: Recommended weight of a person-minute per service in the access objective: return trips per
#: year per unit of demand. School: one return trip per school day, ~190 days (40 school
#: weeks minus study days; assumption from the Dutch school year of 940 hours, Wet op het
#: primair onderwijs art. 8); GP practice: ~3 visits per patient equivalent per year
#: (assumption: about half of the ~5-6 yearly contacts per person in NIVEL Zorgregistraties
#: eerste lijn are visits to the practice, the rest by telephone or home visit); community
#: hall: 12 by definition of a visitor equivalent (one person visiting 12 times a year).
RECOMMENDED_SERVICE_WEIGHTS: dict[Service, float] = {
    "school": 190.0,
    "gp": 3.0,
    "community_hall": 12.0,
}


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
    service; services not named weigh 1 (every person-minute alike). Recommended for plans
    across services: return trips per year per unit of demand, ``{school = 190, gp = 3,
    community_hall = 12}`` (``RECOMMENDED_SERVICE_WEIGHTS``; the demos and the region
    template use it), so the objective counts travel minutes per year and a pupil's daily
    trip weighs as often as it is made. Age is already in the demand: GP demand is weighted
    by age-specific consultation rates, community-hall demand toward 65+ and 75+."""

    @field_validator("service_weights")
    @classmethod
    def _positive_weights(cls, weights: dict[Service, float]) -> dict[Service, float]:
        bad = {s: w for s, w in weights.items() if not (w > 0 and w < 1e6)}
        if bad:
            msg = f"service weights must be positive and below 1e6, got {bad}"
            raise ValueError(msg)
        return weights

    @field_validator("unmet_penalty_min_by_service")
    @classmethod
    def _positive_penalties(cls, penalties: dict[Service, float]) -> dict[Service, float]:
        bad = {s: p for s, p in penalties.items() if not (p > 0 and p < 1e6)}
        if bad:
            msg = f"unmet penalties must be positive minutes per person below 1e6, got {bad}"
            raise ValueError(msg)
        return penalties

    closest_assignment: bool = False
    """People use their nearest open facility of a service (closest-assignment constraints)
    instead of being sent wherever the plan is best overall; capacity shortfalls there
    become unmet demand."""

    allow_unmet_demand: bool = True
    """Allow demand to stay unserved at a penalty, so that the report says which norm fails
    where instead of a bare "infeasible"."""

    unmet_penalty_min: float = Field(default=240.0, gt=0, le=1e6, allow_inf_nan=False)
    """Access objective: penalty per unserved person, in minutes of travel time (larger than
    any acceptable trip, so demand is served whenever capacity and norms allow)."""

    unmet_penalty_eur: float = Field(default=10_000.0, gt=0, le=1e9, allow_inf_nan=False)
    """Cost objective: penalty per unserved person per year, € (weighted by each period's
    length; far above the yearly cost of a place, so demand is served when it can be)."""

    cost_tiebreak: float = Field(default=1e-6, ge=0, le=1, allow_inf_nan=False)
    """Weight of NPV cost (in person-minutes per €) in the access objective, so that among
    equally accessible plans the cheaper one is chosen."""

    allow_mfa: bool = True
    """Allow merging several services into one multifunctional building (MFA / kindcentrum)."""

    allow_extend: bool = True
    """Allow extending the life of a managed building that reaches its end of life within
    the horizon (option ``extend``, "levensduur verlengen"): it keeps its service, capacity
    and floor area for ``costs.extend_life_years`` more years at
    ``costs.<service>.extend_eur_per_m2``, without interruption; by its end the building
    closes or is renovated, converted or merged."""

    allow_conversion: bool = True
    """Allow converting an existing building to another service."""

    max_capacity_factor: float = Field(default=1.5, gt=0, le=10, allow_inf_nan=False)
    """Largest new or extended capacity of a service at one site, as a multiple of that
    service's peak total demand in the region (a numerical bound; the size limits per
    site are ``costs.<service>.max_places`` and the portfolio's ``max_places``)."""

    unmet_penalty_min_by_service: dict[Service, float] = Field(default_factory=dict)
    """Access objective: penalty per unserved person of one service, minutes per person
    (per period, weighted like travel time); services not named use ``unmet_penalty_min``.
    E.g. ``{school = 360}`` when an unplaced pupil weighs more than six hours' travel."""

    norm_shortfall_penalty_min: float | None = Field(
        default=None, gt=0, le=1e6, allow_inf_nan=False
    )
    """Access objective, when ``allow_unmet_demand`` is true: penalty per person by which a
    ``min_share_within`` norm falls short in a period, minutes per person (the norm becomes
    soft and its shortfall is reported per zone). None: the service's unmet penalty."""

    norm_shortfall_penalty_eur: float | None = Field(
        default=None, gt=0, le=1e9, allow_inf_nan=False
    )
    """Cost objective, when ``allow_unmet_demand`` is true: penalty per person short of a
    ``min_share_within`` norm per year, € (weighted by period length). None:
    ``unmet_penalty_eur``."""

    construction_lead_periods: int = Field(default=1, ge=0, le=10)
    """Construction time, in planning periods: capacity from an investment (new build,
    renovation, conversion, extension, MFA) decided in period ``t`` serves demand from
    period ``t + construction_lead_periods``. Default 1: the next period (with 5-year
    periods, at most 5 years; Dutch school projects take about 2-4 years from decision to
    opening, assumption). 0: the same period (the model's former behaviour). An investment
    whose service would start after the last period is not allowed."""

    service_during_works: Literal["unavailable", "temporary"] = "temporary"
    """What an existing building's service does while it is renovated, converted or
    extended (the periods from the decision until the new capacity serves):
    ``"unavailable"``: the building serves no one (its demand goes elsewhere or is unmet);
    ``"temporary"``: it keeps its current capacity in temporary space at
    ``costs.<service>.temporary_eur_per_place_year`` (portable classrooms are the Dutch
    norm during school works)."""

    def unmet_penalty_min_for(self, service: Service) -> float:
        """
        Return the access-objective penalty of one unserved person of a service.

        Parameters
        ----------
        service
            ``"school"``, ``"gp"`` or ``"community_hall"``.

        Returns
        -------
        float
            Minutes per person: ``unmet_penalty_min_by_service[service]`` if given, else
            ``unmet_penalty_min``.
        """
        return float(self.unmet_penalty_min_by_service.get(service, self.unmet_penalty_min))

    def norm_shortfall_penalty_min_for(self, service: Service) -> float:
        """
        Return the access-objective penalty per person short of a soft norm.

        Parameters
        ----------
        service
            ``"school"``, ``"gp"`` or ``"community_hall"``.

        Returns
        -------
        float
            Minutes per person: ``norm_shortfall_penalty_min`` if given, else the service's
            unmet penalty.
        """
        if self.norm_shortfall_penalty_min is not None:
            return float(self.norm_shortfall_penalty_min)
        return self.unmet_penalty_min_for(service)

    @model_validator(mode="after")
    def _unique_services(self) -> ModelOptions:
        if len(set(self.services)) != len(self.services):
            msg = f"model.services lists a service twice: {self.services}"
            raise ValueError(msg)
        return self
