"""A report as a table: the context inspector's pieces, the picture prompt's pieces.

Cells are plain text (a DataTable would read a `str` as markup, and names and reasons come
from the story); numbers are right-aligned.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.widgets import DataTable


def _cell(value: str | int) -> Text:
    return Text(str(value), justify="right") if isinstance(value, int) else Text(value)


def fill_report_table(table: DataTable, columns: Iterable[str], rows: Iterable[Iterable[str | int]]) -> None:
    """Replace the table's columns and rows."""
    table.clear(columns=True)
    table.add_columns(*columns)
    table.add_rows([_cell(v) for v in row] for row in rows)


def report_table(table_id: str, columns: Iterable[str], rows: Iterable[Iterable[str | int]]) -> DataTable:
    table: DataTable = DataTable(id=table_id, cursor_type="row", zebra_stripes=True, classes="report")
    fill_report_table(table, columns, rows)
    return table
