"""The thresholds of the OCR path's speed decisions, in one documented object (as ``LayoutParams``).

They decide what tesseract is asked to read, never how a reading is judged
(``readings.py`` and ``repair.py`` do that): a page with no ink is not read
at all, and a flow line is read a second time only where its first reading
gives a reason to.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OcrParams:
    """Tolerances of the OCR path's cost cuts (pixels are those of the ink check's image).

    - ``ink_dpi``: a page is first looked at this coarse (rendered, or an image
      downsampled, to it); at 50 dpi an A4 page is 414×585 pixels, a few
      milliseconds to render, and a 10 pt character still darkens a handful of
      its pixels.
    - ``ink_level``: a pixel of that image darker than this grey level (0–255)
      is ink.  Scanner dust of a few 300 dpi pixels averages out lighter: the
      dust of the scanned p13 fixture (300 specks, noise, JPEG) darkens none.
    - ``min_ink_pixels``: a page with fewer ink pixels than this has nothing to
      read and gets no OCR (the two blank pages of the 612-page Fuji book have
      none; p13's page number ``- 13 -`` alone has 8, a line of text hundreds).
    - ``reread_conf``: a flow line is read again on its own when a word of its
      page reading has a confidence below this (0–1).  On the scanned fixtures
      and 15 pages of the 43-page document scanned with seed 7 (714 lines), a
      threshold of 0.6 sends 33% of the lines back and catches 83 of the 93
      whose text the second reading changed (spaces aside); 0.5: 24% and 64;
      0.7: 41% and 91.
    - ``reread_all``: every flow line is read a second time, whatever its
      confidence (the default).  The lines read again are stacked into one
      image, so which lines are chosen changes the readings of the others: at
      0.6 the scanned two-page spread fixture keeps misread titles and only 37 of
      its 65 drawn lines are found in their order, at 0.7 and 0.8 the scanned
      two-column fixture loses the title 気候変動適応戦略イニシアチブ
      (tests/test_layout_reading.py).  Reading each chosen line in its own
      image instead (no neighbours) keeps the fixtures but loses records on the
      whole-document scans that the page reading misreads with confidence
      (seeds 7/99: 184/182 → 175/178; README, "Scanned pages").
    - ``tall_line``: a line whose word boxes are taller than this many times the
      page's median line is looked at again against its ink: tesseract now and
      then gives a whole line boxes reaching into the next one (a table cell of
      the 43-page document scanned with seed 12, p42: 55 pixels for 34-pixel
      lines), which chains the two lines into one table row.
    - ``band_gap``: in such a line, rows without ink at least this share of the
      median line's height part its ink into bands; the band with the most ink is
      the line's, and the boxes are cut to it.
    - ``min_band``: a band lower than this share of the median line is not
      taken (a line of 一 or ー is a thin stroke, not a smaller line).
    - ``missed_*``: tesseract's page layout now and then leaves whole lines of
      text out, no word of them read (``〇日本・アジア青少年サイエンス交流`` and
      ``事業`` of a WeasyPrint three-column page, scanned: the line is read
      right once cut out).  Ink that no word's box (grown by ``missed_pad`` line
      heights each way) covers is looked at again:
      a piece of it counts when its area is at least ``missed_area`` times the
      square of the median line's height and it is at least ``missed_height``
      of that height (dust is neither); pieces ``missed_join`` line heights apart
      on one row make one line; a line is read when it is at least
      ``missed_width`` line heights wide, less than ``missed_tall`` high, and
      beside no line read (none shares more than ``missed_beside`` of its
      height where their columns overlap: ink inside a line read is that
      line's); its reading is kept when its mean confidence is at
      least ``missed_conf`` (figures and rules read as text score near 0).
    - ``raised_*``: asterisks, the bold marks ``**`` the source keeps, drawn
      small and high by Noto Serif CJK, are read as 菩, 准, な or 全 (a
      WeasyPrint rendering, scanned); they are erased before a line's second
      reading.  They are one to three pieces of ink (two asterisks often touch)
      wholly in the top of the
      line (ending above ``raised_bottom`` of its height, starting no more than
      ``raised_above`` above its top: ink from higher up is the line above), at
      most ``raised_gap`` line heights apart, ``raised_width`` to
      ``raised_max`` line heights wide together and at least ``raised_tall``
      high (ー is as wide, and a tenth as high), with no ink under them reaching
      lower.  Kana and kanji fill their line to about 0.8 of its height and small
      kana sit low; a dakuten or the dot of シ has its letter's ink under it, and
      ー or 一 is one piece across the middle.
    - ``box_side``, ``box_corner``: a vertical ruling must be 1/40 of the page
      high (87 pixels of an A4 page at 300 dpi) unless it is a box's side: at
      least ``box_side`` pixels (at 300 dpi) with both ends within ``box_corner``
      pixels of a horizontal ruling.  A one-line box is shorter than 1/40 (the
      ``(前年度予算額) 14,038百万円`` box of a scanned Chromium rendering in
      three columns, 70 pixels: its sides were read as ``|`` and cut the line
      into two columns); a kanji's stroke as long meets no ruling at both ends.
    - ``light_ink``, ``light_shift``: where the median grey of the ink
      (the pixels Otsu's threshold calls ink) is lighter than ``light_ink``,
      the strokes are thin ones a scan blurred (Mincho, Noto Serif: 131-136;
      Gothic and Sans faces 96-108; the Kodaira scan 0, Fuji's no-text book
      53-72), and the threshold moves ``light_shift`` of the way from Otsu's
      towards the paper's median grey (``ocr._lightened``); a document's pages
      are read from that image when tesseract is surer of the ``light_probe``
      longest lines of ``light_pages`` of its pages there, by more than
      ``light_margin`` of mean confidence at the median (``ocr.lightness``: a
      scanned IPAex Mincho rendering, median gain 0.04, records found 114 → 179
      of 187; a Noto Serif one, median -0.005, would lose 15 records of 175).
    - ``tall_glyph``: a character whose box is more than this many times its
      line's median height gets the line's band (``ocr._glyphs``).  A word read
      again and put back may carry a box as tall as two lines (a scanned
      Chromium rendering in Noto Sans CJK, two columns, p10: ``1.597`` of
      ``<参考:復興特別会計> 1,597百万円`` 18.5 pt high in an 8.4 pt line), and the
      row finder then sets it in the line above; ``【`` and ``(`` are at most 1.3.
    """

    ink_dpi: int = 50
    ink_level: int = 200
    min_ink_pixels: int = 6
    reread_conf: float = 0.6
    reread_all: bool = True
    tall_line: float = 1.25
    band_gap: float = 0.15
    min_band: float = 0.6
    missed_pad: float = 0.1
    missed_area: float = 0.02
    missed_height: float = 0.3
    missed_join: float = 1.5
    missed_width: float = 1.5
    missed_tall: float = 3.0
    missed_beside: float = 0.3
    missed_conf: float = 0.6
    light_ink: int = 120
    light_shift: float = 0.5
    light_probe: int = 12
    light_pages: int = 5
    light_margin: float = 0.02
    raised_above: float = 0.25
    raised_bottom: float = 0.5
    raised_gap: float = 0.3
    raised_width: float = 0.5
    raised_max: float = 1.5
    raised_tall: float = 0.2
    box_side: int = 40
    box_corner: int = 6
    tall_glyph: float = 1.6


OCR_PARAMS = OcrParams()
