"""``validate`` runs every check ``run`` runs before solving (issue 14, item 3).

A scenario that ``run`` rejects before it builds its model is rejected by ``validate`` with the
same message and exit code; the warnings a run prints before the build, ``validate`` prints.
The run here cannot get further than its checks: its model build is replaced by a failure.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from voorzieningen import api
from voorzieningen.cli import app
from voorzieningen.errors import InputDataError, NetworkError, SolverError, exit_code_for

REPO = Path(__file__).resolve().parents[1]
DELFT = REPO / "inputs" / "delft" / "scenarios.toml"
runner = CliRunner()


def _no_build(data: Any) -> Any:
    msg = "the run got past its checks to the model build"
    raise AssertionError(msg)


def _flat(text: str) -> str:
    return " ".join(text.split())


def _region(tmp_path: Path, network: str) -> Path:
    """A copy of the Delft region whose scenario reads the road network ``network``."""
    region = tmp_path / "delft"
    shutil.copytree(DELFT.parent, region)
    scenario = region / "scenarios.toml"
    text = scenario.read_text(encoding="utf-8").replace("osm/nl_delft_drive.graphml", network)
    scenario.write_text(text, encoding="utf-8")
    return scenario


@pytest.mark.parametrize(
    ("sets", "error", "match"),
    [
        # Stage "model data": the closure-norm table (old validate never read it).
        (
            ["norms.school_closure.table_file=missing.csv"],
            InputDataError,
            r"missing\.csv\) \| opheffingsnorm table file not found",
        ),
        # After the travel times: no pair within the cutoff (old validate computed none).
        (["network.cutoff_min=0.1"], NetworkError, r"no \(zone, site\) pair is within 0\.1 min"),
        # The model's size against the memory it may use (13 zones x 55 sites x 4 periods
        # need about 460 MiB by the estimate; 50 MiB is far below, 10,000 far above).
        (
            ["solver.memory_limit_mib=50"],
            SolverError,
            r"memory_limit_mib\) \| the model would need about \d+ MiB",
        ),
    ],
    ids=["closure_table_missing", "no_pair_within_cutoff", "model_too_big"],
)
def test_validate_rejects_what_run_rejects_before_solving(
    sets: list[str], error: type[Exception], match: str, data_dir: Path, monkeypatch
) -> None:
    sets = ["network.method=estimate", *sets]  # estimated travel times: seconds, not minutes
    monkeypatch.setattr(api, "build_model", _no_build)
    with pytest.raises(error, match=match) as raised:
        api.run_scenario(DELFT, sets=sets, data_dir=data_dir)
    args = ["validate", str(DELFT), "--data-dir", str(data_dir)]
    for assignment in sets:
        args += ["--set", assignment]
    result = runner.invoke(app, args)
    assert result.exit_code == exit_code_for(raised.value), result.output
    assert _flat(str(raised.value)) in _flat(result.output), result.output


def test_a_model_within_its_memory_limit_validates(data_dir: Path) -> None:
    # the margin of the case above: the same scenario passes with 10,000 MiB
    sets = ["--set", "network.method=estimate", "--set", "solver.memory_limit_mib=10000"]
    result = runner.invoke(app, ["validate", str(DELFT), "--data-dir", str(data_dir), *sets])
    assert result.exit_code == 0, result.output
    assert "13 zones, 55 sites" in _flat(result.output)


def test_a_broken_network_file_fails_validate_as_it_fails_run(
    data_dir: Path, tmp_path: Path, monkeypatch
) -> None:
    # A network file that exists but is not a network: old validate only saw that it exists.
    data = tmp_path / "data"
    shutil.copytree(data_dir / "cbs", data / "cbs")
    (data / "osm").mkdir()
    (data / "osm" / "broken.graphml").write_text("<graphml><graph>cut off", encoding="utf-8")
    scenario = _region(tmp_path, "osm/broken.graphml")
    monkeypatch.setattr(api, "build_model", _no_build)
    with pytest.raises(NetworkError) as raised:
        api.run_scenario(scenario, data_dir=data)
    result = runner.invoke(app, ["validate", str(scenario), "--data-dir", str(data)])
    assert result.exit_code == exit_code_for(raised.value) == 2, result.output
    assert "broken.graphml" in str(raised.value)
    assert _flat(str(raised.value)) in _flat(result.output), result.output


def test_validate_prints_the_warnings_a_run_prints(
    data_dir: Path, tmp_path: Path, monkeypatch
) -> None:
    # The bad-input corpus's road grid over Delft, on which PC4 2629 lies on an island: the
    # run warns that the zone cannot be reached; validate must say so as well.
    from test_bad_inputs import CORPUS, CUSTOM_DATA

    data = tmp_path / "data"
    for rel in CUSTOM_DATA:
        (data / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(data_dir / rel, data / rel)
    shutil.copytree(CORPUS / "_data", data, dirs_exist_ok=True)
    scenario = _region(tmp_path, "osm/delft_grid_island.osm")
    sets = [
        'network.demand_points="centroid"',
        'model.services=["gp"]',
        "facilities.duo_schools=false",
    ]
    args = ["validate", str(scenario), "--data-dir", str(data)]
    for assignment in sets:
        args += ["--set", assignment]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    said = _flat(result.output)
    assert "warning:" in said, said
    assert "zone 2629 (island)" in said, said
