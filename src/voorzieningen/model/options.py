"""The lifecycle options of each site, and the portfolio columns they are built from.

:func:`site_options` lists the options of one site (see :mod:`voorzieningen.model.data`),
:func:`extend_window` sets when a life extension may start and stay open,
:func:`fill_sites` fills floor areas and capacities from each other and :func:`site_locks`
reads the ``lock`` column. Used by :func:`voorzieningen.model.data.build_model_data` only.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from voorzieningen import tables as T
from voorzieningen.errors import InputDataError
from voorzieningen.schemas.model import SERVICES, CostSettings, ModelOptions, Service
from voorzieningen.schemas.sizes import floor_area_m2, places_in_area

#: Name (and action) of the life-extension option of an existing building.
EXTEND = "extend"


def fill_sites(sites: pd.DataFrame, costs: CostSettings) -> pd.DataFrame:
    """Fill floor areas and capacities of existing buildings from each other.

    Floor area = ``base_m2 + m2_per_place * places`` of the building's service
    (:func:`~voorzieningen.schemas.sizes.floor_area_m2`) and its inverse.
    """
    sites = sites.copy()
    existing = sites[T.KIND] == "existing"
    area = sites[T.FLOOR_AREA_M2].astype(float)
    cap = sites[T.CAPACITY_PLACES].astype(float)
    missing_both = sites.index[existing & area.isna() & cap.isna()]
    if len(missing_both):
        msg = (
            f"(sites, floor_area_m2/capacity_places) | existing buildings "
            f"{T.format_rows(missing_both)} have neither floor area nor capacity; give one "
            "of them in the portfolio."
        )
        raise InputDataError(msg)
    known = sites[T.SERVICE].isin(list(SERVICES))
    fill_area = [
        floor_area_m2(svc, float(c), costs) if ok and np.isnan(a) else a
        for svc, a, c, ok in zip(sites[T.SERVICE], area, cap, known, strict=True)
    ]
    fill_cap = [
        places_in_area(svc, float(a), costs) if ok and np.isnan(c) else c
        for svc, a, c, ok in zip(sites[T.SERVICE], fill_area, cap, known, strict=True)
    ]
    sites[T.FLOOR_AREA_M2] = np.asarray(fill_area, dtype=float)
    sites[T.CAPACITY_PLACES] = np.asarray(fill_cap, dtype=float)
    return sites


def site_locks(sites: pd.DataFrame) -> pd.Series:
    """Locks of each site as frozensets (the ``lock`` column is ``;``-separated)."""
    column = sites[T.LOCK] if T.LOCK in sites.columns else pd.Series("", index=sites.index)
    return pd.Series(
        [
            frozenset(p for p in str(v).split(";") if p) if pd.notna(v) else frozenset()
            for v in column
        ],
        index=sites.index.astype(str),
        dtype=object,
    )


def site_options(
    site: str,
    row: pd.Series,
    services: list[Service],
    costs: CostSettings,
    model_settings: ModelOptions,
    locks: frozenset[str],
) -> list[dict[str, object]]:
    """
    Return the lifecycle options of one site, one dict (a row of ``ModelData.options``) each.

    Parameters
    ----------
    site
        Site id.
    row
        The site's row of the sites table (kind, service, allowed_services, floor_area_m2,
        end_of_life_year, managed).
    services
        Services planned.
    costs, model_settings
        Unit costs (€/m², €) and which kinds of options are allowed.
    locks
        The site's locks (``must_keep`` and ``no_convert`` allow no conversion or MFA).

    Returns
    -------
    list of dict
        Existing building: renovate, extend (with a finite end of life), convert, MFA;
        candidate site: new and new MFA builds.
    """
    allowed = [s for s in str(row[T.ALLOWED_SERVICES]).split(";") if s in services]
    # A must_keep or no_convert building keeps its service alone: no conversion, no MFA.
    alone = bool(locks & {"must_keep", "no_convert"})
    rows: list[dict[str, object]] = []

    def add(action: str, name: str, hosted: tuple[Service, ...], reuse_cost_per_m2: float) -> None:
        area = float(row[T.FLOOR_AREA_M2]) if row[T.KIND] == "existing" else 0.0
        per = [costs.for_service(s) for s in hosted]
        mfa = len(hosted) > 1
        rows.append(
            {
                "lead_periods": model_settings.construction_lead_periods,
                "life_years": costs.building_life_years,
                "first_start": np.nan,
                "open_until": np.nan,
                T.SITE: site,
                "option": name,
                "action": action,
                "services": hosted,
                "reuse_area_m2": area,
                "reuse_capex_eur": reuse_cost_per_m2 * area,
                # One project: the dearest hosted service's fixed capex (design, permits,
                # connections), plus the extra of combining services; merging saves the
                # other services' fixed costs.
                "fixed_capex_eur": max(c.fixed_capex_eur for c in per)
                + (costs.mfa_fixed_capex_eur if mfa else 0.0),
                # The dearest hosted service sets the building's standard: adding a cheap
                # service never makes a building cheaper per m².
                "new_eur_per_m2": max(c.new_build_eur_per_m2 for c in per),
                "opex_eur_per_m2_year": max(c.opex_eur_per_m2_year for c in per),
                "saving": costs.mfa_shared_space_saving if mfa else 0.0,
            }
        )

    if row[T.KIND] == "existing":
        s0: Service = row[T.SERVICE]
        if s0 not in services or not bool(row[T.MANAGED]):
            return rows
        add("renovate", "renovate", (s0,), costs.for_service(s0).renovate_eur_per_m2)
        if model_settings.allow_extend and np.isfinite(float(row[T.END_OF_LIFE_YEAR])):
            # Life extension (levensduurverlengend onderhoud): same service, capacity and
            # floor area; maintenance, so no fixed project capex, no new area, no works
            # interruption (lead 0); its life is costs.extend_life_years. The window in
            # which it may start and stay open is set in build_model_data.
            add("extend", EXTEND, (s0,), costs.extend_eur_per_m2_for(s0))
            rows[-1].update(
                fixed_capex_eur=costs.extend_fixed_capex_eur,
                new_eur_per_m2=0.0,
                lead_periods=0,
                life_years=costs.extend_life_years,
            )
        if model_settings.allow_conversion and not alone:
            for s in allowed:
                if s != s0:
                    add("convert", f"convert:{s}", (s,), costs.for_service(s).convert_eur_per_m2)
        if model_settings.allow_mfa and not alone:
            others = [s for s in allowed if s != s0]
            for k in range(1, len(others) + 1):
                for combo in itertools.combinations(others, k):
                    hosted = tuple(sorted((s0, *combo), key=services.index))
                    per_m2 = max(
                        [costs.for_service(s0).renovate_eur_per_m2]
                        + [costs.for_service(s).convert_eur_per_m2 for s in combo]
                    )
                    add("mfa", "mfa:" + "+".join(hosted), hosted, per_m2)
    else:
        for s in allowed:
            add("new", f"new:{s}", (s,), 0.0)
        if model_settings.allow_mfa:
            for k in range(2, len(allowed) + 1):
                for combo in itertools.combinations(allowed, k):
                    hosted = tuple(sorted(combo, key=services.index))
                    add("new", "new-mfa:" + "+".join(hosted), hosted, 0.0)
    return rows


def extend_window(
    options: pd.DataFrame,
    last_period: pd.Series,
    eol: pd.Series,
    periods: list[int],
    ends: dict[int, float],
    costs: CostSettings,
) -> pd.DataFrame:
    """Set when each life extension may start and how long it may stay open.

    An extension starts in the first period the building can no longer be used as is (the
    period after its last as-is period; the first period for a building already past its
    end of life) and keeps it open in the periods that end by ``max(end_of_life_year,
    first period) + costs.extend_life_years``. Extensions of buildings usable as is to the
    horizon's end, or whose extended life does not cover one whole period, are dropped.
    """
    keep = np.ones(len(options), dtype=bool)
    first_start = np.full(len(options), np.nan)
    open_until = np.full(len(options), np.nan)
    last_period = pd.Series(last_period.to_numpy(), index=last_period.index.astype(str))
    eol = pd.Series(eol.to_numpy(dtype=float), index=eol.index.astype(str))
    for i, (site, action) in enumerate(zip(options[T.SITE], options["action"], strict=True)):
        if action != EXTEND:
            continue
        last = last_period.get(site)
        if last is None or (isinstance(last, float) and np.isnan(last)):
            first: int | None = periods[0]
        else:
            later = [p for p in periods if p > int(last)]
            first = later[0] if later else None
        life_end = max(float(eol[site]), float(periods[0])) + costs.extend_life_years
        until = max((p for p in periods if ends[p] <= life_end), default=None)
        if first is None or until is None or until < first:
            keep[i] = False
            continue
        first_start[i], open_until[i] = float(first), float(until)
    options = options.assign(first_start=first_start, open_until=open_until)
    return options[keep].reset_index(drop=True)
