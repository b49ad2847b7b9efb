"""Every threshold of the layout analysis, in one documented object.

As with pdfminer.six's ``LAParams``, the thresholds are the interface: a page
that reads wrongly is tuned here, never by a literal inside a function.
Horizontal and vertical distances are in *em*, the page's character size
(the median width of its full-width glyphs, or 0.9 of their height when the
page has none), so a rule means the same at 7 pt and at 14 pt, on an A5 page
and on a 10⁹-point MediaBox.  Ruling tolerances are in points, because rules
are drawn at absolute positions whatever the font.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any


@dataclass(frozen=True)
class LayoutParams:
    # --- glyphs into rows --------------------------------------------------------
    line_overlap: float = 0.5
    """Two glyphs share a row when their vertical overlap is at least this share of the smaller height."""
    dedupe_distance: float = 0.15
    """The same character drawn again within this many em (fake bold, shadows) counts once."""
    word_overlap: float = 0.5
    """Two OCR words on one row that overlap by more than this many em read the same ink twice
    (tesseract split a large heading into two lines that share a stretch): the later word loses
    the characters that stand inside the earlier one.  Text layers have no words."""

    # --- rows into words and lines ----------------------------------------------------
    word_space: float = 0.2
    """A gap wider than this between Latin letters or digits becomes a space."""
    cjk_space: float = 0.75
    """A gap wider than this next to kana or kanji becomes a space (text runs on without one).
    Where it is wider than ``column_gap`` (scans), a narrower blank next to kana or kanji is no
    gutter either: it is inside a line."""

    # --- columns and reading order -----------------------------------------------------
    column_gap: float = 0.8
    """The narrowest vertical whitespace that can separate two columns (CSS's `normal` gap is 1 em)."""
    gutter_rows: int = 3
    """A gutter needs text on both of its sides in at least this many rows."""
    core: float = 0.6
    """Share of a row's height, around its centre, that blocks a horizontal cut (loose boxes of
    consecutive rows overlap in some fonts)."""
    min_column: float = 2.5
    """Whitespace with less than this on one side is a list's indent (``①  name``), not a gutter."""
    text_column_width: float = 9.0
    """Columns of text are at least this wide; narrower ones beside each other are a table."""
    synchrony: float = 0.6
    """Side-by-side pieces whose rows share baselines at least this often are a table's columns
    (when some are narrower than a column of text)."""
    attached: float = 0.9
    """A narrow column whose lines are at least this often level with a line beside it holds
    figures set beside their names (a list with amounts flush right), read across as a table."""
    mixed_starts: float = 0.15
    """Three or more columns are a table when, in at most this share of their shared rows, text
    starts in one column while it goes on in another (columns of text start paragraphs apart)."""
    table_share: float = 0.7
    """A gutter is a column boundary of a table when it runs through this share of the table's rows."""
    heading_scale: float = 1.25
    """A row set this much larger than the body is a heading: it does not belong to a column run."""
    section_scale: float = 1.25
    """A row on one side of a gutter set this much larger than the columns' text, under columns
    that end level, opens a new section (``regions._section_break``).  Measured by the width of
    full-width glyphs: exact on text layers; on scans a glyph is a share of tesseract's word box,
    no measure of the font's size, and the OCR preset sets this out of reach."""
    section_span: float = 0.0
    """Where more than zero: a one-sided row whose text runs across more than this share of its
    side, where that side holds columns of its own, opens a new section like a larger row (a
    chapter heading set across two of three columns, ``9.クリーンで…``, is wider than any column
    under it).  The OCR preset's sign of a heading, whose size it cannot measure; 0 (off) on
    text layers, whose headings are told by their size."""
    section_level: float = 1.0
    """Columns "end level" above such a heading when their last lines end within this many
    rows (``ROW_PITCH`` em) of each other.  The OCR preset allows more: its em, measured on
    ink-hugging boxes, is about 0.75 of the font's (a scanned Chromium rendering in three
    columns ended its columns 13.9 pt apart over rows of 13.5 pt, against 11.2 pt allowed)."""

    # --- wrapped lines ---------------------------------------------------------------
    wrap_fit: float = 0.04
    """A line ran into its column's right edge (the next line continues it) when what the next line
    starts with (a character, or a Latin word, with the brackets and 、。・ー that move with it) would
    have ended within this of the edge or beyond it.  Text layers place glyphs exactly: a title
    after a paragraph whose last line stopped 1.08 em short is no continuation (a three-column
    rendering's ※その他…等を実施 / 気候変動適応戦略イニシアチブ)."""
    wrap_space: float = 0.5
    """Room for a space the break swallowed, where a Latin word or digit ends the line or opens the next."""
    wrap_indent: float = 2.0
    """A continuation line starts at most this far left of the line it continues."""
    edge_agree: float = 0.0
    """Where more than zero, a column's right edge is the furthest reach that another line of
    the column comes within this many em of, unless a line reaches more than ``edge_lone``
    further.  Text layers place glyphs exactly (0: the furthest reach is the edge); on a scan a
    speck read as ``.`` after a line's last kanji, or a box tesseract drew wide, sets one line's
    end an em past the others, and every line that wrapped short of it would read as finished
    (a scanned Chromium rendering in three columns: ``…の製造・システ`` / ``ム開発``, the
    column's widest reaches 379.2 and 377.3 pt, the next 374.4, 373.7, 373.0 …; em 7.4 pt)."""
    edge_lone: float = 1.0
    """A line reaching further than this many em past the lines that agree on the edge is no
    speck: a heading across the column over a box's shorter lines (a one-column scan, p10)."""
    cell_gap: float = 2.5
    """A gap this wide inside a line makes it a row of cells (a label far from its amount): it is
    never rejoined with the lines around it."""
    paragraph_gap: float = 1.5
    """A line further below the one above than this many times its column's usual line pitch
    starts a paragraph (the spacing between paragraphs), whatever its width."""
    wrap_leading: float = 2.2
    """A continuation line starts at most this many row heights below the line it continues."""

    # --- tables --------------------------------------------------------------------
    snap: float = 3.0
    """Points: rules this close are one rule, and rule ends this close meet."""
    min_rule: float = 3.0
    """Points: shorter strokes are not rules."""
    min_cell: float = 4.0
    """Points: cells narrower or lower than this are gaps between double rules, not cells."""
    max_rules: int = 20000
    """A page with more straight strokes than this is a drawing: no rules are read from it."""
    table_rows: int = 2
    """An unruled table has at least this many rows."""
    header_rows_max: int = 4
    """An unruled table's header starts within this many rows of the top of its run (rows of
    figures above it lead into the table: a 款 and its total over a budget book's table)."""

    # --- page furniture --------------------------------------------------------------
    furniture_band: float = 0.07
    """Share of the page height at the top and at the bottom where running heads and page numbers live."""
    furniture_share: float = 0.5
    """Text in that band on at least this share of the pages (and on two) is a running head."""
    furniture_misreads: int = 2
    """On a page read by OCR, a line in the band that differs from a running head by at most
    this many characters (and one per six) is the running head misread: OCR read
    ``令和2年度予算(案)主要事項`` as ``…予算(素)…`` on one page of a scan, and the page's
    amounts took it for their title.  (A text layer's running heads repeat exactly.)  This
    holds for every preset, since a document's finishing step sees pages of both layers."""

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, int | float) or value != value or value < 0:
                raise ValueError(f"LayoutParams.{f.name} must be a number ≥ 0, not {value!r}")
        for name in (
            "line_overlap",
            "core",
            "synchrony",
            "mixed_starts",
            "table_share",
            "furniture_band",
            "furniture_share",
        ):
            if not 0 < getattr(self, name) <= 1:
                raise ValueError(f"LayoutParams.{name} is a share: it must be in (0, 1]")
        if self.furniture_band >= 0.5:
            raise ValueError("LayoutParams.furniture_band must be under half the page")
        if self.gutter_rows < 1 or self.table_rows < 1 or self.header_rows_max < 1:
            raise ValueError("LayoutParams.gutter_rows, table_rows and header_rows_max must be at least 1")
        if self.edge_agree < 0.0 or self.edge_lone < 0.0:
            raise ValueError("LayoutParams.edge_agree and edge_lone must not be negative")
        if self.cjk_space < self.word_space:
            raise ValueError("LayoutParams.cjk_space must not be below word_space")

    def but(self, **changes: Any) -> LayoutParams:
        """A copy with some thresholds changed (validated)."""
        return replace(self, **changes)


TEXT_LAYER = LayoutParams()
"""Text layers: exact glyph boxes (PDFium's loose boxes, the font's full height)."""

OCR = LayoutParams(
    line_overlap=0.3,  # tesseract's word boxes hug the ink: 一 and ー are low, 予算 is tall
    cjk_space=1.5,  # inside Japanese text a space is never meaningful; only a clear gap is kept
    word_space=0.25,
    dedupe_distance=0.0,  # OCR never reads a character twice at one place
    wrap_fit=0.5,  # ink boxes are ragged: the old slack of 1.5 em for one kanji
    edge_agree=0.25,  # a speck, or a box drawn wide, past a column's edge
    snap=4.0,  # ruling lines found in pixels are a little ragged
    section_scale=100.0,  # glyph widths are shares of word boxes: no section breaks by size
    section_span=0.6,  # but by width: a heading across columns
    section_level=1.5,
    # ink-hugging boxes make the page's em about 0.75 of the font's and the space between two
    # Latin words 0.9 of that em (`STI for SDGs`, whole scan p12, seed 7: a gutter 0.87 em wide
    # cut a paragraph and the 予算額 box beside it into columns); a gutter is 1 em of the font
    column_gap=1.0,
)
"""Scanned pages: glyphs split from tesseract's words, boxes hugging the ink."""
