"""The readable view: records as a table people read (``yosan show``, ``yosan extract`` on a terminal).

Grouped by source and section, one row per record: page, programme, kind,
fiscal year and the amount in yen with thousands separators; then the totals
per kind and fiscal year (figures that restate an earlier one, ``repeat``
set, are counted apart and not added twice).  rich draws it: colours on a
terminal, plain text in a pipe.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO

from .model import Record
from .output import summary


def yen(amount: int | None) -> str:
    return "" if amount is None else f"{amount:,}"


def show(records: Sequence[Record], stream: IO[str], width: int | None = None) -> None:
    """Print ``records`` as tables to ``stream`` (a terminal or a pipe)."""
    from rich.cells import cell_len
    from rich.console import Console
    from rich.table import Table

    console = Console(file=stream, width=width, highlight=False, soft_wrap=False)
    pages = any(r.page is not None for r in records)
    sources = list(dict.fromkeys(r.source for r in records))
    for source in sources:
        mine = [r for r in records if r.source == source]
        table = Table(
            title=f"{source}: {len(mine)} records", title_justify="left", show_edge=False, pad_edge=False
        )
        kind_width = max(len(r.kind) for r in mine)
        amount_width = max(len(_amount(r)) for r in mine)
        widths = [kind_width, 4, max(amount_width, len("amount (yen)"))]
        if pages:
            widths.append(max(len("page"), *(len(str(r.page or "")) for r in mine)))
        # kind, year and amount are never cut: the programme gives way (it ends in …)
        longest = max(cell_len(r.program) + (2 if r.parent else 0) for r in mine)
        room = console.width - sum(widths) - 3 * len(widths)
        if pages:
            table.add_column("page", justify="right", no_wrap=True)
        table.add_column("programme", overflow="ellipsis", no_wrap=True, width=max(12, min(longest, room)))
        table.add_column("kind", no_wrap=True, min_width=kind_width)
        table.add_column("year", justify="right", no_wrap=True, min_width=4)
        table.add_column("amount (yen)", justify="right", no_wrap=True, min_width=amount_width)
        section = None
        for r in mine:
            if r.section != section:
                if section is not None:
                    table.add_section()
                section = r.section
                if section:
                    table.add_row(*([""] if pages else []), f"[bold]{_escape(section)}[/bold]", "", "", "")
            name = r.program if not r.parent else f"  {r.program}"
            cells = [_escape(name), r.kind, "" if r.fiscal_year is None else str(r.fiscal_year), _amount(r)]
            table.add_row(*([str(r.page or "")] if pages else []), *cells)
        console.print(table)
        console.print()
    totals = Table(title="totals per kind", title_justify="left", show_edge=False, pad_edge=False)
    if len(sources) > 1:
        totals.add_column("source")
    totals.add_column("kind", no_wrap=True)
    for name in ("year", "records", "total (yen)"):
        totals.add_column(name, justify="right", no_wrap=True)
    restated = False
    for t in summary(records):
        cells = [
            t.kind,
            "" if t.fiscal_year is None else str(t.fiscal_year),
            str(t.records),
            yen(t.total_yen),
        ]
        if t.restated:
            restated = True
            cells[-1] += f" ({t.restated} restated)"
        totals.add_row(*([_escape(t.source)] if len(sources) > 1 else []), *cells)
    console.print(totals)
    if restated:
        console.print("restated figures (the same figure given again) are not added to the totals")


def _amount(r: Record) -> str:
    return yen(r.amount_yen) + (f" (again, p.{r.repeat})" if r.repeat is not None else "")


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
