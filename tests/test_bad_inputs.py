"""The bad-input corpus (issue #7): every case gives a named error, never a traceback.

Each folder of ``tests/bad_inputs/`` is one case; its ``case.toml`` says how it is run and
what must come out (see ``tests/bad_inputs/README.md``). Cases run through the real entry
points: :func:`voorzieningen.inputs.load_portfolio`, :func:`voorzieningen.scenarios.load_scenario`,
:func:`voorzieningen.api.load_inputs`, :func:`voorzieningen.api.run_scenario` and the command
line (``typer.testing.CliRunner`` on :data:`voorzieningen.cli.app`).

A case either raises an error (class ``error``, message matching ``match``) or, for points the
network cannot place, finishes with the point named in the reachability report (``reported``).
Cases marked ``xfail`` need a fix outside this test's files; they run strictly (an unexpected
pass fails) and are left out of the summary's counts, which is printed by
:func:`test_summary` as ``bad inputs: N tried, N named errors, 0 tracebacks``.
"""

from __future__ import annotations

import re
import shutil
import tomllib
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from voorzieningen import api, errors
from voorzieningen.cli import app
from voorzieningen.context import RunContext
from voorzieningen.inputs import load_portfolio
from voorzieningen.scenarios import load_scenario

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parent / "bad_inputs"
DELFT = REPO / "inputs" / "delft"
#: Shared data files copied into the custom data directory of ``data = "custom"`` cases
#: (copied, not linked: paths that resolve outside the data directory are refused).
CUSTOM_DATA = (
    "cbs/cbs_pc4_centroids_2020_nl.csv",
    "cbs/duo_schoolvestigingen_20241122_nl.csv",
    "cbs/cbs_pc4_inwoners_leeftijd5jr_2021_nl.csv",
    "cbs/cbs_37259eng_bevolkingsontwikkeling_regio_2012_2023.csv",
)
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "case.toml").is_file())
runner = CliRunner()


@dataclass
class Outcome:
    """What one case did."""

    kind: str  # "named" (our error, or the point named in the report), "traceback", "none"
    error: BaseException | None = None
    text: str = ""
    exit_code: int | None = None
    #: (id, issue) of every reachability-report row of the case's point, and whether a
    #: warning named the point (``reported`` cases only).
    reported: frozenset[tuple[str, str]] = frozenset()
    warned: bool = False


#: Outcomes of the cases run in this session, by name (the summary reruns missing ones).
OUTCOMES: dict[str, Outcome] = {}


def spec(name: str) -> dict[str, Any]:
    return tomllib.loads((CORPUS / name / "case.toml").read_text(encoding="utf-8"))


def _region(name: str, case: dict[str, Any], tmp: Path) -> Path:
    """Copy inputs/delft, overlay the case's files, apply its text replacements."""
    region = tmp / "delft"
    shutil.copytree(DELFT, region)
    for path in (CORPUS / name).iterdir():
        if path.is_file() and path.name != "case.toml":
            shutil.copyfile(path, region / path.name)
    scenario = region / case.get("scenario_file", "scenarios.toml")
    if case.get("replace"):
        text = scenario.read_text(encoding="utf-8")
        for rep in case["replace"]:
            assert rep["old"] in text, f"{name}: {rep['old']!r} not in scenarios.toml"
            text = text.replace(rep["old"], rep["new"])
        scenario.write_text(text, encoding="utf-8")
    return scenario


@pytest.fixture(scope="session")
def custom_data_dir(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with the shared CBS files and the corpus's own networks and files."""
    target = tmp_path_factory.mktemp("custom_data")
    for rel in CUSTOM_DATA:
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(data_dir / rel, target / rel)
    shutil.copytree(CORPUS / "_data", target, dirs_exist_ok=True)
    return target


def run_case(name: str, tmp: Path, data_dir: Path, custom_dir: Path) -> Outcome:
    """Run one case through its entry point and classify what happened."""
    case = spec(name)
    entry = case["entry"]
    data = custom_dir if case.get("data") == "custom" else data_dir
    sets = list(case.get("sets", []))
    scenario_name = case.get("scenario", "base")
    if entry.startswith("cli-"):
        path = _region(name, case, tmp)
        args = [entry.removeprefix("cli-"), str(path), "--data-dir", str(data)]
        args += ["--scenario", scenario_name]
        if entry == "cli-run":
            out_dir = case.get("out_dir")  # relative to the case's folder, kept as written
            args += ["--out-dir", f"{tmp}/{out_dir}" if out_dir else str(tmp / "results")]
        for assignment in sets:
            args += ["--set", assignment]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", errors.VoorzieningenWarning)
            result = runner.invoke(app, args)
        text = result.output
        bad = "Traceback" in text or "unexpected error" in text
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            bad = True
        kind = "traceback" if bad else ("named" if result.exit_code != 0 else "none")
        return Outcome(kind, result.exception, text, result.exit_code)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", errors.VoorzieningenWarning)
            if entry == "portfolio":
                load_portfolio(CORPUS / name / "portfolio.csv")
            else:
                path = _region(name, case, tmp)
                scenario = load_scenario(path, name=scenario_name, sets=sets)
                if entry == "inputs":
                    context = RunContext(data_dir=data, region_dir=path.parent)
                    api.load_inputs(scenario, context)
                elif entry == "run":
                    with warnings.catch_warnings(record=True) as caught:
                        warnings.simplefilter("always", errors.VoorzieningenWarning)
                        results = api.run_scenario(
                            path, name=scenario_name, sets=sets, data_dir=data
                        )
                    report = results.travel.reachability
                    want = case.get("reported")
                    said = " ".join(str(w.message) for w in caught)
                    if want and report is not None:
                        rows = report[report["id"].astype(str) == want["id"]]
                        found = frozenset(
                            (str(i), str(issue))
                            for i, issue in zip(rows["id"], rows["issue"], strict=True)
                        )
                        hit = (want["id"], want["issue"]) in found and want["id"] in said
                        kind = "named" if hit else "none"
                        text = "\n".join(rows["detail"].astype(str))
                        return Outcome(kind, None, text, reported=found, warned=want["id"] in said)
    except errors.VoorzieningenError as err:
        return Outcome("named", err, str(err))
    except Exception as err:
        return Outcome("traceback", err, f"{type(err).__name__}: {err}")
    return Outcome("none")


def _params() -> list[Any]:
    params = []
    for name in CASES:
        reason = spec(name).get("xfail")
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        params.append(pytest.param(name, marks=marks, id=name))
    return params


@pytest.mark.parametrize("name", _params())
def test_bad_input(name: str, tmp_path: Path, data_dir: Path, custom_data_dir: Path) -> None:
    case = spec(name)
    outcome = run_case(name, tmp_path, data_dir, custom_data_dir)
    OUTCOMES[name] = outcome
    assert outcome.kind != "traceback", f"{name}: traceback\n{outcome.text}"
    if case.get("reported"):
        want = case["reported"]
        assert outcome.kind == "named", f"{name}: {want} not in the reachability report"
        assert (want["id"], want["issue"]) in outcome.reported, outcome.reported
        assert outcome.warned, f"{name}: no warning names {want['id']}"
        assert outcome.text.strip(), f"{name}: the report row of {want['id']} has no detail"
        return
    assert outcome.kind == "named", f"{name}: no error raised"
    if case["entry"].startswith("cli-"):
        expected = errors.exit_code_for(getattr(errors, case["error"])("x"))
        assert outcome.exit_code == expected, outcome.text
        assert re.search(case["match"], " ".join(outcome.text.split())), outcome.text
    else:
        assert type(outcome.error).__name__ == case["error"], outcome.text
        assert re.search(case["match"], outcome.text), outcome.text


def test_summary(
    tmp_path: Path,
    data_dir: Path,
    custom_data_dir: Path,
    summary_line: Callable[[str], None],
) -> None:
    counted = [name for name in CASES if not spec(name).get("xfail")]
    gaps = [name for name in CASES if spec(name).get("xfail")]
    for name in CASES:
        if name not in OUTCOMES:
            OUTCOMES[name] = run_case(name, tmp_path / name, data_dir, custom_data_dir)
    named = sum(OUTCOMES[n].kind == "named" for n in counted)
    tracebacks = [n for n in counted if OUTCOMES[n].kind == "traceback"]
    summary_line(
        f"bad inputs: {len(counted)} tried, {named} named errors, {len(tracebacks)} tracebacks"
    )
    if gaps:
        summary_line(
            f"known gaps (xfail, not counted above): {len(gaps)}: "
            + ", ".join(f"{n} ({OUTCOMES[n].kind})" for n in gaps)
        )
    assert len(counted) >= 30
    assert not tracebacks, tracebacks
    assert named == len(counted), [n for n in counted if OUTCOMES[n].kind != "named"]
