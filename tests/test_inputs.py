"""Input loading: the Delft region from the shared data, and every portfolio error."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from voorzieningen.errors import InputDataError, VoorzieningenWarning
from voorzieningen.inputs import load_duo_schools, load_portfolio, load_zones, resolve_path
from voorzieningen.schemas.scenario import FacilitySettings, ZoneSettings

HEADER = "site_id,name,kind,service,lon,lat,floor_area_m2\n"
GOOD = "a,School A,existing,school,4.35,52.00,500\n"


def portfolio(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "portfolio.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_delft_zones_and_schools(data_dir):
    zones = load_zones(data_dir, data_dir, ZoneSettings(gemeenten=["Delft"]))
    assert len(zones) == 13
    assert zones.index.name == "zone"
    assert "2611" in zones.index
    schools = load_duo_schools(data_dir, ["Delft"], FacilitySettings())
    assert len(schools) == 25  # DUO basisschool locations in Delft, Nov 2024
    assert schools.loc["duo-14MR00", "capacity_places"] == round(353 * 1.15)
    assert not schools["managed"].any()


def test_unknown_gemeente_is_named(data_dir):
    with pytest.raises(InputDataError, match=r"gemeente\) \| no PC4 areas for \['Delf'\]"):
        load_zones(data_dir, data_dir, ZoneSettings(gemeenten=["Delf"]))


def test_good_portfolio(tmp_path):
    sites = load_portfolio(portfolio(tmp_path, HEADER + GOOD + "c,Kavel,candidate,,4.36,52.01,\n"))
    assert list(sites.index) == ["a", "c"]
    assert sites.loc["a", "floor_area_m2"] == 500
    assert sites.loc["c", "service"] == ""
    assert bool(sites.loc["a", "managed"])


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("", r"portfolio file is empty"),
        ("site_id,name,kind,service,lon\n", r"missing column\(s\) \['lat'\]"),
        (HEADER + GOOD + GOOD, r"site_id\) \| duplicate ids a in rows 2, 3"),
        (
            HEADER + "a,A,old,school,4.35,52.0,1\n",
            r"kind\) \| must be 'existing' or 'candidate' in rows 2",
        ),
        (
            HEADER + "a,A,existing,bakery,4.35,52.0,1\n",
            r"service\) \| existing buildings need a service .* in rows 2",
        ),
        (HEADER + "a,A,existing,school,4.35,52.0,1.000,5\n", r"cannot be read as CSV|not a number"),
        (
            HEADER + "a,A,existing,school,4.35,52.0,abc\n",
            r"floor_area_m2\) \| not a number in rows 2",
        ),
        (
            HEADER + "a,A,existing,school,4.35,52.0,-10\n",
            r"floor_area_m2\) \| negative or infinite in rows 2",
        ),
        (
            HEADER + "a,A,existing,school,85000,445000,10\n",
            r"lon\) \| outside 2\.5\.\.7\.5 degrees in rows 2",
        ),
        (HEADER + "a,A,existing,school,,52.0,10\n", r"lon\) \| missing or non-numeric in rows 2"),
        (
            HEADER.replace("\n", ",managed\n") + "a,A,existing,school,4.35,52.0,10,misschien\n",
            r"managed\) \| use true/false",
        ),
        (
            HEADER.replace("\n", ",allowed_services\n")
            + "a,A,existing,school,4.35,52.0,10,school;pub\n",
            r"allowed_services\) \| use ';'-separated names",
        ),
    ],
)
def test_portfolio_errors(tmp_path, text, pattern):
    with pytest.raises(InputDataError, match=pattern):
        load_portfolio(portfolio(tmp_path, text))


def test_all_problems_reported_together(tmp_path):
    text = HEADER + "a,A,old,school,4.35,52.0,-1\na,B,existing,bakery,99,52.0,1\n"
    with pytest.raises(InputDataError) as info:
        load_portfolio(portfolio(tmp_path, text))
    message = str(info.value)
    for part in ("duplicate ids", "kind)", "service)", "negative", "outside"):
        assert part in message


def test_not_utf8_and_missing_file(tmp_path):
    path = tmp_path / "portfolio.csv"
    path.write_bytes((HEADER + "a,Caf\xe9,existing,school,4.35,52.0,1\n").encode("latin-1"))
    with pytest.raises(InputDataError, match=r"is not UTF-8 .*CSV UTF-8"):
        load_portfolio(path)
    with pytest.raises(InputDataError, match="portfolio file not found"):
        load_portfolio(tmp_path / "missing.csv")


def test_paths_cannot_leave_their_folder(tmp_path):
    with pytest.raises(InputDataError, match=r"points outside .*relative to that folder"):
        resolve_path(tmp_path, "../secret.csv", what="facilities.portfolio_file")
    with pytest.raises(InputDataError, match="points outside"):
        resolve_path(tmp_path, "/etc/passwd", what="zones.zones_file")
    assert resolve_path(tmp_path, "a/b.csv", what="x") == (tmp_path / "a" / "b.csv").resolve()


def test_header_only_portfolio_warns_what_will_be_missing(tmp_path):
    with pytest.warns(VoorzieningenWarning, match=r"header but no rows: no corporation building"):
        sites = load_portfolio(portfolio(tmp_path, HEADER))
    assert sites.empty


def test_floor_area_far_from_the_norm_of_the_capacity_warns(tmp_path):
    header = "site_id,name,kind,service,lon,lat,floor_area_m2,capacity_places\n"
    # a GP practice of 10,500 patients needs 30 + 10500 * 100 / 2095 = 531 m² by the
    # default norm; 650 m² is within a factor 4, 100 m² is not (531 / 100 = 5.3 > 4).
    with warnings.catch_warnings():
        warnings.simplefilter("error", VoorzieningenWarning)
        load_portfolio(portfolio(tmp_path, header + "a,A,existing,gp,4.35,52.0,650,10500\n"))
    with pytest.warns(
        VoorzieningenWarning, match=r"line 2: 100 m² for 10500 places \(gp; the norm gives 531 m²\)"
    ):
        load_portfolio(portfolio(tmp_path, header + "a,A,existing,gp,4.35,52.0,100,10500\n"))


def test_ids_differing_in_case_are_one_building(tmp_path):
    text = HEADER + "gp-tu,A,existing,school,4.35,52.0,500\nGP-TU,A,existing,school,4.35,52.0,500\n"
    with pytest.raises(
        InputDataError, match=r"ids GP-TU, gp-tu in rows 2, 3 differ only in upper/lower case"
    ):
        load_portfolio(portfolio(tmp_path, text))


def test_dutch_portfolio_reads_as_written(tmp_path):
    """A Dutch Excel portfolio (';', decimal commas, BOM, CRLF) gives the comma file's sites."""
    comma = load_portfolio(portfolio(tmp_path, HEADER + GOOD))
    dutch = (
        HEADER.replace(",", ";").replace("\n", "\r\n")
        + "a;School A;existing;school;4,35;52,00;500\r\n"
    )
    path = tmp_path / "dutch.csv"
    path.write_bytes(("\ufeff" + dutch).encode("utf-8"))
    pd.testing.assert_frame_equal(load_portfolio(path), comma)


DUO_HEADER = (
    "naam,type,gemeente,vestigingscode,leerlingen,lon,lat\n"
    "School A,basisschool,DELFT,99ZZ00,420,4.35,52.01\n"
)


def test_duo_school_with_two_buildings_counts_its_pupils_once(tmp_path):
    """The DUO file repeats a school's pupils on each of its buildings' rows (Nov 2024: 67)."""
    (tmp_path / "cbs").mkdir()
    path = tmp_path / "cbs" / "duo.csv"
    path.write_text(
        DUO_HEADER
        + "School A,basisschool,DELFT,99ZZ00,420,4.36,52.02\n"
        + "School B,basisschool,DELFT,99ZZ01,100,4.37,52.03\n",
        encoding="utf-8",
    )
    settings = FacilitySettings(duo_file="cbs/duo.csv")
    with pytest.warns(VoorzieningenWarning, match=r"99ZZ00 appear on several rows \(lines 2, 3\)"):
        schools = load_duo_schools(tmp_path, ["Delft"], settings)
    assert list(schools.index) == ["duo-99ZZ00", "duo-99ZZ01"]
    assert schools.loc["duo-99ZZ00", "capacity_places"] == round(420 * 1.15)
    assert schools.loc["duo-99ZZ00", "lon"] == 4.35
