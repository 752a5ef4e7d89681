"""The formulation documents in models/ and the built models name the same components.

Both ways: every component listed in a document's component table exists on a built model
under that name with that kind, and every variable, constraint, objective, expression and
mutable parameter of a built model is listed. Renaming a component in code (or in the
document) without the other fails here.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np
import pyomo.environ as pyo
import pytest

from test_model import costs, make_data, site
from voorzieningen.model import presets
from voorzieningen.model.build import build_model
from voorzieningen.model.robust import FIRST_STAGE, build_robust_model, shared_bounds
from voorzieningen.schemas.model import BudgetSettings, Norms, NormSettings

MODELS = Path(__file__).resolve().parents[1] / "models"
KINDS = {
    "Var": pyo.Var,
    "Constraint": pyo.Constraint,
    "Objective": pyo.Objective,
    "Expression": pyo.Expression,
    "Param": pyo.Param,
}
ROW = re.compile(r"^\|\s*`(\w+)`\s*\|\s*(\w+)\s*\|")
PAIR = re.compile(r"`(\w+)`\s+(Var|Constraint|Objective|Expression|Param)\b")


def built_components(model: pyo.ConcreteModel) -> set[tuple[str, str]]:
    """(name, kind) of every documented kind of component on a model."""
    found = set()
    for kind, ctype in KINDS.items():
        for comp in model.component_objects(ctype, descend_into=False):
            found.add((comp.local_name, kind))
    return found


# ----------------------------------------------------------------- investment model


def investment_index() -> set[tuple[str, str]]:
    text = (MODELS / "investment.md").read_text(encoding="utf-8")
    rows = {(m[1], m[2]) for line in text.splitlines() if (m := ROW.match(line))}
    assert rows, "no component table found in models/investment.md"
    unknown = {kind for _, kind in rows} - set(KINDS)
    assert not unknown, f"unknown kinds in models/investment.md: {unknown}"
    return rows


def investment_instances():
    """Small hand-made instances that, together, switch on every component family."""
    sites = [
        site("E", "existing", "school", "school;community_hall", area=500, cap=100, eol=2030),
        site("H", "existing", "community_hall", "community_hall", area=80, cap=80, sale=1e5),
        site("C", "candidate", "", "school;community_hall"),
    ]
    demand = [
        ("Z1", "school", 60),
        ("Z2", "school", 40),
        ("Z1", "community_hall", 50),
        ("Z2", "community_hall", 0),
    ]
    tt = [
        (z, j, minutes, 1.0)
        for z, j, minutes in [
            ("Z1", "E", 5),
            ("Z1", "C", 8),
            ("Z1", "H", 4),
            ("Z2", "E", 9),
            ("Z2", "C", 3),
        ]
    ]
    common = {
        "periods": (2025, 2030),
        "services": ("school", "community_hall"),
        "cost": costs(),
        "allow_unmet": True,
    }
    norms = Norms(school=NormSettings(min_share_within=0.5, within_min=10.0))
    budgets = BudgetSettings(
        capex_total_eur=6e6,
        capex_per_period_eur=4e6,
        net_spend_total_eur=5e6,
        net_spend_per_year_eur=1e6,
    )
    cost = make_data(
        sites, demand, tt, objective="cost", budgets=budgets, norms=norms, closest=True, lead=1,
        allow_extend=True, **common
    )
    return {
        "cost+budgets+closest+norm": cost,
        "access": make_data(sites, demand, tt, objective="access", **common),
        "worst_off": make_data(sites, demand, tt, objective="worst_off", **common),
    }


@pytest.fixture(scope="module")
def investment_built():
    return {name: build_model(data).model for name, data in investment_instances().items()}


def test_every_component_of_a_built_investment_model_is_documented(investment_built):
    documented = investment_index()
    for name, model in investment_built.items():
        missing = built_components(model) - documented
        assert not missing, f"{name}: components not in models/investment.md: {missing}"


def test_every_documented_investment_component_exists_on_a_built_model(investment_built):
    documented = investment_index()
    built = set().union(*(built_components(m) for m in investment_built.values()))
    absent = documented - built
    assert not absent, f"documented in models/investment.md, not built: {absent}"


def test_every_documented_constraint_family_has_its_numbered_section():
    text = (MODELS / "investment.md").read_text(encoding="utf-8")
    headings = re.findall(r"^### \(C(\d+)\) [^`]*`(c_\w+)`", text, flags=re.MULTILINE)
    numbers = [int(n) for n, _ in headings]
    assert numbers == list(range(1, len(numbers) + 1)), "constraints numbered (C1), (C2), ..."
    constraints = {name for name, kind in investment_index() if kind == "Constraint"}
    assert {name for _, name in headings} == constraints
    variables = text.split("## 4. Variables", 1)[1].split("## 5.", 1)[0]
    expressions = text.split("## 5. Expressions", 1)[1].split("## 6.", 1)[0]
    for name, kind in investment_index():
        if kind == "Var":
            assert re.search(rf"^- `{name}`", variables, flags=re.MULTILINE), name
        if kind == "Expression":
            assert re.search(rf"\(E\d+\) `{name}`", expressions), name


def test_constraint_sections_follow_the_order_of_build_model(investment_built):
    text = (MODELS / "investment.md").read_text(encoding="utf-8")
    documented = re.findall(r"^### \(C\d+\) [^`]*`(c_\w+)`", text, flags=re.MULTILINE)
    model = investment_built["cost+budgets+closest+norm"]
    order = [c.local_name for c in model.component_objects(pyo.Constraint, descend_into=False)]
    assert order == [c for c in documented if c in order]


def test_a_renamed_constraint_fails_the_correspondence(investment_built):
    model = investment_built["access"].clone()
    demand_rows = model.c_demand
    model.del_component(demand_rows)
    model.add_component("c_demand_renamed", demand_rows)
    names = {name for name, _ in built_components(model)}
    documented = {name for name, _ in investment_index()}
    assert names - documented == {"c_demand_renamed"}
    assert "c_demand" in documented - names


# ----------------------------------------------------------------- robust model


def robust_index() -> set[tuple[str, str]]:
    text = (MODELS / "robust.md").read_text(encoding="utf-8")
    rows = {(m[1], m[2]) for line in text.splitlines() if (m := ROW.match(line))}
    assert rows, "no component table found in models/robust.md"
    return rows


@pytest.fixture(scope="module")
def robust_built():
    data = investment_instances()["cost+budgets+closest+norm"]
    fewer = data.demand * 0.5
    datas = shared_bounds({"mid": data, "krimp": dataclasses.replace(data, demand=fewer)})
    weights = {"mid": 0.6, "krimp": 0.4}
    best = {"mid": 1.0, "krimp": 1.0}
    return {
        objective: build_robust_model(
            datas, weights, objective=objective, best_objective=best
        ).model
        for objective in ("expected", "minmax_regret")
    }


def test_robust_model_and_document_name_the_same_components(robust_built):
    documented = robust_index()
    built = set().union(*(built_components(m) for m in robust_built.values()))
    assert built == documented


def test_each_robust_block_is_the_documented_investment_model(robust_built):
    for model in robust_built.values():
        for block in model.variant.values():
            assert built_components(block) <= investment_index()
            assert ("c_demand", "Constraint") in built_components(block)
            assert not block.objective.active


def test_robust_constraint_and_objective_sections_exist():
    text = (MODELS / "robust.md").read_text(encoding="utf-8")
    assert re.search(r"^### \(N1\) [^`]*`c_nonanticipativity`", text, flags=re.MULTILINE)
    assert re.search(r"^### \(R1\) [^`]*`expected_objective`", text, flags=re.MULTILINE)
    assert re.search(r"^### \(R2\) [^`]*`max_regret`, `c_regret`", text, flags=re.MULTILINE)
    for name in FIRST_STAGE:
        assert f"`{name}`" in text.split("## 2.", 1)[0], name


# ----------------------------------------------------------------- presets


def preset_index() -> dict[str, set[tuple[str, str]]]:
    text = (MODELS / "presets.md").read_text(encoding="utf-8")
    table: dict[str, set[tuple[str, str]]] = {}
    for line in text.split("## 4. Components of each preset", 1)[1].splitlines():
        m = re.match(r"^\|\s*`([\w:]+)`\s*\|(.*)\|\s*$", line)
        if m:
            table[m[1]] = {(name, kind) for name, kind in PAIR.findall(m[2])}
    return table


COSTS = np.array([[1.0, 4.0, 6.0], [3.0, 1.0, 5.0], [5.0, 3.0, 1.0], [2.0, 2.0, 2.0]])
DEMANDS = np.array([2.0, 3.0, 1.0, 2.0])
PRESETS = {
    "p_median:radius": lambda: presets.build_p_median(COSTS, p=2),
    "p_median:assignment": lambda: presets.build_p_median(COSTS, p=2, formulation="assignment"),
    "uflp:radius": lambda: presets.build_uflp(COSTS, fixed_costs=[3.0, 2.0, 4.0]),
    "uflp:assignment": lambda: presets.build_uflp(
        COSTS, fixed_costs=[3.0, 2.0, 4.0], formulation="assignment"
    ),
    "p_center": lambda: presets.build_p_center(COSTS, p=1),
    "mclp": lambda: presets.build_mclp(COSTS, p=1, radius=2.0),
    "lscp": lambda: presets.build_lscp(COSTS, radius=2.0),
    "cflp": lambda: presets.build_cflp(
        COSTS, demands=DEMANDS, capacities=[5.0, 5.0, 5.0], fixed_costs=[3.0, 2.0, 4.0]
    ),
    "cpmp": lambda: presets.build_cpmp(COSTS, p=2, demands=DEMANDS, capacities=6.0),
}


def test_every_preset_family_is_documented_and_built():
    assert set(preset_index()) == set(PRESETS)


@pytest.mark.parametrize("key", sorted(PRESETS))
def test_preset_components_match_the_document(key):
    documented = preset_index()[key]
    built = built_components(PRESETS[key]().model)
    assert built - documented == set(), f"{key}: built, not documented"
    assert documented - built == set(), f"{key}: documented, not built"
    text = (MODELS / "presets.md").read_text(encoding="utf-8")
    for name, kind in documented:
        if kind == "Constraint":
            assert re.search(rf"^### \(P\d+\) .*`{name}`", text, flags=re.MULTILINE), name


@pytest.mark.parametrize("key", sorted(PRESETS))
def test_preset_model_carries_only_pyomo_components(key):
    # the input data travels next to the model (PresetModel.spec), never as an attribute
    built = PRESETS[key]()
    assert isinstance(built, presets.PresetModel)
    assert isinstance(built.spec, presets.PresetSpec)
    fresh = set(vars(pyo.ConcreteModel()))
    components = {c.local_name for c in built.model.component_objects(descend_into=False)}
    extra = set(vars(built.model)) - fresh - components
    assert extra == set(), f"{key}: attributes set on the Pyomo model outside components: {extra}"


def test_an_attribute_on_a_preset_model_is_caught():
    model = PRESETS["p_median:radius"]().model
    model.preset_spec = "hidden"  # what the presets used to do
    fresh = set(vars(pyo.ConcreteModel()))
    components = {c.local_name for c in model.component_objects(descend_into=False)}
    assert set(vars(model)) - fresh - components == {"preset_spec"}


# ----------------------------------------------------------------- alternatives (MGA)


def alternatives_index() -> set[tuple[str, str]]:
    text = (MODELS / "alternatives.md").read_text(encoding="utf-8")
    rows = {(m[1], m[2]) for line in text.splitlines() if (m := ROW.match(line))}
    assert rows, "no component table found in models/alternatives.md"
    return rows


def _with_alternatives(data):
    from voorzieningen.model import alternatives as mga

    built = build_model(data)
    model = built.model
    before = built_components(model)
    terms = mga.decision_terms(model, data)
    mga.add_slack_bound(model, 123.0, built.objective_scale)
    plans = [np.zeros(len(terms), dtype=np.int8), np.ones(len(terms), dtype=np.int8)]
    mga.add_differ_rows(model, terms, plans)
    mga.set_distance_objective(model, terms, plans)
    return model, built.objective_scale, terms, built_components(model) - before


def test_alternatives_components_match_the_document():
    documented = alternatives_index()
    for name, data in investment_instances().items():
        _, _, _, added = _with_alternatives(data)
        assert added == documented, f"{name}: added {added}, documented {documented}"
    text = (MODELS / "alternatives.md").read_text(encoding="utf-8")
    for name, kind in documented:
        if kind in ("Constraint", "Objective"):
            assert re.search(rf"^### \(A\d+\) .*`{name}`", text, flags=re.MULTILINE), name


def test_alternatives_rows_are_as_written():
    from voorzieningen.model import alternatives as mga

    data = investment_instances()["cost+budgets+closest+norm"]
    model, scale, terms, _ = _with_alternatives(data)
    # (A1): the active investment objective's expression, bounded by κ times the limit
    row = model.c_mga_objective
    assert scale == pytest.approx(1e-6)
    assert pyo.value(row.upper) == pytest.approx(123.0 * scale)
    assert str(row.body) == str(model.objective.expr)
    assert not model.objective.active
    assert model.mga_objective.sense == pyo.maximize
    # V (§1): one term per option with a free start (sum over periods), then one per managed
    # existing building with a free closure: close + close_option over periods (a candidate
    # site's closure is not counted: it paid the search to build and close again)
    options = {k for k, t in model.start if not model.start[k, t].fixed}
    sites = list(data.existing)
    assert data.candidates  # the instance has a candidate site, whose closure is left out
    assert len(terms) == len(options) + len(sites)
    by_site = data.options_by_site
    for term, j in zip(terms[len(options) :], sites, strict=True):
        names = {(v.parent_component().local_name, v.index()) for v in _variables(term)}
        expected = {("close_option", (k, t)) for k in by_site.get(j, []) for t in data.periods}
        expected |= {("close", (j, t)) for t in data.periods}
        assert names == expected, j
    # (D) and (A2): at a 0/1 point the rows' right-hand sides are the Hamming distances
    for v in (v for term in terms for v in _variables(term)):
        v.set_value(0.0)
    rng = np.random.default_rng(7)
    point = rng.integers(0, 2, len(terms)).astype(np.int8)
    for term, x in zip(terms, point, strict=True):
        first = next(v for v in _variables(term) if not v.fixed)
        first.set_value(float(x))
    assert list(mga.decision_vector(terms)) == list(point)
    plans = [np.zeros(len(terms), dtype=np.int8), np.ones(len(terms), dtype=np.int8)]
    model.mga_min_distance.set_value(0.0)
    for i, plan in enumerate(plans, start=1):
        differ = model.c_mga_differ[i]  # D_i(x) >= 1
        assert pyo.value(differ.lower) == 1.0
        assert not differ.has_ub()
        assert pyo.value(differ.body) == pytest.approx(mga.hamming(point, plan))
        row = model.c_mga_distance[i]  # delta - D_i(x) <= 0
        assert row.has_ub()
        assert not row.has_lb()
        assert pyo.value(row.upper) == 0.0
        assert -pyo.value(row.body) == pytest.approx(mga.hamming(point, plan))
    # (A3): η = 1 / (1 + m |V|)
    m, n = len(plans), len(terms)
    expected = 0.0 + (mga.hamming(point, plans[0]) + mga.hamming(point, plans[1])) / (1 + m * n)
    assert pyo.value(model.mga_objective.expr) == pytest.approx(expected)


def _variables(expr):
    from pyomo.core.expr.visitor import identify_variables

    return list(identify_variables(expr, include_fixed=True))
