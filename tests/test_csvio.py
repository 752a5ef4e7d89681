"""The CSV reader (issue 14): dialects, Dutch numbers, real line numbers, truncated data files."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from voorzieningen import tables as T
from voorzieningen.csvio import read_csv
from voorzieningen.errors import InputDataError
from voorzieningen.inputs import load_portfolio
from voorzieningen.report import write_csv

HEADER = "site_id,name,kind,service,lon,lat,floor_area_m2,capacity_places,sale_value_eur"
NUMERIC = ("lon", "lat", "floor_area_m2", "capacity_places", "sale_value_eur")


def write(tmp_path: Path, data: str | bytes, name: str = "t.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def test_tables_reexports_the_reader() -> None:
    # tables.py keeps only a thin import, so edits of its column constants merge cleanly.
    assert T.read_csv is read_csv


def test_dutch_excel_export_reads(tmp_path: Path) -> None:
    """BOM, ';', CRLF, decimal commas, Dutch thousands, a blank line and a two-line cell."""
    text = (
        "\ufeffsite_id;name;kind;service;lon;lat;floor_area_m2;capacity_places;sale_value_eur\r\n"
        "gp-a;Praktijk Café;existing;gp;4,3585;52,0112;1.420,5;10500;900.000,00\r\n"
        "\r\n"
        'gp-b;"Praktijk\r\nB";existing;gp;4,3745;52,003;420;6800;550000\r\n'
    )
    frame = read_csv(write(tmp_path, text), required=["site_id"], numeric=NUMERIC)
    assert list(frame.index) == [2, 4]  # the blank line 3 is counted
    assert frame.loc[2, "name"] == "Praktijk Café"
    assert frame.loc[4, "name"] == "Praktijk\r\nB"
    assert frame["lon"].tolist() == [4.3585, 4.3745]
    assert frame["lat"].tolist() == [52.0112, 52.003]
    assert frame["floor_area_m2"].tolist() == [1420.5, 420.0]  # "1.420,5": comma column
    assert frame["sale_value_eur"].tolist() == [900000.0, 550000.0]
    dialect = frame.attrs["dialect"]
    assert dialect.separator == ";"
    assert dialect.encoding == "utf-8-sig"


def test_column_with_only_groups_of_three_is_refused_not_guessed(tmp_path: Path) -> None:
    # capacity 10.500 has no cell that decides it (6800 reads the same both ways): refused,
    # although lon and lat of the same file use decimal commas.
    text = "site_id;lon;capacity_places\r\ngp-a;4,3585;10.500\r\ngp-b;4,3745;6800\r\n"
    path = write(tmp_path, text)
    with pytest.raises(InputDataError) as err:
        read_csv(path, required=["site_id"], numeric=NUMERIC)
    assert f"({path}, capacity_places) | numbers with two readings (line 2: 10.5 or 10500)" in str(
        err.value
    )
    frame = read_csv(path, required=["site_id"], numeric=NUMERIC, decimal="comma")
    assert frame["capacity_places"].tolist() == [10500.0, 6800.0]
    assert frame["lon"].tolist() == [4.3585, 4.3745]


def test_issue_portfolio_with_dutch_thousands(tmp_path: Path) -> None:
    """Issue 14: 10.500 places, 900.000 euro, 1.420 m² were read as 10.5, 900 and 1.42."""
    text = (
        "site_id,name,kind,service,lon,lat,floor_area_m2,capacity_places,sale_value_eur\n"
        "gp-a,A,existing,gp,4.3585,52.0112,1.420,10.500,900.000\n"
    )
    path = write(tmp_path, text, "portfolio.csv")
    with pytest.raises(InputDataError) as err:
        load_portfolio(path)
    message = str(err.value)
    for column, readings in (
        ("floor_area_m2", "1.42 or 1420"),
        ("capacity_places", "10.5 or 10500"),
        ("sale_value_eur", "900 or 900000"),
    ):
        assert f"({path}, {column}) | numbers with two readings (line 2: {readings})" in message
    assert 'set facilities.csv_decimal = "comma"' in message
    sites = load_portfolio(path, decimal="comma")
    assert sites.loc["gp-a", ["floor_area_m2", "capacity_places", "sale_value_eur"]].tolist() == [
        1420.0,
        10500.0,
        900000.0,
    ]
    # lon and lat are decimal-point columns whatever is declared: they have one reading
    assert sites.loc["gp-a", "lon"] == 4.3585
    # a column whose own cells contradict the declaration, holding a 3-digit group, is refused
    two = "site_id,name,kind,service,lon,lat,capacity_places\n"
    two += "gp-a,A,existing,gp,4.3585,52.0112,10.500\ngp-b,B,existing,gp,4.3585,52.0112,12.5\n"
    with pytest.raises(InputDataError) as err:
        load_portfolio(write(tmp_path, two, "p2.csv"), decimal="comma")
    assert (
        "capacity_places) | lines 3 use a decimal point, but the declared "
        'facilities.csv_decimal = "comma" reads lines 2 the other way'
    ) in str(err.value)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        point = load_portfolio(path, decimal="point")
    assert point.loc["gp-a", "capacity_places"] == 10.5
    # the declared reading is taken, but 1.42 m² for 10.5 places is far from the norm: said
    assert any("1.42 m² for 10.5 places" in str(w.message) for w in caught)


def test_range_decides_a_cell_only_when_one_reading_is_plausible(tmp_path: Path) -> None:
    text = "zone,lon,lat\n2611,4.358,52.012\n2612,4.364,52.018\n"
    frame = read_csv(
        write(tmp_path, text),
        required=["zone"],
        numeric=("lon", "lat"),
        ranges={"lon": (2.5, 7.5), "lat": (50.5, 53.8)},
    )
    assert frame["lon"].tolist() == [4.358, 4.364]
    assert frame["lat"].tolist() == [52.012, 52.018]
    # without a range nothing decides 4.358 (4358 is a number too)
    with pytest.raises(InputDataError, match=r"line 2: 4\.358 or 4358; line 3: 4\.364 or 4364"):
        read_csv(write(tmp_path, text), required=["zone"], numeric=("lon", "lat"))


def test_english_groups_and_decimal_point(tmp_path: Path) -> None:
    text = 'a,b\n"1,420,000.5",x\n"12,000",y\n'
    frame = read_csv(write(tmp_path, text), required=["a"], numeric=("a",))
    assert frame["a"].tolist() == [1420000.5, 12000.0]


def test_mixed_column_is_named(tmp_path: Path) -> None:
    text = 'a,b\n"4,3585",x\n4.3745,y\n'
    path = write(tmp_path, text)
    with pytest.raises(InputDataError) as err:
        read_csv(path, required=["a"], numeric=("a",))
    assert f"({path}, a) | mixes a decimal point (lines 3) and a decimal comma (lines 2)" in str(
        err.value
    )


def test_tab_separated_file_reads(tmp_path: Path) -> None:
    text = "site_id\tname\tlon\r\ngp-a\tA, B\t4,3585\r\ngp-b\tC\t4,5\r\n"
    frame = read_csv(write(tmp_path, text), required=["site_id", "lon"], numeric=("lon",))
    assert frame.attrs["dialect"].separator == "\t"
    assert frame["name"].tolist() == ["A, B", "C"]
    assert frame["lon"].tolist() == [4.3585, 4.5]


def test_windows_1252_only_when_declared(tmp_path: Path) -> None:
    data = "site_id;name\r\ngp-a;Café €\r\n".encode("cp1252")
    path = write(tmp_path, data)
    with pytest.raises(InputDataError) as err:
        read_csv(path, required=["site_id"], setting="facilities.csv_decimal")
    # "site_id;name\r\n" is 14 bytes, "gp-a;Caf" 8 more: é (0xE9) is byte 22, line 2, column 9
    assert "not UTF-8 (byte 22) at line 2, column 9" in str(err.value)
    assert 'facilities.csv_encoding = "cp1252"' in str(err.value)
    frame = read_csv(path, required=["site_id"], encoding="cp1252")
    assert frame.loc[2, "name"] == "Café €"


def test_bad_byte_offset_counts_the_bom(tmp_path: Path) -> None:
    path = write(tmp_path, b"\xef\xbb\xbfa,b\n1,\xff\n")
    # BOM (3) + "a,b\n" (4) + "1," (2): the bad byte is at offset 9, line 2, column 3
    with pytest.raises(InputDataError, match=r"not UTF-8 \(byte 9\) at line 2, column 3"):
        read_csv(path, required=["a"])


def test_separator_tie_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputDataError, match="the separator is unclear"):
        read_csv(write(tmp_path, "a,b;c\n1,2;3\n"), required=["a"])


def test_data_file_cut_mid_row(tmp_path: Path) -> None:
    text = "id,x,y\n1,2,3\n2,4,5\n3,6"
    path = write(tmp_path, text)
    frame = read_csv(path, required=["id"])  # a user file: the short row is padded
    assert frame["y"].isna().tolist() == [False, False, True]
    with pytest.raises(InputDataError) as err:
        read_csv(path, required=["id"], what="DUO school locations", data_file=True)
    assert (
        f"({path}) | the DUO school locations data file looks truncated or damaged: the last "
        "row (line 4) is cut off: 2 of 3 cells and no line break at the end"
    ) in str(err.value)
    with pytest.raises(InputDataError, match=r"the last row \(line 4\) is cut off: 3 of 3"):
        read_csv(write(tmp_path, "id,x,y\n1,2,3\n2,4,5\n3,6,7"), required=["id"], data_file=True)


def test_duo_file_cut_mid_row_names_the_data_file(tmp_path: Path, data_dir: Path) -> None:
    """Issue 14: a DUO file cut mid-row silently dropped schools; now the DUO file is named."""
    from voorzieningen.inputs import load_duo_schools
    from voorzieningen.schemas.scenario import FacilitySettings

    source = (data_dir / "cbs" / "duo_schoolvestigingen_20241122_nl.csv").read_bytes()
    (tmp_path / "cbs").mkdir()
    cut = tmp_path / "cbs" / "duo_schoolvestigingen_20241122_nl.csv"
    cut.write_bytes(source[: len(source) // 2])
    with pytest.raises(InputDataError) as err:
        load_duo_schools(tmp_path, ["Delft"], FacilitySettings())
    assert f"({cut}) | the DUO school locations data file looks truncated" in str(err.value)
    assert "portfolio" not in str(err.value).split("|")[0]


def test_product_dutch_excel_csv_reads_back_exactly(tmp_path: Path) -> None:
    """The ';' / decimal-comma / BOM tables of report.write_csv read back identical."""
    frame = pd.DataFrame(
        {
            "site": ["gp-a", "duo-14MR00", "kavel; 3"],
            "capex_eur": [1_234_567.891, 0.1, -2.5e20],
            "travel_time_min": [1.425, 12.0, np.nan],
            "capacity_places": [10500.0, 6800.0, 1.5],
            "note": ['zegt "ja"\nen nee', "", "=SUM(A1)"],
        }
    )
    path = tmp_path / "decisions.csv"
    write_csv(frame, path, dutch_excel=True)
    back = read_csv(
        path,
        required=list(frame.columns),
        dtype={"site": "str", "note": "str"},
        numeric="infer",
    )
    assert back.attrs["dialect"].separator == ";"
    assert back.attrs["dialect"].encoding == "utf-8-sig"
    for col in ("capex_eur", "travel_time_min", "capacity_places"):
        got, want = back[col].tolist(), frame[col].tolist()
        assert all(
            (math.isnan(a) and math.isnan(b)) or a == b for a, b in zip(got, want, strict=True)
        ), col
    assert back["site"].tolist() == frame["site"].tolist()
    # the empty note is missing; the formula stays escaped as written
    assert back["note"].fillna("").tolist() == ['zegt "ja"\nen nee', "", "'=SUM(A1)"]


def test_real_line_numbers_in_portfolio_messages(tmp_path: Path) -> None:
    """Issue 14: the message said row 12 where the file's line was 14."""
    rows = [HEADER]
    for i in range(1, 11):
        rows.append(f"gp-{i},P{i},existing,gp,4.35,52.01,650,10500,900000")
    rows.insert(4, "")  # a blank line after the third building
    rows[6] = 'gp-5,"two\nlines",existing,gp,4.35,52.01,650,10500,900000'
    rows.append("gp-99,P99,bestaand,gp,4.35,52.01,650,10500,900000")
    path = write(tmp_path, "\n".join(rows) + "\n", "portfolio.csv")
    with pytest.raises(
        InputDataError, match=r"kind\) \| must be 'existing' or 'candidate' in rows 14$"
    ):
        load_portfolio(path)


def test_empty_header_cells_are_named_by_position(tmp_path: Path) -> None:
    # Dutch Excel writes ';;' after the last column when a stray cell was ever filled
    frame = read_csv(write(tmp_path, "a;b;;\r\n1;2;;\r\n"), required=["a", "b"])
    assert list(frame.columns) == ["a", "b", "unnamed_3", "unnamed_4"]
