"""CSV for organisers' spreadsheets, written so that no cell can run as a formula.

OWASP "CSV injection": a spreadsheet runs a cell that starts with ``=``,
``+``, ``-`` or ``@`` as a formula (``=cmd|' /C calc'!A0`` starts a program
in some), and a leading tab or carriage return is skipped before it looks.
People's names and organisers' titles can start with any of these, so every
cell is written through ``safe_cell``, which puts a quote in front.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """The cell's text, with a leading quote if a spreadsheet would run it."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(header: Sequence[str], rows: Iterable[Iterable[object]]) -> str:
    """A CSV document (RFC 4180 line ends) of ``header`` then ``rows``, every cell safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([safe_cell(value) for value in row] for row in rows)
    return out.getvalue()
