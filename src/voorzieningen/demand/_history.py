"""CBS 37259 history: gemeente name mapping, merger reconstruction and rate calibration."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from voorzieningen.demand._bands import band_midpoints
from voorzieningen.demand._defaults import gemeente_mergers
from voorzieningen.demand._problems import Problems, listing
from voorzieningen.errors import InputDataError
from voorzieningen.schemas.demand import MigrationSchedule

FloatArray = npt.NDArray[np.float64]

#: CBS 37259ENG column -> our column (total of both sexes only).
_HISTORY_COLUMNS = {
    "Regions": "code",
    "Regions Label": "name",
    "Periods Label": "year",
    "PopulationOn1January_1": "population_jan1_persons",
    "LiveBornChildren_3": "births_persons",
    "Deaths_5": "deaths_persons",
    "TotalArrivals_8": "arrivals_persons",
    "TotalDeparturesIncludingAdministra_12": "departures_persons",
    "PopulationOn31December_20": "population_dec31_persons",
}
_FLOWS = ("births_persons", "deaths_persons", "arrivals_persons", "departures_persons")
_TOTAL_SEX = "T001038"

#: Names that differ beyond spelling between CBS's English labels and Dutch usage.
_ALIASES = {
    "thehague": "sgravenhage",
    "denhaag": "sgravenhage",
    "denbosch": "shertogenbosch",
    "nuenenca": "nuenengerwenennederwetten",
    "kollumerlandca": "kollumerlandennieuwkruisland",
}


def load_history(path: Path | str) -> pd.DataFrame:
    """
    Read gemeente population flows from CBS StatLine 37259ENG (total of both sexes).

    Parameters
    ----------
    path
        The 37259ENG CSV (English OData column names, e.g. ``LiveBornChildren_3``).

    Returns
    -------
    pandas.DataFrame
        One row per gemeente (``code`` ``GMxxxx``, in the indeling of each year) and ``year``;
        columns ``name``, ``population_jan1_persons``, ``births_persons``,
        ``deaths_persons``, ``arrivals_persons``, ``departures_persons`` (persons per
        calendar year) and ``population_dec31_persons``.

    Raises
    ------
    InputDataError
        If the file or a required column is missing.
    """
    path = Path(path)
    if not path.is_file():
        msg = f"({path}) | CBS 37259 history file not found. Fix: check demand.history_source."
        raise InputDataError(msg)
    raw = pd.read_csv(path, dtype={"Regions": str, "Sex": str})
    missing = [c for c in (*_HISTORY_COLUMNS, "Sex") if c not in raw.columns]
    if missing:
        problems = Problems(path)
        problems.add(
            listing(missing),
            "required CBS 37259ENG column(s) missing",
            "use the English OData export of StatLine 37259ENG",
        )
        problems.raise_if_any()
    raw = raw[raw["Sex"].astype(str).str.strip() == _TOTAL_SEX]
    raw = raw.assign(Regions=raw["Regions"].str.strip())
    raw = raw[raw["Regions"].str.startswith("GM")]
    out = raw[list(_HISTORY_COLUMNS)].rename(columns=_HISTORY_COLUMNS)
    out["year"] = out["year"].astype("int64")
    return out.reset_index(drop=True)


def _key(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    folded = folded.lower().strip()
    folded = re.sub(r"\bmunicipality\b", "", folded)
    folded = re.sub(r"[^a-z0-9()]", "", folded)
    return _ALIASES.get(folded, folded)


def _strip_qualifier(key: str) -> str:
    return re.sub(r"\(.*?\)", "", key)


def map_gemeente_codes(
    names: Iterable[str],
    history: pd.DataFrame,
    *,
    year: int,
    overrides: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """
    Map gemeente names (or codes) to CBS gemeente codes, robust to spelling differences.

    Names are compared after folding accents, case, apostrophes and punctuation, dropping
    "Municipality" and, when needed, the province qualifier (``"Beek"`` = ``"Beek (L.)"``);
    ``'s-Gravenhage`` / ``Den Haag`` = ``The Hague``. A name that matches several codes is
    resolved to the code that exists in ``year``.

    Parameters
    ----------
    names
        Gemeente names as used in the zones table, or ``GMxxxx`` codes.
    history
        Output of :func:`load_history` (codes and labels of every year).
    year
        Preferred indeling year (the base year).
    overrides
        Explicit name -> code pairs, used first.

    Returns
    -------
    dict of str to str
        Every name -> its ``GMxxxx`` code.

    Raises
    ------
    InputDataError
        Naming every name that matches no code, or several codes in ``year``.
    """
    overrides = dict(overrides or {})
    labels = history[["code", "name", "year"]].drop_duplicates()
    full: dict[str, set[str]] = {}
    bare: dict[str, set[str]] = {}
    for code, name in zip(labels["code"], labels["name"], strict=True):
        full.setdefault(_key(str(name)), set()).add(str(code))
        bare.setdefault(_strip_qualifier(_key(str(name))), set()).add(str(code))
    in_year = set(labels.loc[labels["year"] == year, "code"])
    all_codes = set(labels["code"])
    result: dict[str, str] = {}
    unknown: list[str] = []
    ambiguous: list[str] = []
    for name in dict.fromkeys(str(n) for n in names):
        if name in overrides:
            result[name] = overrides[name]
            continue
        if name.strip().upper() in all_codes:
            result[name] = name.strip().upper()
            continue
        key = _key(name)
        candidates = full.get(key) or bare.get(_strip_qualifier(key)) or set()
        if len(candidates) > 1:
            candidates = (candidates & in_year) or candidates
        if not candidates:
            unknown.append(name)
        elif len(candidates) > 1:
            ambiguous.append(f"{name} ({'/'.join(sorted(candidates))})")
        else:
            result[name] = next(iter(candidates))
    if unknown or ambiguous:
        problems = Problems("zones")
        if unknown:
            problems.add(
                "gemeente",
                f"gemeente name(s) not found in CBS 37259: {listing(unknown)}",
                "correct the spelling or add demand.gemeente_codes = {name: 'GMxxxx'}",
            )
        if ambiguous:
            problems.add(
                "gemeente",
                f"gemeente name(s) match several CBS codes: {listing(ambiguous)}",
                "add demand.gemeente_codes = {name: 'GMxxxx'} to choose",
            )
        problems.raise_if_any()
    return result


def gemeente_flows(
    history: pd.DataFrame, codes: Sequence[str], years: Sequence[int]
) -> pd.DataFrame:
    """
    Return yearly flows per gemeente, rebuilding years before a merger from its predecessors.

    For a code that does not yet exist in a year, the flows and populations of its
    predecessors (packaged merger table) are summed, each weighted by the share of its
    population that went to the new gemeente.

    Parameters
    ----------
    history
        Output of :func:`load_history`.
    codes
        Gemeente codes (``GMxxxx``).
    years
        Calendar years wanted.

    Returns
    -------
    pandas.DataFrame
        Indexed by (``code``, ``year``); the numeric columns of :func:`load_history`.

    Raises
    ------
    InputDataError
        Naming the codes and years that cannot be found or rebuilt.
    """
    numeric = ["population_jan1_persons", *_FLOWS, "population_dec31_persons"]
    table = history.drop_duplicates(["code", "year"])
    lookup: dict[tuple[str, int], FloatArray] = dict(
        zip(
            zip(table["code"].astype(str), table["year"].astype(int), strict=True),
            table[numeric].to_numpy(dtype=np.float64),
            strict=True,
        )
    )
    mergers = gemeente_mergers()

    def rows_for(code: str, year: int, depth: int = 0) -> FloatArray | None:
        if (code, year) in lookup:
            return lookup[(code, year)]
        parts = mergers[(mergers["new_code"] == code) & (mergers["year"] > year)]
        if parts.empty or depth > 3:
            return None
        total = np.zeros(len(numeric))
        for old, fraction in zip(parts["old_code"], parts["fraction"], strict=True):
            found = rows_for(str(old), year, depth + 1)
            if found is None:
                return None
            total = total + fraction * found
        return total

    records: dict[tuple[str, int], FloatArray] = {}
    missing: list[str] = []
    for code in codes:
        for year in years:
            found = rows_for(code, year)
            if found is None:
                missing.append(f"{code} {year}")
            else:
                records[(code, year)] = found
    if missing:
        problems = Problems("history")
        problems.add(
            "Regions/Periods",
            f"no CBS 37259 flows for gemeente-years {listing(missing)}",
            "use a history file covering the calibration years, fewer demand.calibration_years, "
            "or a later base_year",
        )
        problems.raise_if_any()
    out = pd.DataFrame(
        np.array(list(records.values())).reshape(len(records), len(numeric)),
        columns=pd.Index(numeric),
        index=pd.MultiIndex.from_tuples(list(records), names=["code", "year"]),
    )
    return out


def migration_propensity(labels: Sequence[str], schedule: MigrationSchedule) -> FloatArray:
    """
    Evaluate the Rogers-Castro migration schedule at the mid-age of each band.

    Parameters
    ----------
    labels
        Age-band labels.
    schedule
        Schedule parameters.

    Returns
    -------
    numpy.ndarray
        Relative migration propensity per band (per year, arbitrary scale).
    """
    x = band_midpoints(labels)
    labour = schedule.a2 * np.exp(
        -schedule.alpha2 * (x - schedule.mu2) - np.exp(-schedule.lambda2 * (x - schedule.mu2))
    )
    return np.asarray(schedule.a1 * np.exp(-schedule.alpha1 * x) + labour + schedule.c)


def departure_intensity(
    structure: FloatArray, propensity: FloatArray, rate: FloatArray
) -> FloatArray:
    """
    Scale the propensity so the base population reproduces the observed departure rate.

    Solves ``sum_{s,x} s_{s,x} k d_x = rate`` for ``k`` (departure hazard ``k d_x`` per
    person-year).

    Parameters
    ----------
    structure
        Population shares by sex and band, shape (G, 2, B), summing to 1 per group.
    propensity
        Relative propensity ``d_x`` per band, shape (B,).
    rate
        Observed departures per person-year, shape (G,).

    Returns
    -------
    numpy.ndarray
        Intensity ``k`` per group (multiplier of ``d_x``), shape (G,).
    """
    expected = np.sum(structure * propensity[None, None, :], axis=(1, 2))
    return np.asarray(rate / np.maximum(expected, 1e-12))
