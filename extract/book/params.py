"""Every threshold the budget-book reader uses, in one documented object (as ``LayoutParams``)."""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class BookParams:
    """Tolerances of the budget-book reader, in ems of the text they compare (or points).

    - ``level_slack``: how far (in ems) a 節 row or 説明 line may stand above the
      目 row it belongs to and still belong to it (a 目 name and its first 節
      share a baseline; their glyph boxes differ by a fraction of an em).
    - ``indent_slack``: how far (in ems) two 説明 lines may start apart and still
      be at one level of nesting.
    - ``column_slack``: how far (in points) the columns of a table without
      headers may stand from those of an earlier table and still be the same
      columns (a 項's second table on a page repeats no headers).
    - ``pair_overlap``: the share of the shorter of two lines' heights they must
      overlap to stand on one baseline (a heading ``５款 労働費`` and its amount
      printed apart, at the right margin).
    - ``name_gap``: how close (in ems) a 説明 item's name may stop before its figure
      and still have run out of room there: the line under it with no figure and
      no code ends the name (``全国市議会議長会等負担  3,000`` / ``金``).
    - ``wrap_leading``: how far (in line heights) such a line may stand below.
    - ``spread_gap``: a gap this many line heights wide inside a line parts the
      two printed pages of a spread (their titles share a baseline).
    """

    level_slack: float = 0.6
    indent_slack: float = 0.5
    column_slack: float = 6.0
    pair_overlap: float = 0.5
    name_gap: float = 2.0
    wrap_leading: float = 1.8
    spread_gap: float = 4.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not value >= 0:
                raise ValueError(f"BookParams.{f.name} must be >= 0, not {value!r}")
        if self.pair_overlap > 1:
            raise ValueError(f"BookParams.pair_overlap is a share (0–1), not {self.pair_overlap!r}")


BOOK = BookParams()
