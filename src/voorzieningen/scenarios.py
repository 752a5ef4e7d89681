"""Load scenario files: a base, named overrides, and named scenarios combining overrides.

A scenario file is TOML (``.toml``) or YAML (``.yaml``/``.yml``, loaded with the safe loader,
without aliases: see :class:`ScenarioYamlLoader`) with these top-level tables::

    [base]                      # fields of voorzieningen.schemas.scenario.Scenario
    region = "delft"
    ...
    [overrides.budget_krap]     # a named partial change, dotted keys allowed
    "budget.capex_total_eur" = 5e6
    [scenarios]                 # a named list of overrides, applied in order
    krap = ["budget_krap"]

Precedence, highest first: ``--set key=value`` on the command line > overrides in the
order listed > ``[base]`` > the schema's defaults. Two overrides of one scenario that set
the same key are an error, as is an unknown override or scenario name. A scenario name
that is not in ``[scenarios]`` but is an override name applies that single override;
``base`` is the base alone.
"""

from __future__ import annotations

import copy
import json
import tomllib
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from voorzieningen.errors import ScenarioError
from voorzieningen.schemas.base import folder_name_problem
from voorzieningen.schemas.scenario import Scenario

TOP_LEVEL = ("base", "overrides", "scenarios")
#: Largest scenario file read, in bytes (assumption: real scenario files are a few KiB; a
#: bigger file is a mistake, e.g. a data file given as the scenario).
MAX_SCENARIO_BYTES = 1024 * 1024


class ScenarioYamlLoader(yaml.SafeLoader):
    """PyYAML's safe loader that refuses aliases (``*name``).

    An alias repeats an anchored node; nested aliases grow a small file into an exponentially
    large tree (the "billion laughs" document), which the scenario's later stages would
    expand in memory. A scenario never needs one: the first alias is refused, before any
    expansion, with :class:`~voorzieningen.errors.ScenarioError`.
    """

    def compose_node(self, parent: Any, index: Any) -> Any:
        """Compose the next node; refuse an alias."""
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            msg = (
                f"({self.name}) | YAML alias *{event.anchor} at line {event.start_mark.line + 1} "
                "is not allowed in a scenario file (aliases can grow a small file without "
                "bound); write the values out, or use [overrides] to share settings."
            )
            raise ScenarioError(msg)
        return super().compose_node(parent, index)


def read_scenario_file(path: Path) -> dict[str, Any]:
    """
    Read a scenario file into a dictionary, checking its top-level structure.

    Parameters
    ----------
    path
        A ``.toml``, ``.yaml`` or ``.yml`` file.

    Returns
    -------
    dict
        With keys ``base``, ``overrides`` and ``scenarios`` (the last two possibly empty).

    Raises
    ------
    ScenarioError
        If the file is missing, not valid TOML/YAML, or has unknown top-level tables.
    """
    if not path.is_file():
        msg = f"({path}) | scenario file not found; give the path to a .toml or .yaml file."
        raise ScenarioError(msg)
    size = path.stat().st_size
    if size > MAX_SCENARIO_BYTES:
        msg = (
            f"({path}) | scenario file of {size:,} bytes is larger than "
            f"{MAX_SCENARIO_BYTES:,} bytes; is it a scenario file? (scenario files are a few KiB)"
        )
        raise ScenarioError(msg)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        msg = f"({path}) | scenario file is not UTF-8; save it as UTF-8."
        raise ScenarioError(msg) from err
    try:
        if path.suffix.lower() == ".toml":
            raw: Any = tomllib.loads(text)
        elif path.suffix.lower() in (".yaml", ".yml"):
            loader = ScenarioYamlLoader(text)
            loader.name = str(path)
            try:
                raw = loader.get_single_data() or {}
            finally:
                loader.dispose()
        else:
            msg = f"({path}) | unknown scenario file type {path.suffix!r}; use .toml or .yaml."
            raise ScenarioError(msg)
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as err:
        msg = f"({path}) | not valid {path.suffix.lstrip('.').upper()}: {err}"
        raise ScenarioError(msg) from err
    except RecursionError as err:
        msg = (
            f"({path}) | tables or lists nested too deeply to read; a scenario file nests a "
            "few levels (e.g. [overrides.name] with dotted keys)."
        )
        raise ScenarioError(msg) from err
    if not isinstance(raw, dict):
        msg = f"({path}) | the file must hold tables {list(TOP_LEVEL)}."
        raise ScenarioError(msg)
    unknown = [k for k in raw if k not in TOP_LEVEL]
    if unknown:
        msg = f"({path}) | unknown top-level table(s) {unknown}; allowed: {list(TOP_LEVEL)}."
        raise ScenarioError(msg)
    if "base" not in raw or not isinstance(raw["base"], dict):
        msg = f"({path}) | missing the [base] table with the scenario's settings."
        raise ScenarioError(msg)
    overrides = raw.get("overrides", {}) or {}
    scenarios = raw.get("scenarios", {}) or {}
    if not isinstance(overrides, dict) or not all(isinstance(v, dict) for v in overrides.values()):
        msg = f"({path}, overrides) | each override must be a table of settings."
        raise ScenarioError(msg)
    if not isinstance(scenarios, dict) or not all(
        isinstance(v, list) and all(isinstance(n, str) for n in v) for v in scenarios.values()
    ):
        msg = f"({path}, scenarios) | each scenario must be a list of override names."
        raise ScenarioError(msg)
    for key in scenarios:
        problem = folder_name_problem(key)
        if problem is not None:
            msg = (
                f"({path}, scenarios, {key}) | the scenario name {problem}; it names the "
                "results folder (results/<region>/<name>): rename it to letters, digits, "
                "'_', '-' and '.', e.g. 'krap_2030'."
            )
            raise ScenarioError(msg)
    return {"base": raw["base"], "overrides": overrides, "scenarios": scenarios}


def flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """
    Flatten nested tables into dotted keys.

    Parameters
    ----------
    tree
        Nested dictionaries; keys may already contain dots.
    prefix
        Prefix for the keys.

    Returns
    -------
    dict
        ``{"budget.capex_total_eur": 5e6, ...}``; lists and scalars are leaves.
    """
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            flat.update(flatten(value, f"{full}."))
        else:
            flat[full] = value
    return flat


def set_dotted(tree: dict[str, Any], key: str, value: Any) -> None:
    """
    Set ``tree["a"]["b"]["c"] = value`` for the key ``"a.b.c"``, creating tables on the way.

    Parameters
    ----------
    tree
        The nested dictionary to change in place.
    key
        Dotted key.
    value
        The value.

    Raises
    ------
    ScenarioError
        If a part of the key names a value that is not a table.
    """
    parts = key.split(".")
    node = tree
    for part in parts[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            msg = f"({key}) | {part!r} is a value, not a table; it cannot hold {parts[-1]!r}."
            raise ScenarioError(msg)
        node = child
    node[parts[-1]] = value


def _clashing_key(key: str, seen: dict[str, str]) -> str | None:
    """Return a key of ``seen`` equal to ``key`` or a table containing it (or inside it)."""
    if key in seen:
        return key
    for other in seen:
        if key.startswith(f"{other}.") or other.startswith(f"{key}."):
            return other
    return None


def _flatten_override(table: dict[str, Any], path: Path, override: str) -> dict[str, Any]:
    """Flatten one override, refusing a key that it sets twice (dotted and nested)."""
    flat: dict[str, Any] = {}
    for key, value in table.items():
        part = flatten(value, f"{key}.") if isinstance(value, dict) and value else {key: value}
        for full, leaf in part.items():
            clash = _clashing_key(full, flat)
            if clash is not None:
                msg = (
                    f"({path}, overrides, {override}) | sets {clash!r} twice (as a dotted key "
                    f"and as a table); keep one of them."
                )
                raise ScenarioError(msg)
            flat[full] = leaf
    return flat


def parse_set(assignment: str) -> tuple[str, Any]:
    """
    Parse a command-line ``key=value`` setting; the value is read as JSON when it can be.

    Parameters
    ----------
    assignment
        For example ``"budget.capex_total_eur=5e6"`` or ``"network.mode=walk"``.

    Returns
    -------
    tuple of (str, object)
        The dotted key and the value (number, bool, list, or string).

    Raises
    ------
    ScenarioError
        If there is no ``=`` or the key is empty.
    """
    key, sep, text = assignment.partition("=")
    key = key.strip()
    if not sep or not key:
        msg = f"(--set {assignment}) | write settings as key=value, e.g. budget.capex_total_eur=5e6"
        raise ScenarioError(msg)
    text = text.strip()
    try:
        value: Any = json.loads(text)
    except json.JSONDecodeError:
        value = text
    return key, value


def _format_validation(err: ValidationError, path: Path, name: str) -> str:
    lines = []
    for item in err.errors():
        loc = ".".join(str(p) for p in item["loc"]) or "scenario"
        if item["type"] == "extra_forbidden":
            text = "unknown key; check the spelling (`voorzieningen schema` lists every key)"
        elif item["type"] == "missing":
            text = "required key is missing"
        elif item["type"] == "value_error" and "error" in item.get("ctx", {}):
            text = str(item["ctx"]["error"])
        else:
            text = item["msg"]
        lines.append(f"({path}, {name}, {loc}) | {text}")
    return "\n".join(lines)


def load_scenario(
    path: Path | str,
    *,
    name: str = "base",
    sets: list[str] | None = None,
) -> Scenario:
    """
    Load one scenario from a scenario file, applying overrides in the documented order.

    Parameters
    ----------
    path
        The scenario file.
    name
        ``"base"``, a name in ``[scenarios]``, or a single override name.
    sets
        Command-line settings ``key=value`` (highest precedence).

    Returns
    -------
    Scenario
        The validated scenario; its ``name`` is ``name`` unless the base sets another for
        ``"base"``; ``region`` defaults to the name of the file's folder.

    Raises
    ------
    ScenarioError
        Naming the file, scenario and key, for an unknown scenario or override, two overrides
        that set the same key, an unknown key, or an invalid value.
    """
    path = Path(path)
    raw = read_scenario_file(path)
    tree = copy.deepcopy(raw["base"])
    tree.setdefault("region", path.parent.name)
    if name != "base":
        if name in raw["scenarios"]:
            chain = raw["scenarios"][name]
        elif name in raw["overrides"]:
            chain = [name]
        else:
            msg = f"({path}) | unknown scenario {name!r}; " + _known(raw)
            raise ScenarioError(msg)
        seen: dict[str, str] = {}
        for override in chain:
            if override not in raw["overrides"]:
                msg = f"({path}, scenarios, {name}) | unknown override {override!r}."
                raise ScenarioError(msg)
            flat = _flatten_override(raw["overrides"][override], path, override)
            for key, value in flat.items():
                clash = _clashing_key(key, seen)
                if clash is not None:
                    which = f"both set {key!r}" if clash == key else f"set {clash!r} and {key!r}"
                    msg = (
                        f"({path}, scenarios, {name}) | overrides {seen[clash]!r} and "
                        f"{override!r} {which}; keep it in one of them."
                    )
                    raise ScenarioError(msg)
                seen[key] = override
                set_dotted(tree, key, value)
        tree["name"] = name
    for assignment in sets or []:
        key, value = parse_set(assignment)
        set_dotted(tree, key, value)
    try:
        return Scenario.model_validate(tree)
    except ValidationError as err:
        raise ScenarioError(_format_validation(err, path, name)) from err


def list_scenarios(path: Path | str) -> list[str]:
    """
    List the scenario names a file defines.

    Parameters
    ----------
    path
        The scenario file.

    Returns
    -------
    list of str
        ``"base"`` followed by the names in ``[scenarios]``.
    """
    raw = read_scenario_file(Path(path))
    return ["base", *raw["scenarios"]]


def _known(raw: dict[str, Any]) -> str:
    """Name the scenarios, then the overrides apart, for messages."""
    scenarios = ", ".join(repr(n) for n in ["base", *raw["scenarios"]])
    overrides = ", ".join(repr(n) for n in raw["overrides"]) or "none"
    return (
        f"known: [{scenarios}]; overrides (settings a scenario combines, not scenarios): "
        f"[{overrides}]."
    )


def list_overrides(path: Path | str) -> list[str]:
    """
    List the override names a file defines (``[overrides.<name>]``), apart from scenarios.

    Parameters
    ----------
    path
        The scenario file.

    Returns
    -------
    list of str
        The names in ``[overrides]``, in file order.
    """
    raw = read_scenario_file(Path(path))
    return list(raw["overrides"])


def check_scenario_name(path: Path | str, name: str) -> None:
    """
    Refuse an override name where a scenario name is expected (the command line's ``-s``).

    Parameters
    ----------
    path
        The scenario file.
    name
        The name given.

    Raises
    ------
    ScenarioError
        If ``name`` is an override and not a scenario (naming both lists), or unknown.
    """
    path = Path(path)
    raw = read_scenario_file(path)
    if name == "base" or name in raw["scenarios"]:
        return
    if name in raw["overrides"]:
        msg = (
            f"({path}) | {name!r} is an override, not a scenario; " + _known(raw) + " Run a "
            f"scenario by name, list the override under [scenarios] (e.g. "
            f"`x = [{name!r}]`), or set its keys with --set."
        )
        raise ScenarioError(msg)
    msg = f"({path}) | unknown scenario {name!r}; " + _known(raw)
    raise ScenarioError(msg)
