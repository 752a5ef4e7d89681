"""The ``host`` variable (C25): the same model as (H) written out, with far fewer nonzeros.

``build_model(data)`` defines :math:`h_{jst}` once per managed (site, service, period) as
the variable ``host`` (row ``c_host``) and the linking, minimum-size and closest rows read
it; ``build_model(data, host_variable=False)`` writes (H) out in every such row (the
formulation before issue 15). Both must give the same optimum on every instance of
``tests/test_formulation.py`` (which, together, switch on every constraint family).
"""

from __future__ import annotations

import pyomo.environ as pyo
import pytest
from pyomo.core.expr.visitor import identify_variables

from test_formulation import investment_instances
from voorzieningen.model.build import build_model
from voorzieningen.schemas.solver import SolverSettings
from voorzieningen.solve import solve_model

INSTANCES = investment_instances()


@pytest.mark.parametrize("name", sorted(INSTANCES))
def test_host_variable_and_written_out_hosts_have_the_same_optimum(name):
    data = INSTANCES[name]
    exact = SolverSettings(mip_rel_gap=0.0, time_limit_s=60)
    plain_model, scale = build_model(data, host_variable=False)
    host_model, _ = build_model(data)
    plain = solve_model(plain_model, exact, objective_scale=scale)
    host = solve_model(host_model, exact, objective_scale=scale)
    assert plain.optimal
    assert host.optimal
    assert host.objective == pytest.approx(plain.objective, rel=1e-7, abs=1e-6)
    assert not hasattr(plain_model, "host")
    # Every host variable equals (H) at the optimum, so it is 0 or 1.
    values = [pyo.value(v) for v in host_model.host.values()]
    assert all(min(abs(v), abs(v - 1)) < 1e-6 for v in values)


def test_a_linking_row_reads_one_host_variable():
    """(C16) with ``host``: x_pt <= d * host_jst, two variables, however many options j has."""
    data = INSTANCES["cost+budgets+closest+norm"]
    host_model, _ = build_model(data)
    plain_model, _ = build_model(data, host_variable=False)
    widths = [len(list(identify_variables(c.body))) for c in host_model.c_link.values()]
    plain = [len(list(identify_variables(c.body))) for c in plain_model.c_link.values()]
    assert widths
    assert max(widths) == 2
    # Site E (existing school with renovate, extend, convert and MFA options) spreads (H)
    # over many variables when written out.
    assert max(plain) > 2
