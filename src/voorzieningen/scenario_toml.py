"""Write a scenario file: every setting of the schema with its documentation as comments.

A key given in the values is written as set; every other key as a commented default, so a user
sees every setting and what it does (``voorzieningen region`` and ``voorzieningen schema``).
"""

from __future__ import annotations

import json
import math
import re
import textwrap
import tomllib
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel
from pydantic_core import to_jsonable_python

from voorzieningen.schemas.scenario import Scenario


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)


def toml_value(value: Any) -> str:  # noqa: PLR0911 - one return per TOML type
    """
    Format a value as a TOML value (strings, numbers, booleans, lists, inline tables).

    Parameters
    ----------
    value
        A JSON-like value (no None).

    Returns
    -------
    str
        The TOML text; integers of five digits or more get ``_`` thousands separators.

    Raises
    ------
    TypeError
        For None or an unsupported type.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value:_}" if abs(value) >= 10_000 else str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            msg = f"cannot write {value!r} in TOML here"
            raise TypeError(msg)
        if value.is_integer() and abs(value) >= 10_000:
            return f"{int(value):_}.0"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        inner = ", ".join(f"{_toml_key(str(k))} = {toml_value(v)}" for k, v in value.items())
        return "{ " + inner + " }"
    msg = f"cannot write {type(value).__name__} {value!r} in TOML"
    raise TypeError(msg)


def _doc_lines(text: str | None, indent: str = "") -> list[str]:
    if not text:
        return []
    text = re.sub(r"``([^`]*)``", r"`\1`", " ".join(text.split()))
    return [f"{indent}# {line}" for line in textwrap.wrap(text, width=94 - len(indent))]


def _field_defaults(cls: type[BaseModel]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, info in cls.model_fields.items():
        if not info.is_required():
            out[name] = to_jsonable_python(info.get_default(call_default_factory=True))
    return out


def _table(
    cls: type[BaseModel],
    path: str,
    values: Mapping[str, Any],
    defaults: Mapping[str, Any],
    notes: Mapping[str, Sequence[str]],
) -> list[str]:
    """Lines of one TOML table: set keys as values, the others as commented defaults.

    The table header is written even when no key is set (an empty table means the
    defaults), unless the table has required keys and none is set: then the header is
    commented too, to be uncommented with the keys.
    """
    required = any(info.is_required() for info in cls.model_fields.values())
    header = f"[{path}]" if values or not required or path == "base" else f"# [{path}]"
    lines = [header, *notes.get(path, ())]
    for name in values:
        if name not in cls.model_fields:  # keys of newer settings, documented in the notes
            lines += ["", *notes.get(f"{path}.{name}", ())]
            lines.append(f"{_toml_key(name)} = {toml_value(values[name])}")
    subtables: list[list[str]] = []
    for name, info in cls.model_fields.items():
        key = f"{path}.{name}"
        sub = info.annotation
        if isinstance(sub, type) and issubclass(sub, BaseModel):
            sub_defaults = defaults.get(name) or _field_defaults(sub)
            subtables.append(_table(sub, key, values.get(name, {}), sub_defaults, notes))
            continue
        lines += ["", *_doc_lines(info.description), *notes.get(key, ())]
        if name in values:
            lines.append(f"{_toml_key(name)} = {toml_value(values[name])}")
        elif name in defaults and defaults[name] is not None:
            lines.append(f"# {_toml_key(name)} = {toml_value(defaults[name])}")
        elif info.is_required():
            lines.append(f"# {_toml_key(name)} = ...   (required)")
        else:
            lines.append(f"# {_toml_key(name)} = ...   (not set by default)")
    for sub_lines in subtables:
        lines += ["", *sub_lines]
    return lines


def scenario_toml(
    base: Mapping[str, Any],
    *,
    header: Sequence[str] = (),
    notes: Mapping[str, Sequence[str]] | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    scenarios: Mapping[str, Sequence[str]] | None = None,
) -> str:
    """
    Write a scenario file in which every setting of the schema is listed and documented.

    Keys given in ``base`` are written as values; every other key of
    :class:`~voorzieningen.schemas.scenario.Scenario` is written as a comment with its
    documentation and default (``# key = default``), so that uncommenting a line changes it.

    Parameters
    ----------
    base
        The ``[base]`` values, nested by table (``{"zones": {"gemeenten": [...]}}``).
    header
        Comment lines at the top (without ``#``).
    notes
        Extra comment lines (with ``#``) by dotted key (``"base.network"`` for a table,
        ``"base.network.method"`` for a key); also the documentation of keys in ``base``
        that the schema does not know yet.
    overrides
        ``[overrides.<name>]`` tables of dotted keys.
    scenarios
        ``[scenarios]`` lists of override names.

    Returns
    -------
    str
        TOML text (checked to parse).
    """
    notes = notes or {}
    lines = [f"# {line}".rstrip() for line in header]
    if lines:
        lines.append("")
    lines += _table(Scenario, "base", base, _field_defaults(Scenario), notes)
    for name, table in (overrides or {}).items():
        lines += ["", *notes.get(f"overrides.{name}", ()), f"[overrides.{_toml_key(name)}]"]
        lines += [f"{json.dumps(k)} = {toml_value(v)}" for k, v in table.items()]
    if scenarios:
        lines += ["", *notes.get("scenarios", ()), "[scenarios]"]
        lines += [f"{_toml_key(k)} = {toml_value(list(v))}" for k, v in scenarios.items()]
    text = "\n".join(lines) + "\n"
    tomllib.loads(text)
    return text
