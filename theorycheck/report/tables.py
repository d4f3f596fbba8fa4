"""The raw numbers of a claim as CSV rows: its data's tabular parts, else every number flattened.

* A list of dicts (``data["rows"]`` or any other field) is a table: one CSV row per dict (a ``table`` column names
  the field when there are several such lists).
* Anything else is flattened to long format, one row per number or string: ``field`` (a dotted path), ``index``
  (comma-separated positions in nested lists) and ``value``.

So every claim with data has at least one CSV data row.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["csv_rows", "write_csv"]


def _is_table(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, Mapping) for v in value)


def _cell(value: Any) -> Any:
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, default=str)
    return value


def _flatten(value: Any, field: str, index: tuple[int, ...], out: list[dict]) -> None:
    if isinstance(value, Mapping):
        for k, v in value.items():
            _flatten(v, f"{field}.{k}" if field else str(k), index, out)
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            _flatten(v, field, index + (i,), out)
    elif value is None:
        out.append({"field": field, "index": ",".join(map(str, index)), "value": ""})
    else:
        out.append({"field": field, "index": ",".join(map(str, index)), "value": value if isinstance(
            value, (int, float, str, bool)) else str(value)})


def csv_rows(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The CSV rows of a claim's ``data`` (see the module docstring)."""
    tables = {k: v for k, v in data.items() if _is_table(v)}
    if tables:
        rows: list[dict[str, Any]] = []
        for name, table in tables.items():
            for r in table:
                row = {"table": name} if len(tables) > 1 else {}
                row.update({k: _cell(v) for k, v in r.items()})
                rows.append(row)
        return rows
    out: list[dict] = []
    _flatten(dict(data), "", (), out)
    return out


def write_csv(rows: list[dict[str, Any]], path: Path) -> None:
    """Write ``rows`` (the union of their keys as the header, in first-seen order)."""
    keys: list[str] = []
    for r in rows:
        keys += [k for k in r if k not in keys]
    with Path(path).open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=keys or ["field", "index", "value"])
        w.writeheader()
        for r in rows:
            w.writerow(r)
