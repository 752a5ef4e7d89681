"""Architecture rules that import-linter cannot check: no module uses another's private names.

A private name starts with one underscore (``_helper``; dunders such as ``__version__`` are
not private). A module may use its own private names, and a package's private modules are
its internals, so the package's modules may share their private names
(``demand/_build.py`` imports from ``demand/_bands.py``); any other
``from voorzieningen.x import _name`` or ``x._name`` on an imported voorzieningen module
breaks the rule. The file-size rule (no source file above 800 lines) is checked here
too.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "voorzieningen"
MAX_LINES = 800

#: Files above MAX_LINES that are being split elsewhere, with their length today: they may
#: not grow. (model/presets.py belongs to the model rework of issue 10.)
KNOWN_LONG: dict[str, int] = {}  # files allowed above MAX_LINES (none)


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _package_of(module: str, *, is_package: bool) -> str:
    return module if is_package else module.rpartition(".")[0]


def _internal(target: str, own_package: str) -> bool:
    """Whether ``target`` is a private module of ``own_package`` (its internals)."""
    package, _, last = target.rpartition(".")
    return package == own_package and _private(last)


def private_uses(source: str, module: str, *, is_package: bool = False) -> list[str]:
    """Return every use of another voorzieningen module's private name in ``source``."""
    tree = ast.parse(source)
    own_package = _package_of(module, is_package=is_package)
    found: list[str] = []
    aliases: dict[str, str] = {}  # local name -> voorzieningen module it is bound to
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("voorzieningen"):
                    aliases[alias.asname or alias.name.split(".")[0]] = (
                        alias.name if alias.asname else alias.name.split(".")[0]
                    )
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if not node.module.startswith("voorzieningen"):
                continue
            for alias in node.names:
                # a private name of an own private module, or an own private submodule
                internal = _internal(node.module, own_package) or _internal(
                    f"{node.module}.{alias.name}", own_package
                )
                if _private(alias.name) and not internal:
                    found.append(f"{module}: from {node.module} import {alias.name}")
                else:
                    aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
            and _private(node.attr)
        ):
            target = aliases[node.value.id]
            if not _internal(target, own_package):
                found.append(f"{module}: {node.value.id}.{node.attr} ({target})")
    return found


def test_scanner_finds_private_imports_and_attributes():
    code = (
        "from voorzieningen import maps\n"
        "from voorzieningen.maps import _num, ACTIONS\n"
        "import voorzieningen.report as rep\n"
        "x = maps._indexed(1) + rep._json_default(2) + maps.ACTIONS + maps.__doc__\n"
    )
    assert private_uses(code, "voorzieningen.compare") == [
        "voorzieningen.compare: from voorzieningen.maps import _num",
        "voorzieningen.compare: maps._indexed (voorzieningen.maps)",
        "voorzieningen.compare: rep._json_default (voorzieningen.report)",
    ]
    # Within one package, modules may share private names.
    inside = "from voorzieningen.demand._bands import _band_start\n"
    assert private_uses(inside, "voorzieningen.demand._build") == []
    assert private_uses(inside, "voorzieningen.demand", is_package=True) == []
    assert private_uses(inside, "voorzieningen.negotiation") == [
        "voorzieningen.negotiation: from voorzieningen.demand._bands import _band_start"
    ]
    # A package imports its own private submodules; nobody else may.
    submodule = "from voorzieningen.cli import _plan\n"
    assert private_uses(submodule, "voorzieningen.cli", is_package=True) == []
    assert private_uses(submodule, "voorzieningen.api") == [
        "voorzieningen.api: from voorzieningen.cli import _plan"
    ]


def test_no_module_uses_another_modules_private_names():
    found: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        found += private_uses(
            path.read_text(encoding="utf-8"),
            _module_name(path),
            is_package=path.name == "__init__.py",
        )
    assert found == [], "private names used across modules:\n" + "\n".join(found)


def test_no_source_file_above_800_lines():
    long = {
        str(path.relative_to(SRC)): n
        for path in sorted(PACKAGE.rglob("*.py"))
        if (n := len(path.read_text(encoding="utf-8").splitlines()))
        > KNOWN_LONG.get(str(path.relative_to(SRC)), MAX_LINES)
    }
    assert long == {}, f"split these files (more than {MAX_LINES} lines): {long}"


# --------------------------------------------------------------------------------------
# Output column names come from voorzieningen.tables

#: Modules that write or read results-CSV columns (results.py's Pyomo extraction is
#: checked once the model rework of issue 10 has landed).
COLUMN_MODULES = ("report", "compare", "negotiation", "maps", "webmap", "sweep", "plotting")

#: Dicts whose keys are words of the map texts or run.json fields, not columns.
_TEXT_DICTS = {"text", "labels", "MAP_TEXT", "ACTION_LABELS", "record"}


def loose_columns(source: str, columns: set[str]) -> list[str]:
    """Return string literals in ``source`` that spell a column name outside docstrings."""
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and node.value in columns):
            continue
        parent = parents.get(node)
        if isinstance(parent, ast.Expr | ast.JoinedStr | ast.FormattedValue):
            continue  # docstrings and f-string text
        if isinstance(parent, ast.keyword) and parent.arg == "label":
            continue  # legend text
        if isinstance(parent, ast.Tuple) and len(parent.elts) == 2 and node is parent.elts[1]:
            continue  # (column, unit) pairs: the second item is a unit
        if isinstance(parent, ast.Call) and getattr(parent.func, "id", "") == "_fmt":
            continue  # a unit passed to the formatter
        if isinstance(parent, ast.Subscript) and getattr(parent.value, "id", "") in _TEXT_DICTS:
            continue
        if (
            isinstance(parent, ast.Call)
            and getattr(getattr(parent.func, "value", None), "id", "") in _TEXT_DICTS
        ):
            continue  # record.get("scenario")
        owner = parent
        while isinstance(owner, ast.Dict):
            owner = parents.get(owner)
        targets = (
            owner.targets
            if isinstance(owner, ast.Assign)
            else [owner.target]
            if isinstance(owner, ast.AnnAssign)
            else []
        )
        if parent is not owner and any(getattr(t, "id", "") in _TEXT_DICTS for t in targets):
            continue
        found.append(f"line {node.lineno}: {node.value!r}")
    return found


def test_loose_column_scanner():
    code = (
        'x = df["capex_eur"]\ny = text["year"]\nz = f"{row[T.A]} persons"\n'
        'MAP_TEXT = {"nl": {"year": "jaar"}}\nrows = {"year": 1}\n'
    )
    assert loose_columns(code, {"capex_eur", "year", "persons"}) == [
        "line 1: 'capex_eur'",
        "line 5: 'year'",
    ]


def test_results_columns_are_constants_of_tables():
    from voorzieningen import tables as T

    columns = {v for k, v in vars(T).items() if k.isupper() and isinstance(v, str) and len(v) > 1}
    found = {
        module: hits
        for module in COLUMN_MODULES
        if (hits := loose_columns((PACKAGE / f"{module}.py").read_text("utf-8"), columns))
    }
    assert found == {}, f"use the constants of voorzieningen.tables: {found}"


def test_no_module_changes_matplotlibs_global_backend():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names]
                module = getattr(node, "module", None) or ""
                if (
                    "matplotlib.pyplot" in names
                    or module == "matplotlib.pyplot"
                    or (module == "matplotlib" and "pyplot" in names)
                ):
                    offenders.append(f"{path.name}:{node.lineno} imports pyplot")
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("use", "switch_backend")
                and getattr(node.func.value, "id", "") in ("mpl", "matplotlib", "plt")
            ):
                offenders.append(f"{path.name}:{node.lineno} switches the backend")
    assert offenders == []
