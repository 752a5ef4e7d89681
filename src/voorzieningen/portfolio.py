"""Read and check the corporation's portfolio: its buildings and candidate sites.

Every problem of the file is reported together, with its file, column and rows; the checks on
coordinates and ids are shared with the other input files (:mod:`voorzieningen.inputs`).
"""

from __future__ import annotations

import difflib
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from voorzieningen import tables as T
from voorzieningen.csvio import Decimal, Encoding
from voorzieningen.errors import InputDataError, VoorzieningenWarning
from voorzieningen.schemas.model import SERVICES, CostSettings
from voorzieningen.schemas.sizes import floor_area_m2

#: Columns a portfolio CSV must have.
PORTFOLIO_REQUIRED: tuple[str, ...] = ("site_id", "name", "kind", "service", "lon", "lat")
#: Optional numeric columns of a portfolio CSV.
PORTFOLIO_NUMERIC: tuple[str, ...] = (
    T.FLOOR_AREA_M2,
    T.CAPACITY_PLACES,
    T.END_OF_LIFE_YEAR,
    T.SALE_VALUE_EUR,
    T.MIN_PLACES,
    T.MAX_PLACES,
    T.MAX_FLOOR_AREA_M2,
)
#: Every column a portfolio CSV may have (others are ignored unless they look like a typo).
PORTFOLIO_COLUMNS: tuple[str, ...] = (
    *PORTFOLIO_REQUIRED,
    T.ALLOWED_SERVICES,
    *PORTFOLIO_NUMERIC,
    T.LOCK,
    T.MANAGED,
    T.GEMEENTE,
    T.NOTE,
)
#: Plausible ranges of the portfolio's numbers (inclusive); values outside are typos or
#: wrong units, and would make the model numerically meaningless.
PORTFOLIO_RANGES: dict[str, tuple[float, float, str]] = {
    T.FLOOR_AREA_M2: (0.0, 1e6, " m²"),
    T.CAPACITY_PLACES: (0.0, 1e7, " places"),
    T.END_OF_LIFE_YEAR: (1800.0, 2300.0, " (a calendar year)"),
    T.SALE_VALUE_EUR: (-1e10, 1e10, " €"),
    T.MIN_PLACES: (0.0, 1e7, " places"),
    T.MAX_PLACES: (0.0, 1e7, " places"),
    T.MAX_FLOOR_AREA_M2: (0.0, 1e6, " m²"),
}
#: Values of the portfolio's ``lock`` column (several separated by ``;``).
#:
#: - ``must_keep``: the building stays open with its current service in every period (it
#:   may be renovated or extended; it may not close, be sold, change service or join an
#:   MFA elsewhere);
#: - ``no_close``: the building may not close (it may change service, if ``no_convert`` is
#:   not also given);
#: - ``no_sale``: the building may close but earns no sale proceeds (its demolition cost,
#:   or nothing when it stands empty, applies instead of ``sale_value_eur``);
#: - ``no_convert``: the building may not change service, nor host another service with it
#:   (no MFA), e.g. when a school board or GP refuses to share.
LOCKS: tuple[str, ...] = ("must_keep", "no_close", "no_sale", "no_convert")
KINDS = ("existing", "candidate")
#: Bounding box of the Netherlands and its neighbours (lon, lat), to catch swapped columns.
_LON_RANGE = (2.5, 7.5)
_LAT_RANGE = (50.5, 53.8)
COORDINATE_RANGES = {"lon": _LON_RANGE, "lat": _LAT_RANGE}
#: An existing building's floor area is checked against the space norm of its capacity
#: (:func:`voorzieningen.schemas.sizes.floor_area_m2` with default costs); outside this
#: factor either way it is reported as a warning (a typo, a unit error or a misread number).
AREA_PER_PLACE_FACTOR = 4.0


def check_coordinates(frame: pd.DataFrame, path: Path, *, data_file: bool = False) -> None:
    """Check ``lon``/``lat`` (WGS84 degrees, in the Netherlands); raise naming the rows."""
    problems: list[str] = []
    for col, (low, high) in ((T.LON, _LON_RANGE), (T.LAT, _LAT_RANGE)):
        values = pd.to_numeric(frame[col], errors="coerce")
        bad = frame.index[values.isna()]
        if len(bad):
            problems.append(
                f"({path}, {col}) | missing or non-numeric in rows {T.format_rows(T.file_rows(bad))}"
            )
        out = frame.index[values.notna() & ((values < low) | (values > high))]
        if len(out):
            problems.append(
                f"({path}, {col}) | outside {low}..{high} degrees in rows "
                f"{T.format_rows(T.file_rows(out))}; give WGS84 longitude/latitude "
                "(not RD metres, not swapped)"
            )
        frame[col] = values
    if problems:
        if data_file:
            problems.append(
                f"({path}) | this is the data file, not the portfolio: restore it from its "
                "source (see PROVENANCE.md of the data directory), or describe the building "
                "in the portfolio with the id duo-<vestigingscode>"
            )
        raise InputDataError("\n".join(problems))


def check_unique(ids: pd.Series, path: Path, column: str) -> None:
    """Raise naming the rows when an id occurs more than once in ``column``."""
    dup = ids[ids.duplicated(keep=False)]
    if len(dup):
        msg = (
            f"({path}, {column}) | duplicate ids {T.format_rows(sorted(set(dup.astype(str))))} "
            f"in rows {T.format_rows(T.file_rows(dup.index))}; every id must be unique."
        )
        raise InputDataError(msg)


def load_portfolio(
    path: Path, *, decimal: Decimal = "auto", encoding: Encoding = "utf-8"
) -> pd.DataFrame:
    """
    Load a corporation's portfolio CSV: its buildings and candidate sites.

    Columns: ``site_id`` (unique), ``name``, ``kind`` (``existing`` or ``candidate``),
    ``service`` (current service of an existing building: ``school``, ``gp`` or
    ``community_hall``; empty for candidates), ``lon``, ``lat`` (WGS84 degrees), and
    optionally ``managed`` (true: the plan decides on this building, the default; false:
    it stays as it is and only counts for accessibility), ``allowed_services``
    (``;``-separated; default all), ``floor_area_m2`` (m²
    BVO), ``capacity_places`` (places of the current service), ``end_of_life_year`` (the
    year from which the building can no longer be used as is), ``sale_value_eur`` (net
    proceeds if closed and sold, €; negative for demolition cost), ``min_places`` and
    ``max_places`` (smallest and largest size of the row's ``service`` at this building,
    places; they override the service's defaults and the opheffingsnorm; other services on
    the building, after a conversion or in an MFA, keep their defaults), ``max_floor_area_m2``
    (largest floor area after any extension, m² BVO, for existing buildings and candidate
    plots), ``lock`` (``;``-separated out of :data:`LOCKS`, for existing buildings), ``note``.
    A row whose
    ``site_id`` is ``duo-<vestigingscode>`` describes the building of a DUO school and
    replaces the DUO defaults.

    Parameters
    ----------
    path
        The portfolio CSV: ``,``, ``;`` or tab separated, UTF-8 (or Windows-1252, with a
        warning); see :mod:`voorzieningen.csvio`.
    decimal
        How its numbers are written (``facilities.csv_decimal``): ``"auto"`` decides per
        column and refuses a number with two readings (``1.420``) that nothing decides;
        ``"comma"`` (Dutch: ``1.420,5``) or ``"point"`` (``1,420.5``).
    encoding
        ``"utf-8"`` or ``"cp1252"`` (``facilities.csv_encoding``).

    Returns
    -------
    pandas.DataFrame
        Sites table indexed by ``site``.

    Raises
    ------
    InputDataError
        Listing every problem found: missing columns, duplicate ids (ignoring case),
        unknown kinds or services, non-numeric or negative numbers, numbers with two
        readings, coordinates outside the Netherlands, unknown locks, size limits that
        contradict each other, a floor area of 0 with places or 0 places in an existing
        building.

    Warns
    -----
    VoorzieningenWarning
        If the portfolio has no rows (only the DUO schools, if enabled, will be planned), or
        an existing building's floor area is far from the space norm of its capacity.
    """
    frame = T.read_csv(
        path,
        required=PORTFOLIO_REQUIRED,
        dtype={"site_id": "str"},
        what="portfolio",
        na_text=False,
        numeric=(T.LON, T.LAT, *PORTFOLIO_NUMERIC),
        ranges={**{c: (r[0], r[1]) for c, r in PORTFOLIO_RANGES.items()}, **COORDINATE_RANGES},
        decimal=decimal,
        encoding=encoding,
        setting="facilities.csv_decimal",
    )
    if frame.empty:
        warnings.warn(
            f"({path}) | the portfolio has a header but no rows: no corporation building or "
            "candidate site will be planned (only DUO schools, if facilities.duo_schools is "
            "on); add a row per building and candidate site.",
            VoorzieningenWarning,
            stacklevel=2,
        )
    problems: list[str] = []
    for col in frame.columns:
        if col in PORTFOLIO_COLUMNS:
            continue
        near = difflib.get_close_matches(col.lower(), PORTFOLIO_COLUMNS, n=1, cutoff=0.75)
        if near:
            problems.append(
                f"({path}, {col}) | unknown column; did you mean {near[0]!r}? Rename it in "
                f"the header row (known columns: {', '.join(PORTFOLIO_COLUMNS)})."
            )
    frame["site_id"] = frame["site_id"].astype("string").str.strip()
    missing_id = frame.index[frame["site_id"].isna() | (frame["site_id"] == "")]
    if len(missing_id):
        problems.append(
            f"({path}, site_id) | empty in rows {T.format_rows(T.file_rows(missing_id))}"
        )
    try:
        check_unique(frame["site_id"].dropna(), path, "site_id")
    except InputDataError as err:
        problems.append(str(err))
    else:
        _check_unique_ignoring_case(frame["site_id"].dropna(), path, problems)
    kind = frame["kind"].astype("string").str.strip().str.lower()
    bad = frame.index[~kind.isin(KINDS).fillna(value=False).astype(bool)]
    if len(bad):
        problems.append(
            f"({path}, kind) | must be 'existing' or 'candidate' in rows "
            f"{T.format_rows(T.file_rows(bad))}"
        )
    service = frame["service"].astype("string").str.strip().fillna("")
    existing = kind.eq("existing").fillna(value=False).astype(bool)
    bad = frame.index[existing & ~service.isin(SERVICES)]
    if len(bad):
        problems.append(
            f"({path}, service) | existing buildings need a service out of {list(SERVICES)} "
            f"in rows {T.format_rows(T.file_rows(bad))}"
        )
    bad = frame.index[~existing & service.ne("") & ~service.isin(SERVICES)]
    if len(bad):
        problems.append(
            f"({path}, service) | unknown service in rows {T.format_rows(T.file_rows(bad))}; "
            f"use one of {list(SERVICES)}, or leave it empty for a candidate site"
        )
    allowed = (
        frame[T.ALLOWED_SERVICES].astype("string").fillna(";".join(SERVICES))
        if T.ALLOWED_SERVICES in frame.columns
        else pd.Series(";".join(SERVICES), index=frame.index, dtype="string")
    )
    allowed = allowed.str.replace(" ", "", regex=False)
    bad_allowed = [
        i
        for i, text in allowed.items()
        if not text or any(s not in SERVICES for s in str(text).split(";"))
    ]
    if bad_allowed:
        problems.append(
            f"({path}, allowed_services) | use ';'-separated names out of {list(SERVICES)} "
            f"in rows {T.format_rows(T.file_rows(int(str(i)) for i in bad_allowed))}"
        )
    numbers: dict[str, pd.Series] = {}
    for col in PORTFOLIO_NUMERIC:
        raw = frame[col] if col in frame.columns else pd.Series(np.nan, index=frame.index)
        values = pd.to_numeric(raw, errors="coerce")
        bad = frame.index[raw.notna() & values.isna()]
        if len(bad):
            problems.append(
                f"({path}, {col}) | not a number in rows {T.format_rows(T.file_rows(bad))} "
                "(use a decimal point or a decimal comma, one way in the whole column, digits "
                "only; leave the cell empty if unknown)"
            )
        low, high, unit = PORTFOLIO_RANGES[col]
        if col != T.SALE_VALUE_EUR:
            neg = frame.index[(values < 0) | np.isinf(values)]
            if len(neg):
                problems.append(
                    f"({path}, {col}) | negative or infinite in rows "
                    f"{T.format_rows(T.file_rows(neg))}"
                )
            huge = frame.index[np.isfinite(values) & ((values < low) | (values > high))]
        else:
            inf = frame.index[np.isinf(values)]
            if len(inf):
                problems.append(
                    f"({path}, {col}) | infinite in rows {T.format_rows(T.file_rows(inf))}; "
                    "give the net proceeds in € (negative for a demolition cost)"
                )
            huge = frame.index[np.isfinite(values) & ((values < low) | (values > high))]
        if len(huge):
            problems.append(
                f"({path}, {col}) | implausible values in rows "
                f"{T.format_rows(T.file_rows(huge))}: allowed {low:,.0f} to {high:,.0f}{unit}; "
                "check for typos and units"
            )
        if col == T.END_OF_LIFE_YEAR:
            frac = frame.index[np.isfinite(values) & (values != np.round(values))]
            if len(frac):
                problems.append(
                    f"({path}, {col}) | not a whole year in rows {T.format_rows(T.file_rows(frac))}"
                )
        numbers[col] = values
    managed = pd.Series(data=True, index=frame.index, dtype=bool)
    if T.MANAGED in frame.columns:
        text = frame[T.MANAGED].astype("string").str.strip().str.lower().fillna("")
        truth = {
            "": True,
            "true": True,
            "1": True,
            "yes": True,
            "ja": True,
            "false": False,
            "0": False,
            "no": False,
            "nee": False,
        }
        bad = frame.index[~text.isin(list(truth))]
        if len(bad):
            problems.append(
                f"({path}, {T.MANAGED}) | use true/false (or ja/nee, 1/0) in rows "
                f"{T.format_rows(T.file_rows(bad))}"
            )
        managed = text.map(lambda v: truth.get(str(v), True)).astype(bool)
    lock = _parse_locks(frame, path, problems)
    _check_sizes(frame, path, numbers, kind, service, lock, problems)
    _check_area_vs_places(frame, path, numbers, existing, service, problems)
    try:
        check_coordinates(frame, path)
    except InputDataError as err:
        problems.append(str(err))
    if problems:
        raise InputDataError("\n".join(problems))
    sites = pd.DataFrame(
        {
            T.SITE: frame["site_id"].astype(str),
            T.NAME: frame["name"].astype("string").fillna("").astype(str),
            T.KIND: kind.astype(str),
            T.SERVICE: service.where(existing, "").astype(str),
            T.ALLOWED_SERVICES: allowed.astype(str),
            T.LON: frame[T.LON],
            T.LAT: frame[T.LAT],
            **numbers,
            T.LOCK: lock,
            T.GEMEENTE: frame[T.GEMEENTE].astype(str) if T.GEMEENTE in frame.columns else "",
            T.MANAGED: managed,
            T.SOURCE: "portfolio",
            T.NOTE: frame[T.NOTE].astype("string").fillna("").astype(str)
            if T.NOTE in frame.columns
            else "",
        }
    )
    return sites.set_index(T.SITE)[list(T.SITE_COLUMNS)]


def _check_unique_ignoring_case(ids: pd.Series, path: Path, problems: list[str]) -> None:
    """Report ids that differ only in case (``gp-tu`` and ``GP-TU``): one building twice."""
    folded = ids.astype(str).str.casefold()
    dup = ids[folded.duplicated(keep=False)]
    if len(dup):
        problems.append(
            f"({path}, site_id) | ids {T.format_rows(sorted(set(dup.astype(str))))} in rows "
            f"{T.format_rows(T.file_rows(dup.index))} differ only in upper/lower case: they "
            "would be counted as separate buildings. Give each building one id, written "
            "one way."
        )


def _check_area_vs_places(
    frame: pd.DataFrame,
    path: Path,
    numbers: dict[str, pd.Series],
    existing: pd.Series,
    service: pd.Series,
    problems: list[str],
) -> None:
    """Cross-check floor area and capacity of existing buildings."""
    area, places = numbers[T.FLOOR_AREA_M2], numbers[T.CAPACITY_PLACES]
    rows = frame.index[
        existing & (area == 0).fillna(value=False) & (places > 0).fillna(value=False)
    ]
    if len(rows):
        problems.append(
            f"({path}, {T.FLOOR_AREA_M2}) | 0 m² with places in {T.CAPACITY_PLACES} in rows "
            f"{T.format_rows(T.file_rows(rows))}; give the building's m² BVO, or leave the "
            "cell empty to derive it from the capacity"
        )
    rows = frame.index[existing & (places == 0).fillna(value=False)]
    if len(rows):
        problems.append(
            f"({path}, {T.CAPACITY_PLACES}) | 0 places in an existing building in rows "
            f"{T.format_rows(T.file_rows(rows))}; give its places, leave the cell empty to "
            "derive them from floor_area_m2, or (if it stands empty) set managed=false or "
            "drop the row"
        )
    costs = CostSettings()
    odd: list[str] = []
    for line in frame.index[
        existing & (area > 0).fillna(value=False) & (places > 0).fillna(value=False)
    ]:
        own = str(service[line])
        if own not in SERVICES:
            continue
        norm = floor_area_m2(own, float(places[line]), costs)
        ratio = float(area[line]) / norm
        if not 1 / AREA_PER_PLACE_FACTOR <= ratio <= AREA_PER_PLACE_FACTOR:
            odd.append(
                f"line {line}: {area[line]:g} m² for {places[line]:g} places ({own}; the "
                f"norm gives {norm:,.0f} m²)"
            )
    if odd:
        warnings.warn(
            f"({path}, {T.FLOOR_AREA_M2}) | floor area and capacity disagree by more than a "
            f"factor {AREA_PER_PLACE_FACTOR:g}: {'; '.join(odd[:5])}"
            f"{f' and {len(odd) - 5} more' if len(odd) > 5 else ''}. Check for typos, units "
            "and thousands separators.",
            VoorzieningenWarning,
            stacklevel=3,
        )


def _parse_locks(frame: pd.DataFrame, path: Path, problems: list[str]) -> pd.Series:
    """Normalise the ``lock`` column to ``;``-joined known values (``""`` for none)."""
    if T.LOCK not in frame.columns:
        return pd.Series("", index=frame.index, dtype=object)
    text = frame[T.LOCK].astype("string").fillna("").str.replace(" ", "", regex=False)
    parsed: dict[object, str] = {}
    bad: dict[str, list[int]] = {}
    for i, cell in text.items():
        parts = [p for p in str(cell).lower().split(";") if p]
        for part in parts:
            if part not in LOCKS:
                bad.setdefault(part, []).append(int(str(i)))
        parsed[i] = ";".join(sorted(set(parts) & set(LOCKS), key=LOCKS.index))
    for value, rows in bad.items():
        problems.append(
            f"({path}, {T.LOCK}) | unknown lock {value!r} in rows "
            f"{T.format_rows(T.file_rows(rows))}; use ';'-separated values out of "
            f"{list(LOCKS)}, or leave the cell empty"
        )
    return pd.Series(parsed, dtype=object).reindex(frame.index).fillna("")


def _check_sizes(
    frame: pd.DataFrame,
    path: Path,
    numbers: dict[str, pd.Series],
    kind: pd.Series,
    service: pd.Series,
    lock: pd.Series,
    problems: list[str],
) -> None:
    """Cross-column checks of the size limits and locks of a portfolio."""
    low, high = numbers[T.MIN_PLACES], numbers[T.MAX_PLACES]
    rows = frame.index[(low > high).fillna(value=False).astype(bool)]
    if len(rows):
        problems.append(
            f"({path}, {T.MAX_PLACES}) | below {T.MIN_PLACES} in rows "
            f"{T.format_rows(T.file_rows(rows))}; the building could never be open. Raise "
            f"{T.MAX_PLACES} or lower {T.MIN_PLACES}."
        )
    rows = frame.index[(high == 0).fillna(value=False).astype(bool)]
    if len(rows):
        problems.append(
            f"({path}, {T.MAX_PLACES}) | 0 in rows {T.format_rows(T.file_rows(rows))}; give a "
            f"positive size, or lock the building out with allowed_services / managed=false"
        )
    given = low.notna() | high.notna()
    rows = frame.index[given & service.eq("")]
    if len(rows):
        problems.append(
            f"({path}, {T.SERVICE}) | rows {T.format_rows(T.file_rows(rows))} give "
            f"{T.MIN_PLACES}/{T.MAX_PLACES} but no service they apply to; fill in the "
            "service (for a candidate: the service the sizes are meant for)"
        )
    area, most = numbers[T.FLOOR_AREA_M2], numbers[T.MAX_FLOOR_AREA_M2]
    rows = frame.index[(most < area).fillna(value=False).astype(bool)]
    if len(rows):
        problems.append(
            f"({path}, {T.MAX_FLOOR_AREA_M2}) | below {T.FLOOR_AREA_M2} in rows "
            f"{T.format_rows(T.file_rows(rows))}; the largest floor area after extension "
            f"cannot be smaller than the building is now. Raise {T.MAX_FLOOR_AREA_M2} or "
            f"correct {T.FLOOR_AREA_M2}."
        )
    rows = frame.index[(most == 0).fillna(value=False).astype(bool)]
    if len(rows):
        problems.append(
            f"({path}, {T.MAX_FLOOR_AREA_M2}) | 0 in rows {T.format_rows(T.file_rows(rows))}; "
            "leave the cell empty for the default bound, or give the plot's largest m² BVO"
        )
    locked = lock.ne("")
    rows = frame.index[locked & kind.ne("existing").fillna(value=True).astype(bool)]
    if len(rows):
        problems.append(
            f"({path}, {T.LOCK}) | rows {T.format_rows(T.file_rows(rows))} lock a candidate "
            "site; locks apply to existing buildings only (a candidate is simply not built "
            "unless the plan chooses it). Leave the cell empty."
        )
