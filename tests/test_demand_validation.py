"""Every validation error of the demand loaders, with its message."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from voorzieningen.demand import (
    AGE_BANDS,
    build_demand,
    gemeente_flows,
    load_history,
    load_population,
    map_gemeente_codes,
)
from voorzieningen.errors import InputDataError, VoorzieningenWarning
from voorzieningen.schemas.demand import DemandSettings

DATA = Path(__file__).parent / "data" / "demand"


def pc4_rows(postcode: str = "1234", persons: float = 10.0) -> list[dict[str, object]]:
    return [
        {
            "postcode": postcode,
            "leeftijd": band,
            "inwoners": persons,
            "inwoners_man": persons / 2,
            "inwoners_vrouw": persons / 2,
        }
        for band in AGE_BANDS
    ]


def write(tmp_path: Path, rows: list[dict[str, object]], name: str = "pop.csv") -> Path:
    path = tmp_path / name
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


# --------------------------------------------------------------------------- PC4


def test_pc4_loads_all_bands_in_order(tmp_path: Path) -> None:
    pop = load_population(write(tmp_path, pc4_rows() + pc4_rows("0999")), zones=["1234"])
    assert list(pop.index.names) == ["zone", "age_band"]
    assert list(pop.index.get_level_values("age_band")) == list(AGE_BANDS)
    assert pop["population_persons"].sum() == 200.0
    assert pop["female_persons"].sum() == 100.0


def test_pc4_missing_column(tmp_path: Path) -> None:
    rows = [{k: v for k, v in r.items() if k != "inwoners_vrouw"} for r in pc4_rows()]
    with pytest.raises(InputDataError, match=r"\(.*pop\.csv, inwoners_vrouw\) \| required column"):
        load_population(write(tmp_path, rows), source_format="cbs_pc4")


def test_pc4_unknown_zone(tmp_path: Path) -> None:
    with pytest.raises(InputDataError, match=r"requested zone\(s\) not in the file: 9999"):
        load_population(write(tmp_path, pc4_rows()), zones=["1234", "9999"])


def test_pc4_missing_band(tmp_path: Path) -> None:
    rows = pc4_rows()[:-1]
    with pytest.raises(InputDataError, match=r"leeftijd\) \| missing age bands: 1234 lacks 95\+"):
        load_population(write(tmp_path, rows))


def test_pc4_unknown_band_and_duplicate(tmp_path: Path) -> None:
    rows = pc4_rows()
    rows.append({**rows[0], "leeftijd": "100-104"})
    rows.append(dict(rows[1]))
    with pytest.raises(InputDataError, match=r"2 problems") as info:
        load_population(write(tmp_path, rows))
    assert "unknown age bands 100-104 at rows 22" in str(info.value)
    assert "more than once at rows 3, 23" in str(info.value)


def test_pc4_negative_and_non_numeric(tmp_path: Path) -> None:
    rows = pc4_rows()
    rows[2] = {**rows[2], "inwoners": -5, "inwoners_man": -5, "inwoners_vrouw": 0}
    rows[3] = {**rows[3], "inwoners_man": "veel"}
    with pytest.raises(InputDataError, match=r"non-numeric values at rows 5") as info:
        load_population(write(tmp_path, rows))
    assert "pop.csv, inwoners) | 1 negative counts at rows 4" in str(info.value)


def test_pc4_total_does_not_add_up(tmp_path: Path) -> None:
    rows = pc4_rows()
    rows[5] = {**rows[5], "inwoners": 100}
    with pytest.raises(
        InputDataError, match=r"differs from inwoners_man \+ inwoners_vrouw .* rows 7"
    ):
        load_population(write(tmp_path, rows))


def test_pc4_suppressed_counts_warn(tmp_path: Path) -> None:
    rows = pc4_rows()
    rows[0] = {**rows[0], "inwoners": None, "inwoners_man": None, "inwoners_vrouw": None}
    with pytest.warns(
        VoorzieningenWarning, match=r"1 suppressed \(empty\) CBS counts in zones 1234"
    ):
        pop = load_population(write(tmp_path, rows))
    assert pop.loc[("1234", "0-4"), "population_persons"] == 0.0


# --------------------------------------------------------------------------- KWB


def kwb2017_rows() -> list[dict[str, object]]:
    base = {
        "GM_CODE": "GM0001",
        "GM_NAAM": "Ergens",
        "WATER": "NEE",
        "AANT_INW": 1000,
        "AANT_MAN": 490,
        "AANT_VROUW": 510,
        "P_00_14_JR": 15,
        "P_15_24_JR": 10,
        "P_25_44_JR": 25,
        "P_45_64_JR": 30,
        "P_65_EO_JR": 20,
    }
    water = {**base, "GM_CODE": "GM0002", "WATER": "JA", "AANT_INW": -99999999}
    return [base, water]


def test_kwb2017_split_into_bands(tmp_path: Path) -> None:
    pop = load_population(write(tmp_path, kwb2017_rows()))
    persons = pop["population_persons"]
    assert persons.sum() == pytest.approx(1000)
    assert persons.loc["GM0001"].iloc[13:].sum() == pytest.approx(200)  # 65+ = 20 %
    assert persons.loc["GM0001"].iloc[:3].sum() == pytest.approx(150)
    assert pop["female_persons"].sum() == pytest.approx(510)


def test_kwb2017_secret_values_for_requested_zone(tmp_path: Path) -> None:
    rows = kwb2017_rows()
    rows[0] = {**rows[0], "P_65_EO_JR": -99999999}
    with pytest.raises(InputDataError, match=r"secret \(negative\) .* for zones GM0001"):
        load_population(write(tmp_path, rows), zones=["GM0001"])


def test_kwb2017_secret_values_skipped_with_warning(tmp_path: Path) -> None:
    rows = kwb2017_rows()
    rows.append({**rows[0], "GM_CODE": "GM0003", "P_00_14_JR": None})
    with pytest.warns(
        VoorzieningenWarning, match=r"skipped 1 zones without usable age shares: GM0003"
    ):
        pop = load_population(write(tmp_path, rows))
    assert set(pop.index.get_level_values("zone")) == {"GM0001"}


def test_kwb_percentages_must_add_up(tmp_path: Path) -> None:
    rows = kwb2017_rows()
    rows[0] = {**rows[0], "P_65_EO_JR": 40}
    with pytest.raises(InputDataError, match=r"do not add up to 100 .* for zones GM0001"):
        load_population(write(tmp_path, rows))


def test_kwb2022_format(tmp_path: Path) -> None:
    rows = [
        {
            "code": "WK000100",
            "population": 500,
            "pop_0_14": 20,
            "pop_15_24": 10,
            "pop_25_44": 25,
            "pop_45_64": 25,
            "pop_65plus": 20,
        }
    ]
    pop = load_population(write(tmp_path, rows))
    assert pop["population_persons"].sum() == pytest.approx(500)
    assert (pop["female_persons"] < pop["population_persons"]).all()


# --------------------------------------------------------------------------- user CSV


def test_user_csv_example_file() -> None:
    pop = load_population(DATA / "user_population.csv")
    assert set(pop.index.get_level_values("zone")) == {"dorp_a", "dorp_b"}
    assert pop["population_persons"].sum() == pytest.approx(1040 + 515)


def user_rows(zone: str = "z1") -> list[dict[str, object]]:
    return [
        {"zone": zone, "age_band": band, "population_persons": 10, "zone_total_persons": 200}
        for band in AGE_BANDS
    ]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda r: r[0].update(population_persons=None), r"population_persons\) \| empty values at rows 2"),
        (lambda r: r[1].update(population_persons=-3), r"1 negative values at rows 3"),
        (lambda r: r[4].update(zone_total_persons=300) or [x.update(zone_total_persons=300) for x in r],
         r"differs from the zone total by more than 0.5 % for zones z1 \(bands 200 vs total 300\)"),
        (lambda r: r[2].update(female_persons=11), r"more women than persons at rows 4"),
        (lambda r: r.pop(), r"z1 lacks 95\+"),
        (lambda r: r[0].update(zone=""), r"empty zone code at rows 2"),
        (lambda r: r[0].update(age_band="0-5"), r"unknown age bands 0-5"),
    ],
)  # fmt: skip
def test_user_csv_errors(
    tmp_path: Path, edit: Callable[[list[dict[str, object]]], object], message: str
) -> None:
    rows = user_rows()
    for row in rows:
        row["female_persons"] = 5
    edit(rows)
    with pytest.raises(InputDataError, match=message):
        load_population(write(tmp_path, rows), source_format="user")


def test_user_csv_missing_column(tmp_path: Path) -> None:
    rows: list[dict[str, object]] = [{"zone": "z", "age_band": b} for b in AGE_BANDS]
    with pytest.raises(InputDataError, match=r"population_persons\) \| required column"):
        load_population(write(tmp_path, rows), source_format="user")


def test_unrecognised_format(tmp_path: Path) -> None:
    with pytest.raises(InputDataError, match=r"cannot tell the population format"):
        load_population(write(tmp_path, [{"a": 1}]))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputDataError, match=r"population file not found"):
        load_population(tmp_path / "nope.csv")


# --------------------------------------------------------------------------- history


def history_rows() -> pd.DataFrame:
    rows = []
    for code, name in (("GM0373", "Bergen (NH.)"), ("GM0893", "Bergen (L.)"), ("GM0503", "Delft")):
        for year in (2019, 2020):
            rows.append(
                {
                    "Sex": "T001038",
                    "Regions": f"{code}  ",
                    "Regions Label": name,
                    "Periods Label": year,
                    "PopulationOn1January_1": 1000,
                    "LiveBornChildren_3": 10,
                    "Deaths_5": 9,
                    "TotalArrivals_8": 50,
                    "TotalDeparturesIncludingAdministra_12": 40,
                    "PopulationOn31December_20": 1011,
                }
            )
    return pd.DataFrame(rows)


def test_history_and_name_mapping(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    history_rows().to_csv(path, index=False)
    history = load_history(path)
    codes = map_gemeente_codes(["delft", "Bergen (L.)", "GM0373"], history, year=2020)
    assert codes == {"delft": "GM0503", "Bergen (L.)": "GM0893", "GM0373": "GM0373"}
    with pytest.raises(InputDataError, match=r"match several CBS codes: Bergen \(GM0373/GM0893\)"):
        map_gemeente_codes(["Bergen"], history, year=2020)
    with pytest.raises(InputDataError, match=r"not found in CBS 37259: Atlantis"):
        map_gemeente_codes(["Atlantis"], history, year=2020)
    assert map_gemeente_codes(["Bergen"], history, year=2020, overrides={"Bergen": "GM0893"}) == {
        "Bergen": "GM0893"
    }
    with pytest.raises(InputDataError, match=r"no CBS 37259 flows for gemeente-years GM0503 2018"):
        gemeente_flows(history, ["GM0503"], [2018, 2019])


def test_history_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    history_rows().drop(columns="Deaths_5").to_csv(path, index=False)
    with pytest.raises(InputDataError, match=r"Deaths_5\) \| required CBS 37259ENG column"):
        load_history(path)


def test_build_demand_checks_zones(tmp_path: Path) -> None:
    zones = pd.DataFrame({"lon": [4.0]}, index=pd.Index(["1234"], name="postcode"))
    with pytest.raises(InputDataError, match=r"2 problems") as info:
        build_demand(tmp_path, zones, periods=[2025], settings=DemandSettings())
    assert "(zones, index) | index is named 'postcode'" in str(info.value)
    assert "(zones, gemeente) | column missing" in str(info.value)


def test_no_warnings_on_clean_input(tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_population(write(tmp_path, pc4_rows()))
