"""Property-based tests (issue #7): scenario loading, the portfolio loader, the verifier."""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import io
import json
import math
import warnings
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from voorzieningen.errors import (
    InputDataError,
    ScenarioError,
    VerificationError,
    VoorzieningenWarning,
)
from voorzieningen.inputs import PORTFOLIO_COLUMNS, load_portfolio
from voorzieningen.scenarios import load_scenario
from voorzieningen.schemas.base import MAX_MINUTES
from voorzieningen.schemas.scenario import Scenario
from voorzieningen.schemas.solver import MAX_TIME_LIMIT_S
from voorzieningen.verify import verify_plan

FAST = settings(
    deadline=None, max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

BASE = """
[base]
region = "toy"
[base.network]
source = "osm/x.graphml"
"""

# ---------------------------------------------------------------------------------------
# Scenario loading
# ---------------------------------------------------------------------------------------

KNOWN_KEYS = [
    "name",
    "periods",
    "budget.capex_total_eur",
    "budget.capex_per_period_eur",
    "budget.sale_proceeds_fund_capex",
    "solver.time_limit_s",
    "solver.mip_rel_gap",
    "solver.threads",
    "network.mode",
    "network.cutoff_min",
    "network.source",
    "network.walk_speed_kph.adult",
    "model.objective",
    "model.services",
    "model.allow_unmet_demand",
    "costs.school.new_build_eur_per_m2",
    "costs.discount_rate",
    "norms.gp.min_share_within",
    "facilities.portfolio_file",
    "zones.gemeenten",
]
segment = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_.0123456789 -", min_size=0, max_size=12)
keys = st.one_of(st.sampled_from(KNOWN_KEYS), segment, st.text(max_size=20))
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=15),
)
values = st.one_of(
    scalars, st.lists(scalars, max_size=4), st.dictionaries(segment, scalars, max_size=3)
)


def _json_value(value: object) -> str:
    return json.dumps(value, allow_nan=True)


@pytest.fixture(scope="module")
def base_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("scenario") / "s.toml"
    path.write_text(BASE, encoding="utf-8")
    return path


@FAST
@given(key=keys, value=values)
def test_any_set_value_loads_or_raises_scenario_error(base_file, key, value):
    for text in (f"{key}={_json_value(value)}", f"{key}={value}"):
        try:
            scenario = load_scenario(base_file, sets=[text])
        except ScenarioError:
            continue
        assert isinstance(scenario, Scenario)


@FAST
@given(text=st.text(max_size=60))
def test_any_set_text_loads_or_raises_scenario_error(base_file, text):
    with contextlib.suppress(ScenarioError):
        load_scenario(base_file, sets=[text])


toml_scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=10),
)


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, int):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


@FAST
@given(
    overrides=st.lists(
        st.tuples(st.sampled_from([*KNOWN_KEYS, "budget", "model", "bogus.key"]), toml_scalars),
        min_size=1,
        max_size=4,
    )
)
def test_any_override_loads_or_raises_scenario_error(tmp_path_factory, overrides):
    lines = [BASE]
    for i, (key, value) in enumerate(overrides):
        lines.append(f'[overrides.o{i}]\n"{key}" = {_toml_value(value)}\n')
    lines.append(
        "[scenarios]\nall = [" + ", ".join(f'"o{i}"' for i in range(len(overrides))) + "]\n"
    )
    path = tmp_path_factory.mktemp("ovr") / "s.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    for name in ("base", "all", "o0"):
        with contextlib.suppress(ScenarioError):
            load_scenario(path, name=name)


VALID = {
    "budget.capex_total_eur": st.floats(min_value=0, max_value=1e12),
    "solver.time_limit_s": st.floats(min_value=1e-3, max_value=MAX_TIME_LIMIT_S),
    "solver.mip_rel_gap": st.floats(min_value=0, max_value=1),
    "network.cutoff_min": st.floats(min_value=1e-3, max_value=MAX_MINUTES),
    "costs.school.new_build_eur_per_m2": st.floats(min_value=0, max_value=1e6),
    "model.allow_unmet_demand": st.booleans(),
    "model.objective": st.sampled_from(["access", "cost"]),
    "network.mode": st.sampled_from(["car", "bicycle", "ebike", "walk"]),
}


def _get(scenario: Scenario, key: str) -> object:
    node: object = scenario
    for part in key.split("."):
        node = getattr(node, part)
    return node


@FAST
@given(data=st.data(), key=st.sampled_from(sorted(VALID)))
def test_valid_settings_round_trip_and_precedence(tmp_path_factory, data, key):
    base, over, top = (data.draw(VALID[key]) for _ in range(3))
    text = BASE + f'\n[overrides.o]\n"{key}" = {_toml_value(over)}\n[scenarios]\nonly = ["o"]\n'
    section, _, leaf = key.rpartition(".")
    line = f"{leaf} = {_toml_value(base)}\n"
    if section == "network":
        text = text.replace('source = "osm/x.graphml"\n', 'source = "osm/x.graphml"\n' + line)
    else:
        text = text.replace("[overrides.o]", f"[base.{section}]\n{line}\n[overrides.o]")
    path = tmp_path_factory.mktemp("prec") / "s.toml"
    path.write_text(text, encoding="utf-8")
    # precedence: --set > overrides > [base]
    assert _get(load_scenario(path), key) == base
    assert _get(load_scenario(path, name="only"), key) == over
    loaded = load_scenario(path, name="only", sets=[f"{key}={json.dumps(top)}"])
    assert _get(loaded, key) == top
    # round trip through the schema's JSON form
    again = Scenario.model_validate_json(loaded.model_dump_json())
    assert again == loaded


# ---------------------------------------------------------------------------------------
# Portfolio loader
# ---------------------------------------------------------------------------------------

cells = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            "NaN",
            "inf",
            "-1",
            "1e12",
            "4.35",
            "52.0",
            "existing",
            "candidate",
            "gp",
            "school",
            "duo-1",
        ]
    ),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)
columns = st.lists(
    st.one_of(st.sampled_from(PORTFOLIO_COLUMNS), st.text(max_size=10)), min_size=1, max_size=14
)


@FAST
@given(
    header=columns, rows=st.lists(st.lists(cells, max_size=16), max_size=6), quoted=st.booleans()
)
def test_any_portfolio_csv_loads_or_raises_input_data_error(tmp_path_factory, header, rows, quoted):
    if quoted:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows(rows)
        text = buffer.getvalue()
    else:
        text = "\n".join(",".join(row) for row in [header, *rows])
    path = tmp_path_factory.mktemp("pf") / "portfolio.csv"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", VoorzieningenWarning)
            sites = load_portfolio(path)
    except InputDataError:
        return
    assert sites.index.is_unique
    assert sites["lon"].between(2.5, 7.5).all()


@FAST
@given(payload=st.binary(max_size=300))
def test_any_bytes_load_or_raise_input_data_error(tmp_path_factory, payload):
    path = tmp_path_factory.mktemp("pfb") / "portfolio.csv"
    path.write_bytes(b"site_id,name,kind,service,lon,lat\n" + payload)
    with contextlib.suppress(InputDataError), warnings.catch_warnings():
        # an empty portfolio, or odd floor areas, warn: neither is an error nor a crash
        warnings.simplefilter("ignore", VoorzieningenWarning)
        load_portfolio(path)


# ---------------------------------------------------------------------------------------
# Verifier: perturbed plans are rejected, the solved plan passes
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def extended():
    """The village school of test_credible: extended in 2030, closed in 2040."""
    from test_credible import _village_school

    results, data, outcome = _village_school(allow_extend=True)
    assert list(results.plan.starts["option"]) == ["extend"]
    return results.plan, data, outcome


def _perturb_extension(plan, kind: str, amount: float):
    if kind == "resize":  # an extension keeps its places as they are
        c = plan.capacity_built.copy()
        c["capacity_places"] = c["capacity_places"] + amount
        return dataclasses.replace(plan, capacity_built=c)
    if kind == "cheaper":
        s = plan.starts.copy()
        s["capex_eur"] = s["capex_eur"] - amount
        return dataclasses.replace(plan, starts=s)
    if kind == "new_area":  # an extension adds no floor area
        return dataclasses.replace(plan, starts=plan.starts.assign(new_area_m2=amount))
    if kind == "earlier":  # an extension starts when the life ends (2030), not before
        s = plan.starts.assign(period=2025)
        c = plan.capacity_built.assign(period=2025)
        return dataclasses.replace(plan, starts=s, capacity_built=c)
    raise AssertionError(kind)


@settings(deadline=None, max_examples=30)
@given(
    kind=st.sampled_from(["resize", "cheaper", "new_area", "earlier"]),
    # From 1 (€, place, m²): below the verifier's rounding tolerance (1e-6 of 135,000 €)
    # a difference is no violation.
    amount=st.floats(min_value=1.0, max_value=1e5),
)
def test_perturbed_extensions_are_rejected(extended, kind, amount):
    plan, data, _ = extended
    with pytest.raises(VerificationError, match=r"violates \d+ rule"):
        verify_plan(_perturb_extension(plan, kind, amount), data)


@pytest.fixture(scope="module")
def solved():
    """Close school B (sale 300,000) and renovate hall H (end of life): a plan with both."""
    import test_model as tm

    school = tm.service(5.0, opex_eur_per_m2_year=100.0)
    sites = [
        tm.site("A", "existing", "school", "school", area=500, cap=100, eol=2050, sale=100_000),
        tm.site("B", "existing", "school", "school", area=500, cap=100, eol=2050, sale=300_000),
        tm.site(
            "H", "existing", "community_hall", "community_hall", area=100, cap=100, eol=2025, sale=0
        ),
    ]
    results, data, outcome = tm.solve(
        sites,
        [("Z", "school", 100), ("Z", "community_hall", 80)],
        [("Z", "A", 5, 1), ("Z", "B", 5, 1), ("Z", "H", 5, 1)],
        services=("school", "community_hall"),
        cost=tm.costs(school=school),
    )
    plan = results.plan
    assert set(plan.closures["site"]) == {"B"}
    assert set(plan.starts["site"]) == {"H"}
    return plan, data, outcome


def test_unperturbed_plan_passes(solved):
    plan, data, outcome = solved
    verify_plan(plan, data, objective_value=outcome.objective)


def _perturb(plan, kind: str, amount: float):  # noqa: PLR0911
    a = plan.assignments.copy()
    if kind == "move_persons":  # some pupils from A to the closed school B
        row = a.index[a["site"] == "A"][0]
        moved = a.loc[[row]].assign(site="B", persons=min(amount, float(a.at[row, "persons"])))
        a.loc[row, "persons"] -= float(moved["persons"].iloc[0])
        return dataclasses.replace(plan, assignments=pd.concat([a, moved], ignore_index=True))
    if kind == "scale_persons":
        return dataclasses.replace(
            plan, assignments=a.assign(persons=a["persons"] * (1 + amount / 10))
        )
    if kind == "shrink_capacity":
        c = plan.capacity_built.copy()
        c["capacity_places"] = c["capacity_places"] - amount
        return dataclasses.replace(plan, capacity_built=c)
    if kind == "grow_capacity":  # beyond the 100 m² of hall H: new floor area not paid for
        c = plan.capacity_built.copy()
        c["capacity_places"] = c["capacity_places"] + 100 + amount
        return dataclasses.replace(plan, capacity_built=c)
    if kind == "reopen_closed":
        asis = plan.asis.copy()
        asis.loc[asis["site"] == "B", "in_use"] = True
        return dataclasses.replace(plan, asis=asis)
    if kind == "inflate_capex":
        s = plan.starts.copy()
        s["capex_eur"] = s["capex_eur"] * (1 + amount / 1000) + amount
        return dataclasses.replace(plan, starts=s)
    if kind == "drop_closure":
        return dataclasses.replace(plan, closures=plan.closures.iloc[0:0])
    if kind == "offset_negative":  # +amount at A hidden by -amount at the closed school B
        row = a.index[a["site"] == "A"][0]
        a.loc[row, "persons"] += amount
        negative = a.loc[[row]].assign(site="B", persons=-amount)
        return dataclasses.replace(plan, assignments=pd.concat([a, negative], ignore_index=True))
    if kind == "halve_times":
        return dataclasses.replace(plan, assignments=a.assign(travel_time_min=a["travel_time_min"] / 2))
    if kind == "duplicate_closure":
        return dataclasses.replace(plan, closures=pd.concat([plan.closures] * 2, ignore_index=True))
    raise AssertionError(kind)


@settings(deadline=None, max_examples=60)
@given(
    kind=st.sampled_from(
        [
            "move_persons",
            "scale_persons",
            "shrink_capacity",
            "grow_capacity",
            "reopen_closed",
            "inflate_capex",
            "drop_closure",
            "offset_negative",
            "halve_times",
            "duplicate_closure",
        ]
    ),
    amount=st.floats(min_value=0.01, max_value=1e6),
    with_objective=st.booleans(),
)
def test_perturbed_plans_are_rejected(solved, kind, amount, with_objective):
    plan, data, outcome = solved
    broken = _perturb(plan, kind, amount)
    assume(kind != "scale_persons" or amount >= 1e-3)
    with pytest.raises(VerificationError, match=r"violates \d+ rule"):
        verify_plan(broken, data, objective_value=outcome.objective if with_objective else None)


# ---------------------------------------------------------------------------------------
# The CSV dialect reader (issue 14): any supported dialect reads back identical
# ---------------------------------------------------------------------------------------

from voorzieningen.csvio import read_csv  # noqa: E402

DIALECT = st.fixed_dictionaries(
    {
        "sep": st.sampled_from([",", ";", "\t"]),
        "decimal": st.sampled_from(["point", "comma"]),
        "groups": st.booleans(),
        "bom": st.booleans(),
        "eol": st.sampled_from(["\n", "\r\n"]),
        "quoting": st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
    }
)
CSV_NUMBER = st.one_of(
    st.none(),
    st.floats(min_value=-1e22, max_value=1e22, allow_nan=False, allow_infinity=False),
    st.integers(min_value=-(10**12), max_value=10**12).map(float),
)
#: Text cells: any printable text with separators, quotes and line breaks inside, no
#: surrounding spaces (the reader strips cells) and never empty (empty is missing).
CSV_TEXT = st.text(
    alphabet=st.characters(
        exclude_categories=("Cs", "Cc", "Zl", "Zp"), include_characters=",;\t\"'\n"
    ),
    min_size=1,
    max_size=12,
).filter(lambda t: t == t.strip())


def _format_number(value: float | None, decimal: str, groups: bool) -> str:
    """Write a number as a spreadsheet in the dialect would (shortest round-trip digits)."""
    if value is None:
        return ""
    text = repr(value)
    if "e" not in text:
        sign, body = ("-", text[1:]) if text.startswith("-") else ("", text)
        whole, _, frac = body.partition(".")
        if groups:
            whole = f"{int(whole):,}"
        text = sign + whole + ("." + frac if frac else "")
    if decimal == "comma":
        text = text.translate(str.maketrans({".": ",", ",": "."}))
    return text


@st.composite
def dialect_tables(draw: st.DrawFn) -> tuple[dict[str, object], dict[str, list[object]]]:
    dialect = draw(DIALECT)
    rows = draw(st.integers(min_value=1, max_value=6))
    n_num = draw(st.integers(min_value=1, max_value=3))
    n_text = draw(st.integers(min_value=1, max_value=2))
    columns: dict[str, list[object]] = {}
    for i in range(n_num):
        columns[f"n{i}"] = draw(st.lists(CSV_NUMBER, min_size=rows, max_size=rows))
    for i in range(n_text):
        columns[f"t{i}"] = draw(st.lists(CSV_TEXT, min_size=rows, max_size=rows))
    return dialect, columns


def _write_table(path: Path, dialect: dict[str, object], columns: dict[str, list[object]]) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(
        buffer,
        delimiter=str(dialect["sep"]),
        lineterminator=str(dialect["eol"]),
        quoting=int(str(dialect["quoting"])),
    )
    names = list(columns)
    writer.writerow(names)
    for values in zip(*columns.values(), strict=True):
        writer.writerow(
            [
                _format_number(v, str(dialect["decimal"]), bool(dialect["groups"]))  # type: ignore[arg-type]
                if name.startswith("n")
                else v
                for name, v in zip(names, values, strict=True)
            ]
        )
    text = buffer.getvalue()
    path.write_bytes(("\ufeff" if dialect["bom"] else "").encode() + text.encode("utf-8"))


def _same(frame: pd.DataFrame, columns: dict[str, list[object]]) -> None:
    assert list(frame.columns) == list(columns)
    for name, values in columns.items():
        got = frame[name].tolist()
        if name.startswith("n"):
            want = [math.nan if v is None else v for v in values]
            assert all(
                (math.isnan(a) and math.isnan(b)) or a == b  # type: ignore[arg-type]
                for a, b in zip(got, want, strict=True)
            ), (name, got, want)
        else:
            assert got == values, (name, got, values)


@FAST
@given(table=dialect_tables())
def test_dialect_reader_reads_back_identical(tmp_path: Path, table: tuple) -> None:  # type: ignore[type-arg]
    """Write a table in any supported dialect, read it back with the dialect declared."""
    dialect, columns = table
    path = tmp_path / "table.csv"
    _write_table(path, dialect, columns)
    text_cols = {c: "str" for c in columns if c.startswith("t")}
    numeric = [c for c in columns if c.startswith("n")]
    frame = read_csv(
        path,
        required=list(columns),
        dtype=text_cols,
        numeric=numeric,
        decimal=dialect["decimal"],
        na_text=False,
    )
    _same(frame, columns)
    assert frame.attrs["dialect"].separator == dialect["sep"]
    # undeclared ("auto"): the same table, or a refusal that shows both readings; never a
    # different number
    refusal = ""
    try:
        auto = read_csv(
            path, required=list(columns), dtype=text_cols, numeric=numeric, na_text=False
        )
    except InputDataError as err:
        refusal = str(err)
    if refusal:
        assert "two readings" in refusal, refusal
    else:
        _same(auto, columns)
