"""Read CSV files as users and spreadsheets write them, and name every problem exactly.

One reader for every user and data CSV of a run (portfolio, zones, closure norms, DUO
schools, PC4 centroids). It decides three things explicitly, and never guesses silently:

- **Encoding.** UTF-8, with or without a byte-order mark; Windows-1252 (what Dutch Excel
  writes for "CSV (gescheiden door lijstscheidingsteken)") only when declared, because a
  wrong guess would silently garble names. A file that is not UTF-8 is refused, naming the
  first bad byte's offset, line and column, and the setting that reads it as Windows-1252.
- **Separator.** ``,``, ``;`` or tab, from the header row: the one that splits it into the
  most cells. A tie between two separators is refused.
- **Numbers.** In the columns the caller declares numeric, each cell is read with a decimal
  point (``1,420.5``) or a decimal comma (``1.420,5``, Dutch). A cell such as ``1.420`` or
  ``1,420`` has two readings (1.42 or 1420). It is decided, in this order,
  by the other cells of its column (never by other columns: users paste coordinates with a
  decimal point next to amounts typed with Dutch thousands separators), by the declared
  setting (``decimal="point"`` or ``"comma"``; a column whose cells contradict it while
  holding such a cell is refused), or by the column's plausible range when exactly one
  reading lies within it; otherwise the file is refused with a message that names the
  cell and shows both readings. A cell that is not a number in its column's convention is
  never read another way.

Row labels of the returned frame are the file's real line numbers (the header is line 1;
blank lines and line breaks inside quoted cells are counted), so every message can name
the line a user sees in an editor.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from voorzieningen.errors import InputDataError

#: How numbers are written: ``"auto"`` (decide per column, refuse when ambiguous),
#: ``"point"`` (``1,420.5``) or ``"comma"`` (``1.420,5``, Dutch Excel).
Decimal = Literal["auto", "point", "comma"]
#: Text encoding: ``"utf-8"`` (byte-order mark allowed) or ``"cp1252"`` (Windows "ANSI").
Encoding = Literal["utf-8", "cp1252"]
#: Field separator: ``"auto"`` (from the header row), ``","``, ``";"`` or ``"tab"``.
Separator = Literal["auto", ",", ";", "tab"]
#: Texts that mean "missing" when ``na_text`` is true (pandas' defaults, the usual ones).
NA_TEXTS = frozenset(
    {"", "NA", "N/A", "n/a", "NaN", "nan", "-NaN", "-nan", "null", "NULL", "None", "#N/A", "<NA>"}
)
_SEPARATORS = {",": "comma", ";": "semicolon", "\t": "tab"}
_SIGN = r"[+-]?"
#: Patterns of a number cell (sign stripped), and which decimal convention they imply.
_PLAIN_INT = re.compile(r"\d+")
_ONE_GROUP_DOT = re.compile(r"[1-9]\d{0,2}\.\d{3}")  # 1.420: 1.42 or 1420
_ONE_GROUP_COMMA = re.compile(r"[1-9]\d{0,2},\d{3}")  # 1,420: 1.42 or 1420
_DOT_GROUPS = re.compile(r"[1-9]\d{0,2}(\.\d{3})+(,\d*)?")  # 1.420.000 / 1.420,5 (comma)
_COMMA_GROUPS = re.compile(r"[1-9]\d{0,2}(,\d{3})+(\.\d*)?")  # 1,420,000 / 1,420.5 (point)
_POINT_DECIMAL = re.compile(r"(\d+\.\d*|\.\d+)")
_COMMA_DECIMAL = re.compile(r"(\d+,\d*|,\d+)")
_SCIENTIFIC = re.compile(r"(\d+\.?\d*|\.\d+)[eE][+-]?\d+")
_COMMA_SCIENTIFIC = re.compile(r"(\d+,?\d*|,\d+)[eE][+-]?\d+")  # 1,5e+20 (pandas, decimal=",")


@dataclass(frozen=True)
class CsvDialect:
    r"""How a file was read.

    Attributes
    ----------
    separator
        ``","``, ``";"`` or ``"\\t"``.
    encoding
        ``"utf-8"``, ``"utf-8-sig"`` (with a byte-order mark) or ``"cp1252"``.
    decimal
        Decimal separator of each numeric column that had any decimal or grouped number:
        ``"point"`` or ``"comma"``.
    """

    separator: str
    encoding: str
    decimal: Mapping[str, str]


def format_rows(labels: Iterable[object], *, limit: int = 8) -> str:
    """
    Format row labels for an error message, shortened after ``limit`` items.

    Parameters
    ----------
    labels
        Row numbers or ids.
    limit
        How many to show before "and N more".

    Returns
    -------
    str
        For example ``"3, 7, 9"`` or ``"3, 7, ... and 12 more"``.
    """
    items = [str(label) for label in labels]
    shown = ", ".join(items[:limit])
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return f"{shown}{more}"


def file_rows(index: Iterable[object]) -> list[int]:
    """
    Return the file line numbers of rows of a frame read by :func:`read_csv`.

    Parameters
    ----------
    index
        Row labels of the frame (they are the line numbers already).

    Returns
    -------
    list of int
        1-based line numbers in the file (the header is line 1).
    """
    return [int(str(i)) for i in index]


def decode(
    data: bytes,
    path: Path,
    *,
    what: str,
    encoding: Encoding = "utf-8",
    setting: str | None = None,
) -> tuple[str, str]:
    """
    Decode a CSV file's bytes as UTF-8 (byte-order mark allowed) or declared Windows-1252.

    Parameters
    ----------
    data
        The file's bytes.
    path
        The file, for messages.
    what
        What the file holds, for messages.
    encoding
        ``"utf-8"`` or ``"cp1252"``.
    setting
        The scenario key that declares the encoding, named in the message.

    Returns
    -------
    tuple of (str, str)
        The text (without byte-order mark) and the encoding used (``"utf-8"``,
        ``"utf-8-sig"`` or ``"cp1252"``).

    Raises
    ------
    InputDataError
        If the bytes cannot be decoded, or hold a NUL byte (a binary or UTF-16 file),
        naming the first bad byte's offset (0-based), line and column.
    """
    bom = data.startswith(b"\xef\xbb\xbf")
    body = data[3:] if bom else data
    try:
        text = body.decode("cp1252" if encoding == "cp1252" and not bom else "utf-8")
    except UnicodeDecodeError as err:
        offset = err.start + (3 if bom else 0)
        how = (
            f", or set {setting} = \"cp1252\" if it is a Windows (ANSI) 'CSV' export"
            if setting and encoding == "utf-8"
            else ""
        )
        msg = (
            f"({path}) | {what} file is not {'UTF-8' if encoding == 'utf-8' else 'Windows-1252'}"
            f" {_byte_position(data, offset)}; save it as 'CSV UTF-8' (in Excel: Save As > "
            f"CSV UTF-8){how}."
        )
        raise InputDataError(msg) from err
    nul = data.find(b"\x00")
    if nul >= 0:
        msg = (
            f"({path}) | {what} file is not UTF-8 text {_byte_position(data, nul)}: a NUL "
            "byte (a binary or UTF-16 file); save it as 'CSV UTF-8'."
        )
        raise InputDataError(msg)
    used = "cp1252" if encoding == "cp1252" and not bom else "utf-8"
    return text, "utf-8-sig" if bom else used


def _byte_position(data: bytes, offset: int) -> str:
    """Describe a byte offset as ``(byte 57) at line 3, column 12`` (offset 0-based)."""
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    return f"(byte {offset}) at line {line}, column {offset - start + 1}"


def _records(text: str, separator: str) -> Iterable[tuple[int, int, list[str]]]:
    """Yield (first line, last line, cells) of each non-blank record, lines 1-based."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    last = 0
    for cells in reader:
        first, last = last + 1, reader.line_num
        if not cells or (len(cells) == 1 and not cells[0].strip()):
            continue
        yield first, last, cells


def detect_separator(text: str, path: Path, *, what: str) -> str:
    r"""
    Return the field separator of a CSV text: the one that splits its header into most cells.

    Parameters
    ----------
    text
        The decoded file.
    path
        The file, for messages.
    what
        What the file holds, for messages.

    Returns
    -------
    str
        ``","``, ``";"`` or ``"\\t"`` (``","`` for a one-column file).

    Raises
    ------
    InputDataError
        If two separators split the header into the same number of cells (more than one).
    """
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts: dict[str, int] = {}
    for sep in _SEPARATORS:
        try:
            counts[sep] = len(next(csv.reader([header], delimiter=sep), []))
        except csv.Error:
            counts[sep] = 0
    best = max(counts.values())
    winners = [sep for sep, n in counts.items() if n == best]
    if best <= 1:
        return ","
    if len(winners) > 1:
        names = " and ".join(f"{_SEPARATORS[s]} ({s!r})" for s in winners)
        msg = (
            f"({path}) | {what} file: the header row splits into {best} cells by {names} "
            "alike, so the separator is unclear; use one separator for the whole file."
        )
        raise InputDataError(msg)
    return winners[0]


def read_csv(
    path: Path,
    *,
    required: Sequence[str],
    dtype: Mapping[str, str] | None = None,
    what: str = "table",
    na_text: bool = True,
    numeric: Sequence[str] | Literal["infer"] = (),
    decimal: Decimal = "auto",
    separator: Separator = "auto",
    encoding: Encoding = "utf-8",
    ranges: Mapping[str, tuple[float, float]] | None = None,
    setting: str | None = None,
    data_file: bool = False,
) -> pd.DataFrame:
    """
    Read a CSV file in any of the supported dialects and check its header.

    Parameters
    ----------
    path
        The CSV file.
    required
        Columns that must be present.
    dtype
        Columns to keep as text (``"str"``); kept for compatibility with pandas' argument.
        Other non-numeric columns are text as well.
    what
        What the file holds, for error messages.
    na_text
        Whether texts such as ``NA``, ``NaN`` or ``null`` mean "missing". When False only
        empty cells are missing, so that such texts in a numeric column are reported as
        "not a number" by the caller instead of silently read as missing.
    numeric
        Columns to read as numbers (absent ones are skipped), or ``"infer"``: every column
        (not in ``dtype``) whose non-empty cells are all numbers. A cell that is not a
        number stays text, for the caller to report with its own message.
    decimal
        ``"auto"``, ``"point"`` or ``"comma"``; see the module docstring.
    separator
        ``"auto"`` or the separator the file must use.
    encoding
        ``"utf-8"`` (byte-order mark allowed) or ``"cp1252"``.
    ranges
        Plausible (low, high) per numeric column; only used to decide a cell that has two
        readings when exactly one lies in the range.
    setting
        The scenario key that declares ``decimal`` for this file, named in messages; the
        encoding's key is the same with ``_encoding`` for ``_decimal``.
    data_file
        The file is a shared data file: every row must have exactly the header's number of
        cells and the file must end with a line break (a file cut off mid-row is refused,
        naming the file and line).

    Returns
    -------
    pandas.DataFrame
        One row per non-blank record, labelled by the file line the record starts on
        (index name ``line``); text cells stripped of surrounding spaces, missing cells
        NaN, numeric columns float where every cell is a number. ``frame.attrs["dialect"]``
        holds the :class:`CsvDialect`.

    Raises
    ------
    InputDataError
        If the file is missing, empty, binary, not parseable (unclosed quote, more cells
        than the header), has a column name twice, lacks a required column, has a number
        with two readings that nothing decides, or (``data_file``) is cut off.
    """
    if not path.is_file():
        msg = f"({path}) | {what} file not found; check the file name in the scenario."
        raise InputDataError(msg)
    data = path.read_bytes()
    encoding_key = setting.replace("_decimal", "_encoding") if setting else None
    text, used = decode(data, path, what=what, encoding=encoding, setting=encoding_key)
    if not text.strip():
        msg = f"({path}) | {what} file is empty; it needs a header row with {list(required)}."
        raise InputDataError(msg)
    sep = {"auto": "", "tab": "\t"}.get(separator, separator)
    sep = sep or detect_separator(text, path, what=what)
    name = _SEPARATORS[sep]
    rows, lines, header = _parse(text, sep, path, what=what, data_file=data_file)
    twice = sorted({c for c in header if header.count(c) > 1})
    if twice:
        msg = (
            f"({path}) | column(s) {twice} appear more than once in the header row; "
            "keep one of each (remove or rename the others)."
        )
        raise InputDataError(msg)
    missing = [c for c in required if c not in header]
    if missing:
        hint = ""
        if len(header) == 1:
            hint = (
                f" The header row is one cell; separate the columns with commas, semicolons "
                f"or tabs (this file was read as {name}-separated)."
            )
        msg = (
            f"({path}) | missing column(s) {missing}; the file has {header}. "
            f"Add the column(s) to the header row.{hint}"
        )
        raise InputDataError(msg)
    width = len(header)
    missing_text = NA_TEXTS if na_text else frozenset({""})
    padded = [
        [None if c in missing_text else c for c in (cell.strip() for cell in cells)]
        + [None] * (width - len(cells))
        for cells in rows
    ]
    frame = pd.DataFrame(padded, columns=header, index=pd.Index(lines, name="line"), dtype=object)
    frame = frame.where(frame.notna(), np.nan)
    keep_text = set(dtype or {})
    if numeric == "infer":
        columns = [c for c in header if c not in keep_text]
    else:
        columns = [c for c in numeric if c in header]
    decided = _read_numbers(
        frame,
        columns,
        infer=numeric == "infer",
        decimal=decimal,
        ranges=ranges or {},
        path=path,
        setting=setting,
    )
    frame.attrs["dialect"] = CsvDialect(separator=sep, encoding=used, decimal=decided)
    return frame


def _parse(
    text: str, sep: str, path: Path, *, what: str, data_file: bool
) -> tuple[list[list[str]], list[int], list[str]]:
    """Split a text into records; return the data rows, their first lines and the header."""
    name = _SEPARATORS[sep]
    rows: list[list[str]] = []
    lines: list[int] = []
    header: list[str] = []
    header_line = 0
    try:
        for first, _last, cells in _records(text, sep):
            if not header:
                header = [c.strip().lstrip("\ufeff") for c in cells]
                # Excel writes trailing separators for stray cells: name such columns
                header = [name or f"unnamed_{i + 1}" for i, name in enumerate(header)]
                header_line = first
                continue
            if len(cells) > len(header):
                msg = (
                    f"({path}) | {what} file cannot be read as CSV: Expected {len(header)} "
                    f"fields in line {first}, saw {len(cells)}. Every row must have as many "
                    f"{name}-separated cells as the header; put cells that contain a {name} "
                    'in double quotes ("a, b") and close every quote.'
                )
                raise InputDataError(msg)
            rows.append(cells)
            lines.append(first)
    except csv.Error as err:
        line = text.count("\n") + 1
        msg = (
            f"({path}) | {what} file cannot be read as CSV: {err} (the quote opened at or "
            f"after line {(lines[-1] if lines else header_line) + 1} runs to line {line}, the "
            f"end of the file). Every row must have as many {name}-separated cells as the "
            'header; put cells that contain a separator in double quotes ("a, b") and close '
            "every quote."
        )
        raise InputDataError(msg) from err
    if data_file:
        _check_complete(text, rows, lines, header, path, what=what)
    return rows, lines, header


def _check_complete(
    text: str, rows: list[list[str]], lines: list[int], header: list[str], path: Path, *, what: str
) -> None:
    """Refuse a data file that is cut off: short rows, or no line break after the last row."""
    short = [line for line, cells in zip(lines, rows, strict=True) if len(cells) != len(header)]
    unended = bool(rows) and not text.endswith(("\n", "\r"))
    if short or unended:
        if unended:
            where = (
                f"the last row (line {lines[-1]}) is cut off: {len(rows[-1])} of "
                f"{len(header)} cells and no line break at the end"
            )
        else:
            where = f"rows on lines {format_rows(short)} have fewer than the header's "
            where += f"{len(header)} cells"
        msg = (
            f"({path}) | the {what} data file looks truncated or damaged: {where}. It holds "
            f"{len(rows)} rows as it is; restore the file from its source (see PROVENANCE.md "
            "of the data directory) instead of running on a partial copy."
        )
        raise InputDataError(msg)


@dataclass(frozen=True)
class _Cell:
    """The readings of the number cells of one column."""

    point: pd.Series  # value with a decimal point (NaN: not a number that way)
    comma: pd.Series  # value with a decimal comma
    only_point: pd.Series  # bool: only the point reading is valid, and it differs
    only_comma: pd.Series
    ambiguous: pd.Series  # bool: both readings valid and different


def _readings(cells: pd.Series) -> _Cell:
    """Read every cell of a text column both ways, vectorised."""
    text = cells.astype("string").str.replace("\u2212", "-", regex=False)
    factor = np.where(text.str.startswith("-").fillna(value=False).astype(bool), -1.0, 1.0)
    body = text.str.replace(rf"^{_SIGN}", "", regex=True)

    def matches(pattern: re.Pattern[str]) -> pd.Series:
        return body.str.fullmatch(pattern.pattern).fillna(value=False).astype(bool)

    plain = matches(_PLAIN_INT)
    sci = matches(_SCIENTIFIC)
    one_dot, one_comma = matches(_ONE_GROUP_DOT), matches(_ONE_GROUP_COMMA)
    point_ok = plain | sci | matches(_POINT_DECIMAL) | matches(_COMMA_GROUPS)
    comma_ok = plain | matches(_COMMA_SCIENTIFIC) | matches(_COMMA_DECIMAL) | matches(_DOT_GROUPS)
    as_point = _floats(body.where(point_ok).str.replace(",", "", regex=False))
    as_comma = _floats(
        body.where(comma_ok).str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    )
    point = pd.Series(as_point * factor, index=cells.index)
    comma = pd.Series(as_comma * factor, index=cells.index)
    ambiguous = (one_dot | one_comma) & point.notna() & comma.notna() & (point != comma)
    return _Cell(
        point=point,
        comma=comma,
        only_point=point.notna() & comma.isna(),
        only_comma=comma.notna() & point.isna(),
        ambiguous=ambiguous,
    )


def _floats(text: pd.Series) -> np.ndarray:
    """Convert a string series of plain numbers (or missing) to a float array."""
    values = text.astype(object).where(text.notna(), None).to_numpy()
    return np.array([np.nan if v is None else float(v) for v in values], dtype=float)


def _read_numbers(
    frame: pd.DataFrame,
    columns: Sequence[str],
    *,
    infer: bool,
    decimal: Decimal,
    ranges: Mapping[str, tuple[float, float]],
    path: Path,
    setting: str | None,
) -> dict[str, str]:
    """Convert the numeric columns of ``frame`` in place; return each column's decimal.

    Each column is decided on its own (a file may mix conventions between columns, e.g.
    coordinates pasted with a decimal point next to amounts typed with Dutch thousands
    separators): by ``decimal`` when declared, else by its cells that can only be read one
    way, else cell by cell by ``ranges`` when exactly one reading is plausible.
    """
    if decimal == "point" and not infer:
        columns = [c for c in columns if not _plain_point_column(frame, c)]
    readings = {col: _readings(frame[col]) for col in columns}
    if infer:
        readings = {
            col: r
            for col, r in readings.items()
            if frame[col].notna().any()
            and (r.point.notna() | r.comma.notna())[frame[col].notna()].all()
        }
    problems: list[str] = []
    decided: dict[str, str] = {}
    key = f"set {setting} = " if setting else "declare the decimal separator ("
    close = "" if setting else ")"
    for col, r in readings.items():
        point_lines = file_rows(r.only_point[r.only_point].index[:3])
        comma_lines = file_rows(r.only_comma[r.only_comma].index[:3])
        if point_lines and comma_lines:
            problems.append(
                f"({path}, {col}) | mixes a decimal point (lines {format_rows(point_lines)}) "
                f"and a decimal comma (lines {format_rows(comma_lines)}); write every number "
                f'of the column the same way, or {key}"point" or "comma"{close}'
            )
            continue
        evidence = "point" if point_lines else ("comma" if comma_lines else None)
        if evidence is not None:
            if decimal not in ("auto", evidence) and r.ambiguous.any():
                amb = file_rows(r.ambiguous[r.ambiguous].index[:3])
                problems.append(
                    f"({path}, {col}) | lines {format_rows(point_lines or comma_lines)} use "
                    f"a decimal {evidence}, but the declared {setting or 'decimal'} = "
                    f'"{decimal}" reads lines {format_rows(amb)} the other way; write every '
                    "number of the column the same way"
                )
                continue
            values = r.point if evidence == "point" else r.comma
            decided[col] = evidence
            how = f"its other cells use a decimal {evidence}"
        elif decimal != "auto":
            values = r.point if decimal == "point" else r.comma
            decided[col] = str(decimal)
            how = f'{setting or "decimal"} = "{decimal}"'
        else:
            values = r.point.where(~r.ambiguous)
            undecided = r.ambiguous
            bounds = ranges.get(col)
            if bounds is not None and r.ambiguous.any():
                in_point = r.point.between(*bounds)
                in_comma = r.comma.between(*bounds)
                values = values.where(~(r.ambiguous & in_point & ~in_comma), r.point)
                values = values.where(~(r.ambiguous & in_comma & ~in_point), r.comma)
                undecided = r.ambiguous & (in_point == in_comma)
            if undecided.any():
                problems.append(_ambiguous_message(r, undecided, col, path, key, close))
                continue
            how = "digits only"
        # A cell that pandas would read but that is not a number in the column's convention
        # (``4.3585`` where the decimal is a comma) must not slip through as another number.
        loose = pd.to_numeric(frame[col], errors="coerce")
        slipped = values.isna() & frame[col].notna() & loose.notna() & np.isfinite(loose)
        if slipped.any():
            shown = [f"line {i}: {frame[col][i]!r}" for i in list(slipped[slipped].index)[:5]]
            problems.append(
                f"({path}, {col}) | not a number as written in this column ({how}): "
                f"{'; '.join(shown)}; write every number of the column the same way"
            )
            continue
        number = values.notna()
        if infer and not number[frame[col].notna()].all():
            continue
        if number.all() or frame[col][~number].isna().all():
            frame[col] = values.astype(float)
        else:
            frame[col] = frame[col].where(~number, values)
    if problems:
        raise InputDataError("\n".join(problems))
    return decided


def _plain_point_column(frame: pd.DataFrame, col: str) -> bool:
    """Read a column of a declared decimal-point file directly when no cell holds a comma.

    Without a comma or a second dot no cell can only be read with a decimal comma, and each
    has one reading with a decimal point (``1.420`` is 1.42 as declared), so the vectorised
    parser is exact.
    Cells that are not finite numbers stay text for the caller to report. Returns whether
    the column was converted here.
    """
    text = frame[col].dropna().astype(str)
    if text.str.contains(",", regex=False).any() or (text.str.count(r"\.") > 1).any():
        return False  # a comma or Dutch groups (1.250.000): decide the column cell by cell
    values = pd.to_numeric(frame[col], errors="coerce").astype(float)
    number = np.isfinite(values)
    if number.all() or frame[col][~number].isna().all():
        frame[col] = values.where(number)
    else:
        frame[col] = frame[col].where(~number, values)
    return True


def _ambiguous_message(
    r: _Cell, cells_mask: pd.Series, col: str, path: Path, key: str, close: str
) -> str:
    """Name the cells of a column that have two readings, showing both."""
    cells = cells_mask[cells_mask].index
    shown = [f"line {line}: {r.point[line]:g} or {r.comma[line]:g}" for line in list(cells)[:5]]
    more = f" and {len(cells) - 5} more" if len(cells) > 5 else ""
    return (
        f"({path}, {col}) | numbers with two readings ({'; '.join(shown)}{more}): a '.' or ','"
        " before three digits is a decimal separator in one convention and a thousands "
        "separator in the other, and no cell of the column decides it. Write the numbers "
        f'without thousands separators, or {key}"comma" (Dutch: 1.420 = 1420) or '
        f'"point" (1.420 = 1.42){close}.'
    )
