"""The README's Python snippets run verbatim (Typer's habit: every documented example is tested).

The snippets use paths relative to the repository root (``inputs/delft/...``) and the shared
data beside it (``../shared/data``); they run in a scratch folder laid out the same way
(links to ``inputs/`` and to the data), so what they write (``results/...``) stays there.
"""

from __future__ import annotations

import ast
import builtins
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"


def python_blocks(text: str) -> list[str]:
    """Return the ```python blocks of a Markdown text, in order."""
    return [m.group(1) for m in re.finditer(r"^```python\n(.*?)^```", text, re.S | re.M)]


def undefined_names(source: str) -> list[str]:
    """Return names a snippet reads but never binds (imports, assignments) nor are builtins."""
    tree = ast.parse(source)
    bound: set[str] = set(dir(builtins))
    loaded: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.Name):
            (bound.add if isinstance(node.ctx, ast.Store | ast.Del) else loaded.append)(node.id)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
    return sorted({name for name in loaded if name not in bound})


def test_readme_has_python_snippets_and_each_names_what_it_uses():
    blocks = python_blocks(README.read_text(encoding="utf-8"))
    assert len(blocks) >= 2
    for i, block in enumerate(blocks):
        assert undefined_names(block) == [], f"README python block {i + 1}"


def test_undefined_names_catches_a_missing_import():
    assert undefined_names("x = Path('a')\n") == ["Path"]
    assert undefined_names("from pathlib import Path\nx = Path('a')\n") == []


@pytest.mark.slow
@pytest.mark.parametrize("index", [0, 1])
def test_readme_snippet_runs_verbatim(index, data_dir, tmp_path, monkeypatch):
    blocks = python_blocks(README.read_text(encoding="utf-8"))
    work = tmp_path / "repo"
    work.mkdir()
    (work / "inputs").symlink_to(REPO / "inputs", target_is_directory=True)
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "data").symlink_to(data_dir, target_is_directory=True)
    monkeypatch.chdir(work)
    monkeypatch.delenv("VOORZIENINGEN_DATA_DIR", raising=False)
    namespace: dict[str, object] = {"__name__": f"readme_{index}"}
    exec(compile(blocks[index], f"README.md python block {index + 1}", "exec"), namespace)
    if index == 0:
        assert (work / "results" / "delft" / "krap" / "run.json").is_file()
        assert len(namespace["saved"].decisions) == len(namespace["run"].decisions)  # type: ignore[attr-defined]
    else:
        assert len(namespace["front"].table) == 3  # type: ignore[attr-defined]
