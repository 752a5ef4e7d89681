"""Loading and validating population by zone and age band from CBS and user files."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from voorzieningen.demand._bands import AGE_BANDS
from voorzieningen.demand._defaults import default_rates
from voorzieningen.demand._problems import Problems, listing, warn
from voorzieningen.errors import InputDataError

SourceFormat = Literal["auto", "cbs_pc4", "cbs_kwb", "user"]

POPULATION = "population_persons"
FEMALE = "female_persons"

_PC4_COLUMNS = ("postcode", "leeftijd", "inwoners", "inwoners_man", "inwoners_vrouw")
_USER_COLUMNS = ("zone", "age_band", POPULATION)
#: Tolerance of CBS rounding: each count is rounded to a multiple of 5 (persons).
_CBS_ROUNDING = 10.0
#: Rounded integer percentages of 5 broad bands may sum to 97.5-102.5.
_PCT_TOLERANCE = 3.0

#: Broad KWB bands -> the five-year bands they contain.
_KWB_BROAD: dict[str, tuple[str, ...]] = {
    "0-14": AGE_BANDS[0:3],
    "15-24": AGE_BANDS[3:5],
    "25-44": AGE_BANDS[5:9],
    "45-64": AGE_BANDS[9:13],
    "65+": AGE_BANDS[13:],
}
_KWB2017_PCT = ("P_00_14_JR", "P_15_24_JR", "P_25_44_JR", "P_45_64_JR", "P_65_EO_JR")
_KWB2022_PCT = ("pop_0_14", "pop_15_24", "pop_25_44", "pop_45_64", "pop_65plus")


def national_profile(year: int) -> pd.DataFrame:
    """
    Estimate the national population by five-year band on 1 January of ``year``.

    The packaged national table of 1-1-2021 (CBS 83502NED via the PC4 file) is spread
    uniformly over single years of age and moved ``year - 2021`` years along the cohorts with
    the default death rates (reverse survival for earlier years; migration ignored; ages
    younger than the shift take the 0-4 density). Used only as the within-band age shape when
    splitting broad bands. Note: for years before 2021 this uses national information from
    after ``year`` (the 2021 table) - a mild look-ahead in the shape only.

    Parameters
    ----------
    year
        Reference year (1 January).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``age_band``; columns ``population_persons`` and ``female_persons``.
    """
    rates = default_rates()
    width = 5
    n_ages = len(AGE_BANDS) * width
    ages = np.arange(n_ages)
    band_of_age = np.minimum(ages // width, len(AGE_BANDS) - 1)
    shift = year - 2021
    source = ages - shift
    inside = (source >= 0) & (source < n_ages)
    src = np.clip(source, 0, n_ages - 1)
    out: dict[str, npt.NDArray[np.float64]] = {}
    female_2021 = rates["national_female_persons_2021"].to_numpy(dtype=np.float64)
    male_2021 = rates["national_persons_2021"].to_numpy(dtype=np.float64) - female_2021
    for column, counts, mortality in (
        (FEMALE, female_2021, "mortality_female_per_year"),
        ("male", male_2021, "mortality_male_per_year"),
    ):
        single = counts[band_of_age] / width
        # cumulative hazard from birth to each single age: H(a) = sum of m over ages < a
        hazard = np.concatenate(
            [[0.0], np.cumsum(rates[mortality].to_numpy(dtype=np.float64)[band_of_age])]
        )
        # persons aged a in `year` were aged a - shift in 2021: undo / apply the deaths between
        survival = np.exp(-(hazard[np.maximum(ages, src)] - hazard[np.minimum(ages, src)]))
        moved = single[src] * (survival if shift > 0 else 1.0 / survival)
        shifted = np.where(inside, moved, np.where(source < 0, single[0], 0.0))
        out[column] = np.asarray(
            np.bincount(band_of_age, weights=shifted, minlength=len(AGE_BANDS)), dtype=np.float64
        )
    frame = pd.DataFrame(
        {POPULATION: out[FEMALE] + out["male"], FEMALE: out[FEMALE]},
        index=pd.Index(AGE_BANDS, name="age_band"),
    )
    return frame


def _detect(columns: Sequence[str], path: Path) -> SourceFormat:
    cols = set(columns)
    if set(_PC4_COLUMNS) <= cols:
        return "cbs_pc4"
    if "AANT_INW" in cols or set(_KWB2022_PCT) <= cols:
        return "cbs_kwb"
    if set(_USER_COLUMNS) <= cols:
        return "user"
    msg = (
        f"({path}) | cannot tell the population format from its columns "
        f"{listing(columns)}. Fix: use a CBS PC4 or KWB file, or a user CSV with columns "
        "zone, age_band, population_persons (see demand.load_population)."
    )
    raise InputDataError(msg)


def load_population(
    path: Path | str,
    *,
    zones: Sequence[str] | None = None,
    source_format: SourceFormat = "auto",
) -> pd.DataFrame:
    """
    Load population by zone and five-year age band, validating it completely.

    Formats (``source_format``):

    ``cbs_pc4``
        CBS PC4 x five-year band file (``postcode, leeftijd, inwoners, inwoners_man,
        inwoners_vrouw``). Zones are 4-digit postcodes. CBS-suppressed (empty) counts are read
        as 0 with a :class:`~voorzieningen.errors.VoorzieningenWarning`.
    ``cbs_kwb``
        CBS kerncijfers wijken en buurten: the 2017 wijk-/buurtkaart tables (``WK_CODE`` or
        ``GM_CODE``, ``AANT_INW``, ``AANT_VROUW``, ``P_00_14_JR`` ... ``P_65_EO_JR``) or the
        2022 tables (``code``, ``population``, ``pop_0_14`` ... ``pop_65plus``). Zones are the
        wijk or gemeente codes. The five rounded percentages are rescaled to the total and each
        broad band is split into five-year bands with the national age shape of that year
        (:func:`national_profile`); women by the national female share per band, rescaled to
        ``AANT_VROUW`` where given. Water rows are skipped; rows with secret (negative) or
        missing values are errors for requested zones and skipped with a warning otherwise.
    ``user``
        Long CSV, one row per zone and band: ``zone`` (text), ``age_band`` (the 20 CBS bands
        ``0-4`` ... ``95+``), ``population_persons`` (persons, >= 0); optional
        ``female_persons`` (persons, <= population) and ``zone_total_persons`` (persons, the
        zone's total repeated on each row; must match the sum of bands within 0.5 %).

    Parameters
    ----------
    path
        The CSV file.
    zones
        Zones to return (others are ignored); every one must be in the file. ``None`` = all.
    source_format
        File format, or ``"auto"`` to recognise it from the columns.

    Returns
    -------
    pandas.DataFrame
        Indexed by (``zone``, ``age_band``), all 20 bands per zone in age order; columns
        ``population_persons`` and ``female_persons`` (float, persons on 1 January).

    Raises
    ------
    InputDataError
        Listing every problem found (missing columns, unknown zones, missing or unknown
        bands, negative or non-numeric values, totals that do not add up), each with the
        file, column, rows and a fix.
    """
    path = Path(path)
    if not path.is_file():
        msg = f"({path}) | population file not found. Fix: check demand.population_source."
        raise InputDataError(msg)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except UnicodeDecodeError as err:
        msg = f"({path}) | population file is not UTF-8 (byte {err.start}). Fix: save it as UTF-8."
        raise InputDataError(msg) from err
    except pd.errors.EmptyDataError as err:
        msg = f"({path}) | population file is empty. Fix: give a header row and one row per zone and band."
        raise InputDataError(msg) from err
    except (pd.errors.ParserError, ValueError) as err:
        msg = f"({path}) | population file cannot be read as CSV: {err}. Fix: check that every line has as many fields as the header."
        raise InputDataError(msg) from err
    fmt = _detect(list(raw.columns), path) if source_format == "auto" else source_format
    wanted = None if zones is None else [str(zone) for zone in zones]
    if fmt == "cbs_pc4":
        return _load_pc4(raw, path, wanted)
    if fmt == "cbs_kwb":
        return _load_kwb(raw, path, wanted)
    return _load_user(raw, path, wanted)


def _numeric(
    raw: pd.DataFrame, columns: Sequence[str], problems: Problems, labels: pd.Series
) -> pd.DataFrame:
    """Convert columns to float, recording non-numeric cells (empty cells stay NaN)."""
    out = pd.DataFrame(index=raw.index)
    for column in columns:
        values = pd.to_numeric(raw[column], errors="coerce")
        bad = values.isna() & raw[column].notna()
        if bad.any():
            problems.add(
                column,
                f"{int(bad.sum())} non-numeric values at rows {listing(labels[bad])}",
                "write plain numbers (persons) with a dot as decimal separator",
            )
        out[column] = values.astype("float64")
    return out


def _missing_columns(raw: pd.DataFrame, required: Sequence[str], path: Path) -> None:
    missing = [column for column in required if column not in raw.columns]
    if missing:
        problems = Problems(path)
        problems.add(
            listing(missing),
            f"required column(s) missing; the file has {listing(raw.columns)}",
            "add the columns or pick the right demand.population_format",
        )
        problems.raise_if_any()


def _unknown_zones(
    present: pd.Index, wanted: list[str] | None, problems: Problems, column: str
) -> None:
    if wanted is None:
        return
    unknown = [zone for zone in wanted if zone not in present]
    if unknown:
        problems.add(
            column,
            f"{len(unknown)} requested zone(s) not in the file: {listing(unknown)}",
            "check the zone codes (e.g. 4-digit PC4, WK/GM codes) or use a file that covers them",
        )


def _row_labels(raw: pd.DataFrame) -> pd.Series:
    """CSV line numbers (header = line 1) of each row, as text."""
    return pd.Series((raw.index + 2).astype(str), index=raw.index)


def _finish(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.astype({POPULATION: "float64", FEMALE: "float64"})
    frame.index = frame.index.set_names(["zone", "age_band"])
    return frame


def _pivot_bands(
    long: pd.DataFrame, zone_col: str, band_col: str, value_cols: Sequence[str]
) -> pd.DataFrame:
    """Order a long (zone, band) table with every zone's bands in age order."""
    band_order = pd.CategoricalDtype(list(AGE_BANDS), ordered=True)
    long = long.assign(**{band_col: long[band_col].astype(band_order)})
    long = long.sort_values([zone_col, band_col])
    out = long.set_index([zone_col, band_col])[list(value_cols)]
    out.index = pd.MultiIndex.from_arrays(
        [out.index.get_level_values(0).astype(str), out.index.get_level_values(1).astype(str)]
    )
    return out


def _check_bands(
    zone: pd.Series,
    band: pd.Series,
    labels: pd.Series,
    problems: Problems,
    band_column: str,
) -> pd.Series:
    """Record unknown, duplicate and missing bands; return a mask of usable rows."""
    known = band.isin(AGE_BANDS)
    if (~known).any():
        problems.add(
            band_column,
            f"unknown age bands {listing(sorted(set(band[~known].astype(str))))} at rows "
            f"{listing(labels[~known])}",
            f"use the CBS five-year bands {AGE_BANDS[0]}, {AGE_BANDS[1]}, ..., {AGE_BANDS[-1]}",
        )
    duplicated = known & pd.DataFrame({"z": zone, "b": band}).duplicated(keep=False)
    if duplicated.any():
        problems.add(
            band_column,
            f"zone/age band appears more than once at rows {listing(labels[duplicated])}",
            "keep one row per zone and age band",
        )
    present = pd.DataFrame({"z": zone[known], "b": band[known]}).drop_duplicates()
    counts = present.groupby("z").size()
    incomplete = counts[counts < len(AGE_BANDS)]
    if len(incomplete):
        details = []
        for zone_code in incomplete.index[:12]:
            have = set(present.loc[present["z"] == zone_code, "b"])
            lacking = [b for b in AGE_BANDS if b not in have]
            details.append(f"{zone_code} lacks {listing(lacking)}")
        more = f" ({len(incomplete)} zones in all)" if len(incomplete) > 12 else ""
        problems.add(
            band_column,
            "missing age bands: " + "; ".join(details) + more,
            "give every zone all 20 bands (write 0 for empty bands)",
        )
    return known & ~duplicated


def _load_pc4(raw: pd.DataFrame, path: Path, wanted: list[str] | None) -> pd.DataFrame:
    _missing_columns(raw, _PC4_COLUMNS, path)
    problems = Problems(path)
    raw = raw.assign(postcode=raw["postcode"].str.strip().str.zfill(4))
    if wanted is not None:
        raw = raw[raw["postcode"].isin(wanted)]
    labels = _row_labels(raw)
    values = _numeric(raw, _PC4_COLUMNS[2:], problems, labels)
    _unknown_zones(pd.Index(raw["postcode"].unique()), wanted, problems, "postcode")
    usable = _check_bands(raw["postcode"], raw["leeftijd"], labels, problems, "leeftijd")
    for column in _PC4_COLUMNS[2:]:
        negative = values[column] < 0
        if negative.any():
            problems.add(
                column,
                f"{int(negative.sum())} negative counts at rows {listing(labels[negative])}",
                "counts of persons cannot be negative; correct or drop these rows",
            )
    gap = (values["inwoners"] - values["inwoners_man"] - values["inwoners_vrouw"]).abs()
    off = gap > _CBS_ROUNDING
    if off.any():
        problems.add(
            "inwoners",
            f"inwoners differs from inwoners_man + inwoners_vrouw by more than "
            f"{_CBS_ROUNDING:.0f} (CBS rounding) at rows {listing(labels[off])}",
            "correct the totals or the counts by sex",
        )
    problems.raise_if_any()
    suppressed = values["inwoners"].isna()
    if suppressed.any():
        zones = sorted(set(raw.loc[suppressed, "postcode"]))
        warn(
            f"{path}: {int(suppressed.sum())} suppressed (empty) CBS counts in zones "
            f"{listing(zones)} read as 0 persons"
        )
    long = pd.DataFrame(
        {
            "zone": raw["postcode"],
            "age_band": raw["leeftijd"],
            POPULATION: values["inwoners"].fillna(0.0),
            FEMALE: values["inwoners_vrouw"].fillna(0.0).clip(upper=values["inwoners"].fillna(0.0)),
        }
    )[usable]
    return _finish(_pivot_bands(long, "zone", "age_band", (POPULATION, FEMALE)))


def _load_kwb(raw: pd.DataFrame, path: Path, wanted: list[str] | None) -> pd.DataFrame:
    if "AANT_INW" in raw.columns:
        code_col = "WK_CODE" if "WK_CODE" in raw.columns else "GM_CODE"
        _missing_columns(raw, (code_col, "AANT_INW", *_KWB2017_PCT), path)
        if "WATER" in raw.columns:
            raw = raw[raw["WATER"].fillna("NEE").str.strip() != "JA"]
        total_col, pct_cols, female_col, year = "AANT_INW", _KWB2017_PCT, "AANT_VROUW", 2017
    else:
        code_col = "code"
        _missing_columns(raw, ("code", "population", *_KWB2022_PCT), path)
        total_col, pct_cols, female_col, year = "population", _KWB2022_PCT, "", 2022
    problems = Problems(path)
    raw = raw.assign(**{code_col: raw[code_col].str.strip()})
    if wanted is not None:
        raw = raw[raw[code_col].isin(wanted)]
    labels = _row_labels(raw)
    numeric_cols = [total_col, *pct_cols] + (
        [female_col] if female_col in raw.columns and female_col else []
    )
    values = _numeric(raw, numeric_cols, problems, labels)
    _unknown_zones(pd.Index(raw[code_col]), wanted, problems, code_col)
    dup = raw[code_col].duplicated(keep=False)
    if dup.any():
        problems.add(
            code_col, f"duplicate zone codes at rows {listing(labels[dup])}", "one row per zone"
        )
    pct = values[list(pct_cols)]
    bad = (
        values[total_col].isna()
        | (values[total_col] < 0)
        | pct.isna().any(axis=1)
        | (pct < 0).any(axis=1)
    )
    if bad.any():
        where = listing(raw.loc[bad, code_col])
        if wanted is not None:
            problems.add(
                listing(pct_cols),
                f"missing, secret (negative) or empty population/age shares for zones {where}",
                "drop these zones or give their population in a user CSV",
            )
        else:
            warn(f"{path}: skipped {int(bad.sum())} zones without usable age shares: {where}")
    share_sum = pct.sum(axis=1)
    off = ~bad & ((share_sum - 100.0).abs() > _PCT_TOLERANCE) & (values[total_col] > 0)
    if off.any():
        problems.add(
            listing(pct_cols),
            f"age-band percentages do not add up to 100 (+/- {_PCT_TOLERANCE:.0f} rounding) "
            f"for zones {listing(raw.loc[off, code_col])}",
            "correct the percentages (they must cover the whole population)",
        )
    problems.raise_if_any()
    keep = ~bad
    codes = raw.loc[keep, code_col].to_numpy()
    total = values.loc[keep, total_col].to_numpy()
    shares = pct[keep].to_numpy()
    shares = shares / np.where(shares.sum(axis=1) > 0, shares.sum(axis=1), 1.0)[:, None]
    profile = national_profile(year)
    persons = np.zeros((len(codes), len(AGE_BANDS)))
    for j, bands in enumerate(_KWB_BROAD.values()):
        idx = [AGE_BANDS.index(b) for b in bands]
        inner = profile[POPULATION].to_numpy()[idx]
        persons[:, idx] = (total * shares[:, j])[:, None] * (inner / inner.sum())[None, :]
    female_share = (profile[FEMALE] / profile[POPULATION]).to_numpy()
    female = persons * female_share[None, :]
    if female_col and female_col in values.columns:
        given = values.loc[keep, female_col].to_numpy()
        scale = np.where(
            np.isfinite(given) & (given >= 0) & (female.sum(axis=1) > 0),
            given / np.maximum(female.sum(axis=1), 1e-12),
            1.0,
        )
        female = np.minimum(female * scale[:, None], persons)
    index = pd.MultiIndex.from_product([codes, list(AGE_BANDS)], names=["zone", "age_band"])
    frame = pd.DataFrame({POPULATION: persons.ravel(), FEMALE: female.ravel()}, index=index)
    return _finish(frame)


def _load_user(raw: pd.DataFrame, path: Path, wanted: list[str] | None) -> pd.DataFrame:
    _missing_columns(raw, _USER_COLUMNS, path)
    problems = Problems(path)
    raw = raw.assign(zone=raw["zone"].str.strip(), age_band=raw["age_band"].str.strip())
    if wanted is not None:
        raw = raw[raw["zone"].isin(wanted)]
    labels = _row_labels(raw)
    optional = [c for c in (FEMALE, "zone_total_persons") if c in raw.columns]
    values = _numeric(raw, [POPULATION, *optional], problems, labels)
    _unknown_zones(pd.Index(raw["zone"].unique()), wanted, problems, "zone")
    empty_zone = raw["zone"].isna() | (raw["zone"] == "")
    if empty_zone.any():
        problems.add(
            "zone", f"empty zone code at rows {listing(labels[empty_zone])}", "fill in the zone"
        )
    usable = _check_bands(raw["zone"], raw["age_band"], labels, problems, "age_band")
    missing = values[POPULATION].isna() & raw[POPULATION].isna()
    if missing.any():
        problems.add(
            POPULATION,
            f"empty values at rows {listing(labels[missing])}",
            "write 0 for empty bands",
        )
    for column in [POPULATION, *optional]:
        negative = values[column] < 0
        if negative.any():
            problems.add(
                column,
                f"{int(negative.sum())} negative values at rows {listing(labels[negative])}",
                "persons cannot be negative",
            )
    if FEMALE in values.columns:
        over = values[FEMALE] > values[POPULATION]
        if over.any():
            problems.add(
                FEMALE,
                f"more women than persons at rows {listing(labels[over])}",
                "female_persons must not exceed population_persons",
            )
    if "zone_total_persons" in values.columns:
        sums = values[POPULATION].groupby(raw["zone"]).sum()
        totals = values["zone_total_persons"].groupby(raw["zone"]).first()
        tolerance = np.maximum(5.0, 0.005 * totals)
        off = (sums - totals).abs() > tolerance
        if off.any():
            details = [
                f"{z} (bands {sums[z]:.0f} vs total {totals[z]:.0f})" for z in sums.index[off]
            ]
            problems.add(
                "zone_total_persons",
                f"sum of age bands differs from the zone total by more than 0.5 % for zones "
                f"{listing(details)}",
                "correct the band counts or the total",
            )
    problems.raise_if_any()
    if FEMALE in values.columns:
        female = values[FEMALE].fillna(0.0)
    else:
        shares = national_profile(2021)
        share = (shares[FEMALE] / shares[POPULATION]).reindex(raw["age_band"]).to_numpy()
        female = values[POPULATION] * share
    long = pd.DataFrame(
        {
            "zone": raw["zone"],
            "age_band": raw["age_band"],
            POPULATION: values[POPULATION],
            FEMALE: female,
        }
    )[usable]
    return _finish(_pivot_bands(long, "zone", "age_band", (POPULATION, FEMALE)))
