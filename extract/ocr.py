"""Step 2 for scans: a page image → glyphs with positions and ruling lines, by tesseract and OpenCV.

OCR here is a glyph source like a text layer: its output goes through the
same layout engine (``layout.analyse_page``, preset ``layout.OCR``), so rows,
columns, reading order, wrapped lines, tables and furniture are found the
same way for scans as for text layers.  What is OCR's own is recognition:

- Ruling lines are found with OpenCV (long horizontal and vertical strokes)
  and go through the shared lattice (``layout.rules``) as a text layer's
  drawn lines do; each cell of a ruled table or box is OCR'd on its own (all
  of a page's cells in one tesseract run, stacked), numbers a second time
  with a digits-and-commas whitelist: whole-page OCR turns ruled tables into
  garbage.
- The rest of the page (cells masked out, ruling lines erased) is OCR'd with
  page segmentation mode 3; every line is then read a second time cut out of
  the levelled page (tesseract reads kanji better in a line by itself), a
  bullet ◆ ◇ ○ recognised by its shape is erased before that reading, and an
  amount opening a line is read in English on its digits.
- Each tesseract word becomes a run of glyphs (its characters share its box,
  split evenly), which the layout never splits.
- After the layout, every line and table row goes through ``repair`` (commas
  read as periods, ▲ misread, era words, circled numbers); a number that
  still fails the format check keeps its text, gets a low confidence and a warning.

Tesseract runs with ``OMP_THREAD_LIMIT=1`` (and OpenCV with one thread): its own
threading is 4x slower on a 2-core machine, so pages run in parallel processes
instead (``ocr_pages``).
"""

from __future__ import annotations

import io
import itertools
import logging
import math
import os
import statistics
import struct
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, NamedTuple, cast

import numpy as np
import regex
from PIL import Image, UnidentifiedImageError

from . import layout
from .errors import InputError, OcrUnavailable
from .glyphs import bullet_shape, digit_span, first_glyph
from .isolate import die_with_parent
from .layout.rules import find_grids
from .model import Box, Cell, Glyph, Layer, Page, Ruling, TextBlock, TextLine
from .ocr_params import OCR_PARAMS, OcrParams
from .readings import (
    AMOUNT_NUMBER,
    NUMBER_RUN,
    better_reading,
    disputed_amounts,
    english_number,
    garbled_amount,
    malformed,
    median_amounts,
    vote,
)
from .repair import LOW_CONFIDENCE, REPAIRED_CONFIDENCE, check_number_format, repair_lines, suspect_numbers

log = logging.getLogger("yosan")

# OpenCV's own thread pool off too, read when cv2 is first imported: 11.8 s against 13.2 s with
# its two threads on the 2-page excerpt scan (same records), and no pool of thread stacks
# counted against --max-memory's address-space limit.
os.environ.setdefault("OPENCV_FOR_THREADS_NUM", "1")

LANG = "jpn"
DEFAULT_DPI = 300
INSTALL_HINT = "install it with `apt-get install tesseract-ocr tesseract-ocr-jpn` (or `make setup`)"
# Page segmentation mode for the text outside tables, chosen by measurement on
# the scanned fixtures (budget/previous/supplementary golden records found with
# kind, amount and programme right, out of 89; pr-sheet, two-column, excerpt,
# p13): psm 3 (automatic layout) 85 (12, 18, 45, 10); psm 4 (one column of
# text) 76 (12, 12, 42, 10); psm 6 (one uniform block) 65 (12, 10, 33, 10).
# Only psm 3 keeps the two columns of a page apart (4 and 6 read across them).
FLOW_PSM = 3
CELL_PSM = 6  # the cells of a table are stacked into one image, one cell per band
NUMBER_WHITELIST = "0123456789,"
NUMBER_LANG = "eng"  # reads commas as commas where jpn reads them as periods (see README)
TAB_GAP = 2.5  # a gap wider than this many character widths is a table cell boundary
# A gap between two recognised words wider than GAP_CHECK character widths is looked for in
# the image: without a blank stretch that wide in it (the gap of a space, a tab or a column), a
# box ended short.  A word whose box is narrower than NARROW_WORD character widths a
# character has a speck's box.
GAP_CHECK = 1.0
NARROW_WORD = 0.5


# --- tesseract ---------------------------------------------------------------


def _tesseract() -> Any:
    """pytesseract, with tesseract's own threading off (pages run in processes instead).

    pytesseract imports pandas when it can, for DataFrame output (never asked for here), and
    pandas imports pyarrow: some 300 MB of address space in every OCR worker, enough that one
    under ``--max-memory 700`` cannot load OpenCV (tests/test_hostile.py).  So pandas is hidden
    while pytesseract is imported, unless this process has loaded it already.
    """
    os.environ["OMP_THREAD_LIMIT"] = "1"
    if "pytesseract" in sys.modules or "pandas" in sys.modules:
        import pytesseract
    else:
        sys.modules["pandas"] = None  # type: ignore[assignment]  # import pandas: ModuleNotFoundError
        try:
            import pytesseract
        finally:
            del sys.modules["pandas"]
    return pytesseract


BACKEND_ENV = "YOSAN_OCR_BACKEND"  # `pytesseract` forces the subprocess fallback (tests, bench)


def _tesserocr() -> Any:
    """tesserocr (tesseract in this process) when it is importable and not turned off, else None.

    In process, one model load serves every page a process reads, and images go to tesseract
    as raw pixels; the pytesseract fallback starts tesseract (and loads its model) per call
    and passes each image as a PNG file.
    """
    if os.environ.get(BACKEND_ENV, "").lower() == "pytesseract":
        return None
    os.environ["OMP_THREAD_LIMIT"] = "1"  # read when libtesseract starts its first recogniser
    try:
        import tesserocr
    except ImportError:
        return None
    return tesserocr


def backend() -> str:
    """Which tesseract binding this process reads pages with: ``tesserocr`` or ``pytesseract``."""
    return "tesserocr" if _tesserocr() is not None else "pytesseract"


_CHECKED: set[str] = set()  # tesseract commands (or bindings) known to work with jpn in this process


def check_tesseract() -> None:
    """Raise OcrUnavailable unless tesseract and its Japanese data are installed."""
    tesserocr = _tesserocr()
    if tesserocr is not None:
        if "tesserocr" in _CHECKED:
            return
        _, languages = tesserocr.get_languages()
        if LANG not in languages:
            raise OcrUnavailable(f"tesseract has no Japanese data ({LANG}): {INSTALL_HINT}")
        _CHECKED.add("tesserocr")
        return
    pytesseract = _tesseract()
    cmd = pytesseract.pytesseract.tesseract_cmd
    if cmd in _CHECKED:
        return
    try:
        languages = pytesseract.get_languages(config="")
    except (pytesseract.TesseractNotFoundError, OSError):
        raise OcrUnavailable(f"tesseract OCR is not installed ({cmd!r} not found): {INSTALL_HINT}") from None
    if LANG not in languages:
        raise OcrUnavailable(f"tesseract has no Japanese data ({LANG}): {INSTALL_HINT}")
    _CHECKED.add(cmd)


@dataclass
class _Word:
    key: tuple[int, ...]  # (block, paragraph, line) within one tesseract run
    x0: float
    top: float
    x1: float
    bottom: float
    text: str
    conf: float | None  # 0-1, None when tesseract gives none


class _Engines:
    """One warm tesserocr ``PyTessBaseAPI`` per language in this process (pid-keyed: a forked
    worker makes its own), and how many models this process has loaded (tests count them)."""

    def __init__(self) -> None:
        self.pid = -1
        self.apis: dict[str, Any] = {}
        self.loads = 0

    def api(self, tesserocr: Any, lang: str) -> Any:
        if self.pid != os.getpid():  # inherited across fork: never share a native API
            self.pid, self.apis = os.getpid(), {}
        api = self.apis.get(lang)
        if api is None:
            api = tesserocr.PyTessBaseAPI(lang=lang, psm=tesserocr.PSM.AUTO)
            self.apis[lang] = api
            self.loads += 1
        return api


ENGINES = _Engines()


def _tsv_words(rows: Iterable[Sequence[str]]) -> list[_Word]:
    """Words (level 5) of tesseract's TSV rows: level page block par line word left top width
    height conf text, as both bindings give them."""
    words = []
    for row in rows:
        if len(row) < 12 or row[0] != "5":
            continue
        text = row[11].strip()
        if not text:
            continue
        conf = float(row[10])
        x0, top, width, height = (int(v) for v in row[6:10])
        words.append(
            _Word(
                key=(int(row[2]), int(row[3]), int(row[4])),
                x0=x0,
                top=top,
                x1=x0 + width,
                bottom=top + height,
                text=text,
                conf=None if conf < 0 else round(conf / 100, 3),
            )
        )
    return words


def _words(image: np.ndarray, psm: int, dpi: int, lang: str = LANG, whitelist: str = "") -> list[_Word]:
    """Tesseract's words in a grey image, read with page segmentation mode ``psm``."""
    tesserocr = _tesserocr()
    if tesserocr is not None:
        api = ENGINES.api(tesserocr, lang)
        api.SetPageSegMode(psm)
        api.SetVariable("tessedit_char_whitelist", whitelist)
        api.SetVariable("user_defined_dpi", str(dpi))
        pixels = np.ascontiguousarray(image, dtype=np.uint8)
        height, width = pixels.shape
        data = pixels.tobytes()  # tesseract keeps a pointer until it has read the image
        api.SetImageBytes(data, width, height, 1, width)
        api.Recognize()
        tsv = api.GetTSVText(0)
        api.Clear()
        return _tsv_words(line.split("\t") for line in tsv.splitlines())
    pytesseract = _tesseract()
    config = f"--psm {psm} --dpi {dpi}" + (f" -c tessedit_char_whitelist={whitelist}" if whitelist else "")
    data = pytesseract.image_to_data(Image.fromarray(image), lang=lang, config=config)
    return _tsv_words(line.split("\t") for line in data.splitlines()[1:])


# --- lines from words ----------------------------------------------------------

_CJK = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}ー々〆、。「」『』【】〔〕・]")
_NUMERIC_START = regex.compile(r"^[▲△\-]?\d")
_NUMERIC_END = regex.compile(r"\d$")
_WORDY = regex.compile(r"[A-Za-z0-9%.)]$")


@dataclass
class _PxLine:
    """A line in pixels while the page is being assembled."""

    x0: float
    top: float
    x1: float
    bottom: float
    text: str
    boxes: list[Box | None]
    confs: list[float | None]
    block: int = 0

    @property
    def height(self) -> float:
        return self.bottom - self.top


def _em(words: Sequence[_Word]) -> float:
    """Character width of a line: the width of its kana/kanji, else its height."""
    widths = [(w.x1 - w.x0) / len(w.text) for w in words if _CJK.search(w.text)]
    if widths:
        return statistics.median(widths)
    return max(w.bottom - w.top for w in words) * 1.1


def _separator(left: _Word, right: _Word, em: float) -> str:
    """What stands between two words: a tab for a wide gap, a space, or nothing inside CJK."""
    gap = right.x0 - left.x1
    if gap > TAB_GAP * em:
        return "\t"
    if _NUMERIC_END.search(left.text) and _NUMERIC_START.search(right.text):
        return " " if gap > 0.25 * em else ""  # never glue two numbers into one
    if _WORDY.search(left.text) and regex.match(r"[A-Za-z0-9(]", right.text):
        return " " if gap > 0.15 * em else ""  # `Society 5.0`, `STI for SDGs`
    # Inside Japanese text a space is never meaningful (and would split 予算 額): only a clear
    # gap, as between a label and its amount, is kept.
    return " " if gap > 1.5 * em else ""


def _join(words: Sequence[_Word], em: float | None = None) -> _PxLine:
    """One line from its words (left to right), each character with a share of its word's box."""
    words = sorted(words, key=lambda w: w.x0)
    em = em or _em(words)
    text: list[str] = []
    boxes: list[Box | None] = []
    confs: list[float | None] = []
    pairs = cast("Iterator[tuple[_Word | None, _Word]]", itertools.pairwise([None, *words]))
    for prev, word in pairs:
        if prev is not None:
            sep = _separator(prev, word, em)
            if sep:
                text.append(sep)
                boxes.append(None)
                confs.append(None)
        step = (word.x1 - word.x0) / len(word.text)
        for k, ch in enumerate(word.text):
            text.append(ch)
            boxes.append((word.x0 + k * step, word.top, word.x0 + (k + 1) * step, word.bottom))
            confs.append(word.conf)
    # Median extents: tesseract gives some words (パー, 推進, a number with its unit) boxes
    # much taller than the glyphs, which would merge a title with the rows of a box beside it.
    return _PxLine(
        x0=min(w.x0 for w in words),
        top=statistics.median(w.top for w in words),
        x1=max(w.x1 for w in words),
        bottom=statistics.median(w.bottom for w in words),
        text="".join(text),
        boxes=boxes,
        confs=confs,
        block=words[0].key[0],
    )


def _tesseract_lines(words: Iterable[_Word]) -> list[list[_Word]]:
    """Words grouped by tesseract's (block, paragraph, line)."""
    groups: dict[tuple[int, ...], list[_Word]] = {}
    for w in words:
        groups.setdefault(w.key, []).append(w)
    return list(groups.values())


# --- images --------------------------------------------------------------------


def _grey(image: Image.Image) -> np.ndarray:
    if image.mode not in ("L", "1"):
        image = image.convert("L")
    return np.asarray(image.convert("L"), dtype=np.uint8)


def _ink(grey: np.ndarray) -> np.ndarray:
    """Ink pixels as 255 (adaptive threshold copes with uneven paper)."""
    import cv2

    return cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15)


def _rules(ink: np.ndarray, params: OcrParams = OCR_PARAMS) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal and vertical ruling lines (morphological opening with long thin kernels), and
    the shorter sides of boxes: vertical strokes whose both ends meet a horizontal ruling."""
    import cv2

    height, width = ink.shape
    horizontal = cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(60, width // 30), 1))
    )
    tall = max(60, height // 40)
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, tall)))
    if params.box_side < tall and horizontal.any():
        short = cv2.morphologyEx(
            ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, params.box_side))
        )
        _add_box_sides(vertical, short, horizontal, params.box_corner)
    return horizontal, vertical


def _add_box_sides(vertical: np.ndarray, short: np.ndarray, horizontal: np.ndarray, corner: int) -> None:
    """Add to ``vertical`` the strokes of ``short`` that run from a horizontal ruling to another."""
    import cv2

    left, top, width, height = cv2.boundingRect(short)
    if not width or not height:
        return
    near = cv2.dilate(horizontal, np.ones((2 * corner + 1, 2 * corner + 1), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(
        short[top : top + height, left : left + width], connectivity=8
    )
    for i in range(1, count):
        x, y, w, h = (int(v) for v in stats[i][:4])
        x0, x1 = x + left, x + left + w
        y0, y1 = y + top, y + top + h - 1
        if near[y0, x0:x1].any() and near[y1, x0:x1].any():
            piece = labels[y : y + h, x : x + w] == i
            vertical[y0 : y1 + 1, x0:x1][piece] = 255


@dataclass
class _Cell:
    x0: int
    top: int
    x1: int
    bottom: int


# Deskew only beyond this angle (degrees).  Measured on ten pages of the generated
# document degraded as the scanned fixtures (amounts read right out of 93, no deskew
# / rotated back): 0°: 91 / 90, 0.5°: 93 / 92, 1°: 90 / 90; and records found out
# of 89 at 1.5°: 54 / 63.  Tesseract copes with the skew of a careful scan, and
# resampling the page changes some kanji readings, so only a visibly skewed page
# is turned back.
DESKEW_ABOVE = 1.0


SKEW_COARSE = 4  # the skew search first tries every 4th angle, then the angles around the best


def estimate_skew(ink: np.ndarray, limit: float = 2.0, step: float = 0.05) -> float:
    """The page's rotation in degrees (counter-clockwise), from the row profile of its ink.

    Text lines give the sharpest row profile (the largest variance of ink per
    row) when they are level; measured on a quarter-size image.  The profile's
    peak is some 0.5° wide, so a search every ``SKEW_COARSE`` steps and then
    step by step around its best finds the angle a full search finds, with a
    third of the rotations.
    """
    import cv2

    small = cv2.resize(ink, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    height, width = small.shape
    centre = (width / 2, height / 2)
    ys, xs = np.nonzero(small)
    weight = small[ys, xs].astype(np.float64)
    scores: dict[int, float] = {}

    def score(k: int) -> float:
        # the row profile of the page turned by k steps: each ink pixel's turned row, weighed by
        # its ink (as warping the image would give it, without warping it)
        if k not in scores:
            matrix = cv2.getRotationMatrix2D(centre, k * step, 1.0)
            rows = np.rint(matrix[1, 0] * xs + matrix[1, 1] * ys + matrix[1, 2]).astype(np.int64)
            cols = matrix[0, 0] * xs + matrix[0, 1] * ys + matrix[0, 2]
            inside = (rows >= 0) & (rows < height) & (cols > -0.5) & (cols < width - 0.5)
            profile = np.bincount(rows[inside], weights=weight[inside], minlength=height)
            scores[k] = float(np.var(profile))
        return scores[k]

    last = int(limit / step)
    coarse = max(range(-last, last + 1, SKEW_COARSE), key=lambda k: (score(k), -abs(k)))
    around = range(max(-last, coarse - SKEW_COARSE + 1), min(last, coarse + SKEW_COARSE - 1) + 1)
    best = max(around, key=lambda k: (score(k), -k))
    return -best * step


def _rotate(grey: np.ndarray, angle: float) -> np.ndarray:
    """The page turned by ``-angle`` degrees (level again), paper-white outside."""
    import cv2

    height, width = grey.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), -angle, 1.0)
    return cv2.warpAffine(grey, matrix, (width, height), flags=cv2.INTER_CUBIC, borderValue=255)


def _binarize(grey: np.ndarray) -> np.ndarray:
    """Black ink on white paper (Otsu): on the scanned fixtures tesseract reads 0.7% more
    characters right from this than from the grey page (96.7% against 96.0%)."""
    import cv2

    return cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[1]


def _lightened(grey: np.ndarray, params: OcrParams = OCR_PARAMS) -> np.ndarray | None:
    """Where the ink is light, black and white with the threshold moved from Otsu's towards the
    paper (``OcrParams.light_*``), for the page to be read from if it reads better
    (``_lightness_gain``); else None.

    Thin strokes blurred by a scan never get dark (IPAex Mincho and Noto Serif
    renderings, scanned: the ink's median grey is 131-136, against 96-108 for
    Gothic and Sans faces): Otsu's threshold falls inside the ink's own greys,
    and the strokes' edges and whole thin strokes are lost.
    """
    import cv2

    threshold, _ = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    counts = np.bincount(grey.ravel(), minlength=256)  # medians from the histogram: no sort of the page
    cut = int(threshold) + 1
    ink, paper = _median_level(counts[:cut]), _median_level(counts[cut:])
    if ink is None or paper is None or ink <= params.light_ink:
        return None
    level = threshold + params.light_shift * (cut + paper - threshold)
    return cv2.threshold(grey, level, 255, cv2.THRESH_BINARY)[1]


def _median_level(counts: np.ndarray) -> int | None:
    """The median grey level of a histogram's stretch (its own index), None when it is empty."""
    total = int(counts.sum())
    if not total:
        return None
    return int(np.searchsorted(np.cumsum(counts), (total + 1) / 2))


def _lightness_gain(
    light: np.ndarray, clean: np.ndarray, lines: Sequence[_PxLine], dpi: int, params: OcrParams = OCR_PARAMS
) -> float:
    """How much surer tesseract is of a sample of the page's lines (``light_probe`` of the
    longest) cut from ``light`` than from ``clean``: the difference of mean confidence.

    The threshold nearer the paper keeps thin strokes Otsu's loses, in Mincho and
    in Noto Serif alike, but only tesseract tells whether that reads better.
    """
    import cv2

    sample = sorted(lines, key=lambda line: len(line.text), reverse=True)[: params.light_probe]
    identity = cv2.getRotationMatrix2D((0, 0), 0, 1.0)
    boxes = [_line_box(line, identity, clean)[0] for line in sample if any(line.boxes)]
    if not boxes:
        return 0.0

    def sureness(image: np.ndarray) -> float:
        stacked, _ = _stack(image, boxes, pad=40)
        words = [w for w in _words(stacked, CELL_PSM, dpi) if w.conf is not None]
        chars = sum(len(w.text) for w in words)
        return sum((w.conf or 0.0) * len(w.text) for w in words) / chars if chars else 0.0

    return sureness(light) - sureness(clean)


def _page_lightness(image: Image.Image, scale: float) -> float | None:
    """How much surer tesseract is of a page's lines in its lightened image (``_lightness_gain``),
    or None where its ink is not light (the page as it is, not turned level: a probe)."""
    grey = _grey(image)
    ink = _ink(grey)
    despeckled = _despeckle(ink, grey)
    lightened = _lightened(despeckled)
    if lightened is None:
        return None
    clean = _binarize(despeckled)
    return _lightness_gain(lightened, clean, _flow_lines(clean, round(72 / scale)), round(72 / scale))


def lightness(samples: Iterable[tuple[Image.Image, float]], params: OcrParams = OCR_PARAMS) -> bool | None:
    """Whether a document's pages of light ink are read from their lightened images, decided
    on a few of its pages (``light_pages``) for all of them: a document is set in one face.

    Page by page, the probe's few lines erred both ways: on a scanned LibreOffice
    rendering in IPAex Mincho (seed 8) it gained 0.026-0.082 of confidence on 12 of
    18 pages but -0.135-0.013 on the others, and records found were 144 of 187,
    against 179 with every page read lightened (114 with none); on a WeasyPrint
    rendering in Noto Serif (seed 5) it gained -0.114-0.024 (median -0.005), and
    that document read lightened lost 15 records of 175.  The median of the
    sampled pages of light ink decides (one such page alone, its own gain); None where
    none was of light ink.
    """
    gains = [gain for image, scale in samples if (gain := _page_lightness(image, scale)) is not None]
    if len(gains) < 2:
        return None if not gains else gains[0] > params.light_margin
    return statistics.median(gains) > params.light_margin


def _sample(pages: Sequence[int] | range, count: int) -> list[int]:
    """``count`` pages spread evenly over ``pages``: the middle one of each of ``count`` equal
    stretches (a cover or a blank last page is no sample of a document's face)."""
    if len(pages) <= count:
        return list(pages)
    step = len(pages) / count
    return [pages[int(step * k + step / 2)] for k in range(count)]


def _despeckle(ink: np.ndarray, grey: np.ndarray, max_area: int = 12) -> np.ndarray:
    """The grey page without dust: ink specks smaller than a comma become paper."""
    import cv2

    try:  # 16-bit labels take a third of the time; a page of more than 65,534 specks needs 32
        _, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8, ltype=cv2.CV_16U)
    except cv2.error:
        _, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    small = np.flatnonzero(stats[:, cv2.CC_STAT_AREA] <= max_area)
    small = small[small != 0]
    out = grey.copy()
    for i in small:  # each speck within its own few pixels: no pass over the whole page
        x, y, w, h = (int(v) for v in stats[i, :4])
        out[y : y + h, x : x + w][labels[y : y + h, x : x + w] == i] = 255
    return out


@dataclass
class _Slot:
    """Where one crop sits in a stacked image, and where it came from on the page."""

    top: int
    bottom: int
    x: int  # page x of the crop's left edge
    y: int  # page y of the crop's top edge
    owner: int  # index of the cell (or line) it belongs to


def _stack(
    clean: np.ndarray, boxes: Sequence[tuple[int, int, int, int]], pad: int = 24
) -> tuple[np.ndarray, list[_Slot]]:
    """Stack page regions into one image, one per band, so one tesseract run reads them all."""
    crops = [clean[top:bottom, x0:x1] for x0, top, x1, bottom in boxes]
    width = max(c.shape[1] for c in crops) + 2 * pad
    height = sum(c.shape[0] + pad for c in crops) + pad
    canvas = np.full((height, width), 255, dtype=np.uint8)
    slots = []
    y = pad
    for i, (crop, (x0, top, _, _)) in enumerate(zip(crops, boxes, strict=True)):
        canvas[y : y + crop.shape[0], pad : pad + crop.shape[1]] = crop
        slots.append(_Slot(y, y + crop.shape[0], x0 - pad, top - y, i))
        y += crop.shape[0] + pad
    return canvas, slots


def _unstack(words: Sequence[_Word], slots: Sequence[_Slot]) -> dict[int, list[_Word]]:
    """Words of a stacked image back on the page, by the band they sit in."""
    out: dict[int, list[_Word]] = {}
    for w in words:
        centre = (w.top + w.bottom) / 2
        slot = next((s for s in slots if s.top - 12 <= centre <= s.bottom + 12), None)
        if slot is None:
            continue
        out.setdefault(slot.owner, []).append(
            _Word(
                key=(slot.owner, *w.key),
                x0=w.x0 + slot.x,
                top=w.top + slot.y,
                x1=w.x1 + slot.x,
                bottom=w.bottom + slot.y,
                text=w.text,
                conf=w.conf,
            )
        )
    return out


def _ink_box(ink: np.ndarray, cell: _Cell, margin: int = 4) -> tuple[int, int, int, int] | None:
    """The part of a cell that holds ink (borders excluded), or None for an empty cell."""
    inset = 3
    region = ink[cell.top + inset : cell.bottom - inset, cell.x0 + inset : cell.x1 - inset]
    if region.size == 0 or np.count_nonzero(region) < 25:
        return None
    ys, xs = np.nonzero(region)
    height, width = ink.shape
    return (
        max(0, cell.x0 + inset + int(xs.min()) - margin),
        max(0, cell.top + inset + int(ys.min()) - margin),
        min(width, cell.x0 + inset + int(xs.max()) + margin + 1),
        min(height, cell.top + inset + int(ys.max()) + margin + 1),
    )


_NUMBER_CELL = regex.compile(r"^[▲△\-]?[\d,.\s]*\d[\d,.\s]*$")
# Specks OCR reads as punctuation at the edges of a number cell (`。 1,358`, `・ 19, 825, 300`).
_CELL_JUNK = "。、・'\"`~〜「」|:;,. "
_DIGIT = regex.compile(r"\d")


def _strip_junk(line: _PxLine) -> _PxLine:
    """The line without the specks around its number (signs and sign misreads are kept)."""
    start, end = 0, len(line.text)
    while start < end and line.text[start] in _CELL_JUNK:
        start += 1
    while end > start and line.text[end - 1] in _CELL_JUNK:
        end -= 1
    if (start, end) == (0, len(line.text)):
        return line
    return _PxLine(
        line.x0,
        line.top,
        line.x1,
        line.bottom,
        line.text[start:end],
        line.boxes[start:end],
        line.confs[start:end],
    )


def _reread_numbers(clean: np.ndarray, lines: list[_PxLine], dpi: int) -> None:
    """Read numeric cell lines again with a digits-and-commas whitelist (in place).

    The whitelisted reading (English model: it reads a comma as a comma where
    the Japanese model sees a period) replaces the first when both have the
    same digits, or when only it passes the format check; otherwise the
    first reading stays, without the specks around it.
    """
    targets = []
    for i, line in enumerate(lines):
        core = _strip_junk(line)
        if _NUMBER_CELL.match(core.text.lstrip("▲△-")):
            lines[i] = core
            targets.append(i)
    if not targets:
        return
    height, width = clean.shape
    boxes = [
        (
            max(0, int(lines[i].x0) - 6),
            max(0, int(lines[i].top) - 6),
            min(width, int(lines[i].x1) + 6),
            min(height, int(lines[i].bottom) + 6),
        )
        for i in targets
    ]
    stacked, slots = _stack(clean, boxes)
    found = _unstack(_words(stacked, CELL_PSM, dpi, NUMBER_LANG, NUMBER_WHITELIST), slots)
    for k, i in enumerate(targets):
        first = lines[i]
        words = found.get(k)
        if not words:
            continue
        reread = _strip_junk(_join(words, em=first.height))
        if not _DIGIT.search(reread.text):
            continue
        sign = first.text[0] if first.text[0] in "▲△-" else ""
        # Tesseract reports a confidence of 0 for whitelisted words read from a stacked image:
        # the reading takes the first reading's confidence instead.
        known = [c for c in first.confs if c is not None]
        confidence = min(known) if known else None
        if _DIGIT.findall(reread.text) != _DIGIT.findall(first.text):
            if not check_number_format(reread.text) or check_number_format(first.text.lstrip("▲△-")):
                continue
            # only the whitelisted reading is a number: take it, but not with full confidence
            confidence = min(confidence or REPAIRED_CONFIDENCE, REPAIRED_CONFIDENCE)
        reread.confs = [confidence] * len(reread.text)
        if sign:
            reread.text = sign + reread.text
            reread.boxes = [first.boxes[0], *reread.boxes]
            reread.confs = [first.confs[0], *reread.confs]
        lines[i] = reread


def _region_lines(
    clean: np.ndarray, ink: np.ndarray, regions: Sequence[_Cell], dpi: int
) -> dict[int, list[_PxLine]]:
    """OCR table cells and boxes in one tesseract run (stacked), as lines per region."""
    boxes: list[tuple[int, int, int, int]] = []
    owners: list[int] = []
    for i, region in enumerate(regions):
        box = _ink_box(ink, region)
        if box:
            boxes.append(box)
            owners.append(i)
    if not boxes:
        return {}
    stacked, slots = _stack(clean, boxes)
    found = _unstack(_words(stacked, CELL_PSM, dpi), slots)
    return {
        owners[k]: [_join(_inked_gaps_closed(group, clean)) for group in _tesseract_lines(words)]
        for k, words in found.items()
    }


_BOX_MARGIN = 8  # pixels of a line's box beyond its characters' median height, each way


def _line_box(
    line: _PxLine, matrix: np.ndarray, level: np.ndarray, margin: int = _BOX_MARGIN
) -> tuple[tuple[int, int, int, int], bool]:
    """A line's box on the levelled page, and whether ink lies just left of its first character.

    The box is its characters' centres turned and its median height, half a
    character wider each side (tesseract's last box can end before 円).  Ink
    closer than half a character to the left is text the page reading left out
    of its word boxes: the box takes it in.
    """
    boxes = [b for b in line.boxes if b is not None]
    centres = np.array([[(b[0] + b[2]) / 2, (b[1] + b[3]) / 2, 1.0] for b in boxes]) @ matrix.T
    size = statistics.median(b[3] - b[1] for b in boxes)
    pad = (boxes[0][2] - boxes[0][0]) / 2  # centres lie half a character inside the ends
    middle = float(np.median(centres[:, 1]))
    height, width = level.shape
    top, bottom = max(0, int(middle - size / 2) - margin), min(height, int(middle + size / 2) + margin)
    x0 = int(centres[:, 0].min() - pad)
    x1 = int(centres[:, 0].max() + pad)
    side = max(margin, int(size / 2))
    left = x0
    band = level[top + margin : bottom - margin, max(0, x0 - 3 * int(size)) : max(0, x0 - side // 2)] < 128
    if band.size:
        columns = np.count_nonzero(band, axis=0) > 1
        gap = 0
        for i in range(columns.size - 1, -1, -1):
            if columns[i]:
                left, gap = max(0, x0 - 3 * int(size)) + i, 0
            else:
                gap += 1
                if gap > size / 2:
                    break
    return (max(0, min(left, x0) - side), top, min(width, x1 + side), bottom), left < x0


def _mean_conf(line: _PxLine) -> float:
    known = [c for c in line.confs if c is not None]
    return sum(known) / len(known) if known else 0.0


def _doubtful(line: _PxLine, params: OcrParams) -> bool:
    """Whether the page reading of a flow line gives a reason to read it again: a word tesseract
    is unsure of, or a number that fails the format check (every line, with ``reread_all``)."""
    if params.reread_all:
        return True
    if any(c is not None and c < params.reread_conf for c in line.confs):
        return True
    return bool(suspect_numbers(line.text))


def _reread_lines(
    clean: np.ndarray,
    lines: list[_PxLine],
    angle: float,
    dpi: int,
    notes: list[str] | None = None,
    params: OcrParams = OCR_PARAMS,
) -> list[_PxLine]:
    """Flow lines read again on their own, cut from the levelled page, where that reads better.

    Only lines whose page reading is doubtful are read again (``_doubtful``,
    ``OcrParams.reread_conf``), and those whose first character is a bullet
    or that left ink out at their left: on the scanned fixtures and 15 pages of
    the 43-page document scanned with seed 7, the page reading is sure of two
    thirds of the lines, and the second reading changed the text (spaces aside)
    of 10 of those 480 lines, against 83 of the 234 others.

    Tesseract's page layout (psm 3) misreads kanji it reads right in a line cut
    out by itself (創菜→創薬, 和光→放射光, HPCU→HPCI on a 0.9° scan, where a
    long line drifts by most of a line height), and now and then drops a
    line's first characters.  On the 43-page document scanned with seeds 7,
    99 and 123 the page reading alone put 89/88/81% of the records under the
    right programme; with this reading and the rules around it, 100/97/96%
    (``bench/bench_ocr.py``).  The line
    keeps its place and height; see ``readings.better_reading`` for when the second
    reading is kept.  Where the two disagree on an amount's digits, an
    English reading settles it (``_settle_amounts``; ``notes`` gets a line when
    it cannot).
    """
    import cv2

    if not lines:
        return lines
    notes = [] if notes is None else notes
    height, width = clean.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), -angle, 1.0)

    level = (
        clean
        if abs(angle) < 0.05
        else cv2.warpAffine(clean, matrix, (width, height), flags=cv2.INTER_CUBIC, borderValue=255)
    )
    boxes, dropped = (list(t) for t in zip(*(_line_box(line, matrix, level) for line in lines), strict=True))
    # A bullet tesseract read as a kanji (殺戦略的…, 心地球規模…) or dropped: found by its
    # shape, erased, and the line read without it.
    marks: list[str | None] = [None] * len(lines)
    erased = level.copy()
    for k, line in enumerate(lines):
        if line.text.lstrip("-ー ")[:1] in _BULLET_READINGS:
            continue
        glyph = first_glyph(level, boxes[k])
        mark = bullet_shape(glyph[2]) if glyph else None
        if glyph is None or mark is None:
            continue
        _, top, x1, bottom = boxes[k]
        region = erased[top:bottom, glyph[0] : glyph[1]]
        region[region < 128] = 255
        boxes[k] = (glyph[1], top, x1, bottom)
        marks[k] = mark
    raised = [bool(_erase_raised(erased, box, _BOX_MARGIN, params)) for box in boxes]
    targets = [
        k for k, line in enumerate(lines) if marks[k] or raised[k] or dropped[k] or _doubtful(line, params)
    ]
    found: dict[int, list[_Word]] = {}
    if targets:
        stacked, slots = _stack(erased, [boxes[k] for k in targets], pad=40)
        found = {targets[n]: words for n, words in _unstack(_words(stacked, CELL_PSM, dpi), slots).items()}
    back = cv2.invertAffineTransform(matrix)
    out = []
    disputed: dict[int, _PxLine] = {}
    for k, line in enumerate(lines):
        words = found.get(k)
        if not words:
            out.append(line)
            continue
        again = _join(_inked_gaps_closed(words, erased), em=line.height)
        if "\t" not in line.text:
            again.text = again.text.replace("\t", " ")  # a gap in a word box is not a column
        mark = marks[k]
        if mark is not None:
            lead = line.text[: len(line.text) - len(line.text.lstrip("-ー "))]
            again.text = lead + mark + again.text
            again.boxes = [None] * len(lead) + [again.boxes[0]] + again.boxes
            again.confs = [None] * len(lead) + [REPAIRED_CONFIDENCE] + again.confs
        # a line read without its bullet is taken whatever tesseract's confidence, and one read
        # without its asterisks where the page reading took them for letters (菩施設の整備費)
        lettered = raised[k] and len(_LETTERS.findall(line.text)) > len(_LETTERS.findall(again.text))
        confident = _mean_conf(line) if mark is None and not lettered else -1.0
        if better_reading(line.text, again.text, confident, _mean_conf(again), dropped[k]):
            out.append(_placed(again, line, back))
            continue
        if disputed_amounts(line.text, again.text):
            disputed[k] = again
        out.append(line)
    if disputed:
        _settle_amounts(erased, boxes, lines, disputed, out, back, dpi, notes)
    _reread_garbled_amounts(erased, boxes, out, back, dpi)
    _reread_amounts_in_english(level, out, matrix, dpi)
    return out


def _reread_garbled_amounts(
    erased: np.ndarray,
    boxes: Sequence[tuple[int, int, int, int]],
    out: list[_PxLine],
    back: np.ndarray,
    dpi: int,
) -> None:
    """Lines whose amounts both readings garbled, read a third time each in an image of its own.

    ``1,732百万円(1,326百万円)`` under a wrapped paragraph of a scanned WeasyPrint page
    came out ``132百還(1326相`` from the page and from the stack of lines, and right
    from the line alone: the stack's reading depends on its neighbours.  The
    third reading is taken only where it states more amounts and no more
    malformed ones (a few lines a document: a reading of its own costs a call).
    """
    for k, line in enumerate(out):
        if not garbled_amount(line.text):
            continue
        alone, slots = _stack(erased, [boxes[k]], pad=40)
        words = _unstack(_words(alone, CELL_PSM, dpi), slots).get(0)
        if not words:
            continue
        again = _join(words, em=line.height)
        if "\t" not in line.text:
            again.text = again.text.replace("\t", " ")
        more = len(AMOUNT_NUMBER.findall(again.text)) > len(AMOUNT_NUMBER.findall(line.text))
        if more and malformed(again.text) <= malformed(line.text):
            out[k] = _placed(again, line, back)


def _placed(again: _PxLine, line: _PxLine, back: np.ndarray) -> _PxLine:
    """A second reading put where the first stood: its boxes turned back onto the page."""
    turned: list[Box | None] = []
    for box in again.boxes:
        if box is None:
            turned.append(None)
            continue
        cx, cy = back @ np.array([(box[0] + box[2]) / 2, (box[1] + box[3]) / 2, 1.0])
        half_w, half_h = (box[2] - box[0]) / 2, (line.bottom - line.top) / 2
        turned.append((float(cx - half_w), float(cy - half_h), float(cx + half_w), float(cy + half_h)))
    x0 = min(line.x0, min((b[0] for b in turned if b), default=line.x0))
    return _PxLine(x0, line.top, line.x1, line.bottom, again.text, turned, again.confs, line.block)


def _settle_amounts(
    erased: np.ndarray,
    boxes: Sequence[tuple[int, int, int, int]],
    lines: Sequence[_PxLine],
    disputed: dict[int, _PxLine],
    out: list[_PxLine],
    back: np.ndarray,
    dpi: int,
    notes: list[str],
) -> None:
    """Amounts the two Japanese readings of a line disagree on, settled by a third, English one.

    jpn read ``○再生医療実現拠点ネットワークプログラム 9,066百万円(9,066百万円)`` as
    ``…93,066百万円(3,066百万円)`` on the page and right in the line read
    alone (whole scan p23, seed 99).  The English model reads digits and
    commas well and kanji as junk: the reading whose amounts it states wins.
    When it sides with neither, the first reading stays with its amounts at
    low confidence, and a note says so.
    """
    order = list(disputed)
    stacked, slots = _stack(erased, [boxes[k] for k in order], pad=40)
    found = _unstack(_words(stacked, CELL_PSM, dpi, NUMBER_LANG), slots)
    for n, k in enumerate(order):
        line, again = lines[k], disputed[k]
        english = _join(found[n]).text if found.get(n) else ""
        side = vote(line.text, again.text, english)
        suspects = malformed(again.text) <= malformed(line.text)
        between = median_amounts(line.text, again.text, english) if side is None else None
        if side == "again" and suspects and again.text.count("円") >= line.text.count("円"):
            out[k] = _placed(again, line, back)
        elif between is not None and again.text.count("円") >= line.text.count("円"):
            out[k] = _placed(_with_numbers(again, between), line, back)
        elif side is None:
            spans = [m.span() for m in AMOUNT_NUMBER.finditer(line.text)]
            confs = [
                min(c, LOW_CONFIDENCE) if c is not None and any(a <= i < b for a, b in spans) else c
                for i, c in enumerate(line.confs)
            ]
            out[k] = _PxLine(
                line.x0, line.top, line.x1, line.bottom, line.text, line.boxes, confs, line.block
            )
            notes.append(
                f"OCR readings of an amount disagree: {line.text.strip()!r} / {again.text.strip()!r}"
            )


def _with_numbers(line: _PxLine, numbers: Sequence[tuple[int, int, str]]) -> _PxLine:
    """A reading with numbers put in place of spans of its text, each character of a new number
    a share of the old span's box, at a repair's confidence."""
    text, boxes, confs = line.text, list(line.boxes), list(line.confs)
    for start, end, number in sorted(numbers, reverse=True):
        known = [b for b in boxes[start:end] if b is not None]
        x0, x1 = known[0][0], known[-1][2]
        top, bottom = known[0][1], known[0][3]
        step = (x1 - x0) / len(number)
        text = text[:start] + number + text[end:]
        boxes[start:end] = [(x0 + i * step, top, x0 + (i + 1) * step, bottom) for i in range(len(number))]
        confs[start:end] = [REPAIRED_CONFIDENCE] * len(number)
    return _PxLine(line.x0, line.top, line.x1, line.bottom, text, boxes, confs, line.block)


def _reread_amounts_in_english(level: np.ndarray, lines: list[_PxLine], matrix: np.ndarray, dpi: int) -> None:
    """Amounts read again in English, in place, for leading groups jpn dropped.

    The Japanese model now and then reads ``7,240百万円`` alone on its line as
    ``240百万円`` (whole scan p17, seeds 7 and 123), and ``(前年度予算額：2,284百万円)``
    after a colon as ``…:284百万円`` in both its readings (p13, seeds 11 and
    12): wrong amounts that pass every format check.  The English model reads
    commas and digits in a crop of the number alone; an amount opening a line
    is cropped from two characters before its first digit, one inside a line
    from the right edge of the character before it, so no kanji of the label
    is read as digits.  Its reading is taken only when it is the first reading
    with whole leading groups added or its commas put back (see
    ``readings.english_number``), and then at the confidence of a repair.
    """
    targets: list[tuple[int, int, int, str]] = []  # line, start, end, jpn's number
    boxes: list[tuple[int, int, int, int]] = []
    height, width = level.shape
    for i, line in enumerate(lines):
        for m in AMOUNT_NUMBER.finditer(line.text):
            before = line.text[: m.start()].rstrip()
            digit_boxes = [b for b in line.boxes[m.start() : m.end()] if b is not None]
            edge = line.boxes[len(before) - 1] if before else None
            if not digit_boxes or (before and edge is None):
                continue
            centres = np.array([[(b[0] + b[2]) / 2, (b[1] + b[3]) / 2, 1.0] for b in digit_boxes]) @ matrix.T
            size = max(line.bottom - line.top, 1.0)
            middle = float(np.median(centres[:, 1]))
            top, bottom = max(0, int(middle - size / 2) - 8), min(height, int(middle + size / 2) + 8)
            if edge is None:
                left = int(centres[:, 0].min() - 2 * size)
            else:
                left = int((np.array([edge[2], (edge[1] + edge[3]) / 2, 1.0]) @ matrix.T)[0]) + 1
            span = digit_span(level[top:bottom], max(0, left), size)
            if span is None:
                continue
            boxes.append((max(0, span[0] - 6), top, min(width, span[1] + 6), bottom))
            targets.append((i, m.start(), m.end(), m[0]))
    if not targets:
        return
    stacked, slots = _stack(level, boxes)
    found = _unstack(_words(stacked, CELL_PSM, dpi, NUMBER_LANG), slots)
    mended: dict[int, list[tuple[int, int, str]]] = {}
    for k, (i, start, end, first) in enumerate(targets):
        words = found.get(k)
        run = NUMBER_RUN.search(_join(words).text) if words else None
        number = english_number(first, run[0]) if run else None
        if number is not None:
            mended.setdefault(i, []).append((start, end, number))
    for i, numbers in mended.items():
        lines[i] = _with_numbers(lines[i], numbers)


# What a line may already open with where a bullet stands (〇 O are repair's to decide).
_BULLET_READINGS = "○◯●◆◇■□◎①②③④⑤⑥⑦⑧⑨⑩・✓〇Oo0"


_SPECKS = regex.compile(r"^[.,'`・\"“”*_~ー\-「」『』()\[\]|]+$")


def _without_specks(words: list[_Word]) -> list[_Word]:
    """A line's words without dust read as marks standing apart at either end.

    A speck a column's width beyond a sentence (`…着実に進める。\t.`) would make
    the line a table row, and a table row is never rejoined with the line it
    wrapped from.
    """
    words = sorted(words, key=lambda w: w.x0)
    if len(words) < 2:
        return words
    em = _em(words)
    while len(words) > 1 and _SPECKS.match(words[-1].text) and words[-1].x0 - words[-2].x1 > TAB_GAP * em:
        words = words[:-1]
    while len(words) > 1 and _SPECKS.match(words[0].text) and words[1].x0 - words[0].x1 > TAB_GAP * em:
        words = words[1:]
    return words


_DUST = regex.compile(r"^[.,'`・\"“”*_~]+$")  # a line of these alone is dust (not a dash: an empty cell)


def _inked_gaps_closed(words: list[_Word], image: np.ndarray) -> list[_Word]:
    """A line's words with the gaps the ink does not show closed.

    Tesseract's box for a run of CJK now and then ends short of its ink, or
    shrinks to a speck (`調査` given 6 pixels of a 100-pixel stretch): `…関する`
    and `調査・検討` then stand three characters apart with no gap on the
    page, and a gap that wide reads as a line of cells, which is never
    rejoined with the line it wraps into.  A word too narrow for its text
    takes the gap before it; otherwise the word before does.
    """
    words = sorted(words, key=lambda w: w.x0)
    if len(words) < 2:
        return words
    em = _em(words)
    height, width = image.shape
    top = max(0, int(statistics.median(w.top for w in words)))
    bottom = min(height, int(statistics.median(w.bottom for w in words)))
    out = words[:1]
    for word in words[1:]:
        before = out[-1]
        if word.x0 - before.x1 > GAP_CHECK * em:
            band = image[top:bottom, max(0, int(before.x1)) : min(width, int(word.x0))] < 128
            if band.size and _longest_blank(np.count_nonzero(band, axis=0) == 0) < GAP_CHECK * em:
                if word.x1 - word.x0 < NARROW_WORD * em * len(word.text):
                    word = replace(word, x0=before.x1)
                else:
                    out[-1] = replace(before, x1=word.x0)
        out.append(word)
    return out


def _longest_blank(blank: np.ndarray) -> int:
    """The longest run of True in a row of columns."""
    longest = run = 0
    for value in blank.tolist():
        run = run + 1 if value else 0
        longest = max(longest, run)
    return longest


def _flow_lines(grey: np.ndarray, dpi: int) -> list[_PxLine]:
    words = _words(grey, FLOW_PSM, dpi)
    lines = [_join(_inked_gaps_closed(_without_specks(group), grey)) for group in _tesseract_lines(words)]
    return [line for line in lines if not _DUST.match(line.text.replace(" ", ""))]


def _missed_boxes(
    image: np.ndarray, lines: Sequence[_PxLine], params: OcrParams = OCR_PARAMS
) -> list[tuple[int, int, int, int]]:
    """Boxes of ink lines no word of the page reading covers (``OcrParams.missed_*``)."""
    import cv2

    if not lines:
        return []
    em = statistics.median(line.height for line in lines)
    pad = max(1, round(params.missed_pad * em))
    height, width = image.shape
    left = (image < 128).astype(np.uint8)  # the page is binarised: ink is 0, paper 255
    for line in lines:
        for box in line.boxes:
            if box is not None:
                x0, top, x1, bottom = (int(v) for v in box)
                left[max(0, top - pad) : bottom + pad, max(0, x0 - pad) : x1 + pad] = 0
    count, labels, stats, _ = cv2.connectedComponentsWithStats(left, connectivity=8)
    if count < 2:
        return []
    pieces = (stats[:, cv2.CC_STAT_AREA] >= params.missed_area * em * em) & (
        stats[:, cv2.CC_STAT_HEIGHT] >= params.missed_height * em
    )
    pieces[0] = False
    if not pieces.any():
        return []
    kept = pieces[labels].astype(np.uint8)
    joined = cv2.dilate(
        kept,
        np.ones((pad, max(1, round(params.missed_join * em))), np.uint8),
    )
    count, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    boxes = []
    for x, y, w, h, _area in stats[1:].tolist():
        if h >= params.missed_tall * em or w < params.missed_width * em:
            continue
        beside = any(
            min(line.x1, x + w) > max(line.x0, x)
            and min(line.bottom, y + h) - max(line.top, y) > params.missed_beside * h
            for line in lines
        )
        if not beside:
            boxes.append(
                (max(0, x - pad), max(0, y - pad), min(width, x + w + pad), min(height, y + h + pad))
            )
    return boxes


def _missed_lines(
    image: np.ndarray, lines: list[_PxLine], dpi: int, params: OcrParams = OCR_PARAMS
) -> list[_PxLine]:
    """The page's lines with those the page reading left out read in one stacked image.

    Tesseract's layout analysis drops a block now and then, no word of it
    read, though the same lines read right once cut out; without this their
    titles are lost and the amounts below take the line before as their name.
    """
    boxes = _missed_boxes(image, lines, params)
    if not boxes:
        return lines
    stacked, slots = _stack(image, boxes)
    found = _unstack(_words(stacked, CELL_PSM, dpi), slots)
    more = [_join(_without_specks(group)) for words in found.values() for group in _tesseract_lines(words)]
    more = [
        line
        for line in more
        if _mean_conf(line) >= params.missed_conf and not _DUST.match(line.text.replace(" ", ""))
    ]
    return [*lines, *more]  # after the others: the stacked second reading of those stays as it was


_LETTERS = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}]")


class _Piece(NamedTuple):
    """A connected piece of ink in a line's band, its extents as shares of the line's height."""

    x0: int  # pixels of the band's crop
    x1: int
    top: float  # 0 at the line's top, 1 at its bottom
    bottom: float
    cut: bool  # it runs out of the band (into a line above or below)
    label: int


def _erase_raised(
    image: np.ndarray, box: tuple[int, int, int, int], margin: int, params: OcrParams = OCR_PARAMS
) -> list[tuple[int, int, int, int]]:
    """Asterisks in a line erased from the page image (in place), and the boxes they filled.

    The bold marks ``**`` the source keeps are drawn small and high by Noto
    Serif CJK and read as 菩, 准, な or 全 (``**施設の整備費`` as ``菩施設の整備費``,
    a WeasyPrint rendering, scanned): the programme gets a kanji it does not
    have.  A character's box is its share of its word's, not its own (a long
    word's shares drift by a character), so the marks are found in the ink, not
    in the text, and the line is read again without them (``OcrParams.raised_*``).
    """
    import cv2

    x0, top, x1, bottom = box
    height = bottom - top - 2 * margin
    if height <= 0 or x1 <= x0:
        return []
    line_top = top + margin
    up = max(0, int(line_top - params.raised_above * height))
    down = min(image.shape[0], int(bottom - margin + params.raised_above * height) + 1)
    crop = image[up:down, x0:x1]
    count, labels, stats, _ = cv2.connectedComponentsWithStats((crop < 128).astype(np.uint8), connectivity=8)
    pieces = [
        _Piece(
            x0=int(left),
            x1=int(left + wide),
            top=(up + row - line_top) / height,
            bottom=(up + row + tall - line_top) / height,
            cut=row == 0 or row + tall >= crop.shape[0],
            label=k,
        )
        for k, (left, row, wide, tall, _) in enumerate(stats[1:count].tolist(), start=1)
    ]
    spots = []
    for run in _raised_runs(pieces, height, params):
        for piece in run:
            crop[labels == piece.label] = 255
            left, row, wide, tall = (int(v) for v in stats[piece.label, :4])
            spots.append((x0 + left, up + row, x0 + left + wide, up + row + tall))
    return spots


def _raised_runs(pieces: Sequence[_Piece], height: int, params: OcrParams) -> list[list[_Piece]]:
    """Runs of one to three raised pieces (ink wholly above ``raised_bottom`` of the line,
    none under them reaching lower), ``raised_width`` to ``raised_max`` line heights wide and
    ``raised_tall`` high, in a line most of whose ink is letters (a band set too low would
    make every piece raised)."""
    lows = [p for p in pieces if p.cut or p.bottom > params.raised_bottom]
    if sum(p.x1 - p.x0 for p in lows) < sum(p.x1 - p.x0 for p in pieces) / 2:
        return []

    def free(p: _Piece) -> bool:  # raised, and no letter's ink under it (a dakuten, 施's dot)
        return not (p.cut or p.bottom > params.raised_bottom) and not any(
            q.x0 < p.x1 and q.x1 > p.x0 for q in lows
        )

    runs: list[list[_Piece]] = []
    run: list[_Piece] = []
    for piece in sorted(pieces, key=lambda p: p.x0):
        if free(piece) and (not run or piece.x0 - max(p.x1 for p in run) <= params.raised_gap * height):
            run.append(piece)
            continue
        runs.append(run)
        run = [piece] if free(piece) else []
    runs.append(run)
    return [
        r
        for r in runs
        if 1 <= len(r) <= 3
        and params.raised_width * height <= max(p.x1 for p in r) - r[0].x0 <= params.raised_max * height
        and max(p.bottom for p in r) - min(p.top for p in r) >= params.raised_tall
    ]


# --- pages ---------------------------------------------------------------------


# --- rules and cells --------------------------------------------------------------------

MIN_RULE_PX = 60  # pixels: strokes shorter than this are not ruling lines (at 300 dpi, 5 mm)
PAGE_FRAME = 0.3  # a ruled box covering more than this share of the page is a frame round the text


def _banded(lines: list[_PxLine], image: np.ndarray, params: OcrParams = OCR_PARAMS) -> list[_PxLine]:
    """Lines whose boxes are much taller than the page's lines, cut to the band their ink fills
    (``OcrParams.tall_line``): a box reaching into the next line must not join the two."""
    if len(lines) < 3:
        return lines
    usual = statistics.median(line.height for line in lines)
    height = image.shape[0]
    out = []
    for line in lines:
        band = None
        if line.height > params.tall_line * usual:
            y0, y1 = max(0, int(line.top)), min(height, int(line.bottom) + 1)
            rows = np.count_nonzero(image[y0:y1, max(0, int(line.x0)) : int(line.x1) + 1] < 128, axis=1)
            band = _main_band(rows, params.band_gap * usual)
        if band is None or band[1] - band[0] < params.min_band * usual or band[1] - band[0] >= line.height:
            out.append(line)
            continue
        top, bottom = max(0, int(line.top)) + band[0], max(0, int(line.top)) + band[1]
        out.append(replace(line, top=top, bottom=bottom, boxes=[_cut(b, top, bottom) for b in line.boxes]))
    return out


def _cut(box: Box | None, top: float, bottom: float) -> Box | None:
    """A character's box cut to its line's band; one lying mostly outside it (a 円 tesseract put
    lower than its digits) takes the band's."""
    if box is None:
        return None
    y0, y1 = max(box[1], top), min(box[3], bottom)
    return (box[0], y0, box[2], y1) if y1 - y0 >= (bottom - top) / 2 else (box[0], top, box[2], bottom)


def _main_band(rows: np.ndarray, gap: float) -> tuple[int, int] | None:
    """The run of inked rows (gaps narrower than ``gap`` bridged) that holds the most ink."""
    inked = np.flatnonzero(rows)
    if not inked.size:
        return None
    breaks = np.flatnonzero(np.diff(inked) > gap)
    starts = np.concatenate(([0], breaks + 1))
    ends = np.concatenate((breaks, [inked.size - 1]))
    best = max(range(starts.size), key=lambda k: int(rows[inked[starts[k]] : inked[ends[k]] + 1].sum()))
    return int(inked[starts[best]]), int(inked[ends[best]]) + 1


def _ruling_segments(horizontal: np.ndarray, vertical: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Ruling lines as segments (x0, top, x1, bottom) in pixels: one per stroke found in each mask."""
    import cv2

    out: list[tuple[int, int, int, int]] = []
    for mask, along in ((horizontal, 0), (vertical, 1)):
        # only the part of the mask that holds strokes: labelling a whole empty page costs more
        # than finding its strokes
        left, top, width, height = cv2.boundingRect(mask)
        if not width or not height:
            continue
        count, _, stats, _ = cv2.connectedComponentsWithStats(
            mask[top : top + height, left : left + width], connectivity=8
        )
        for i in range(1, count):
            x, y, w, h = (int(v) for v in stats[i][:4])
            x, y = x + left, y + top
            if along == 0 and w >= MIN_RULE_PX:
                out.append((x, y + h // 2, x + w, y + h // 2))
            elif along == 1 and h >= MIN_RULE_PX:
                out.append((x + w // 2, y, x + w // 2, y + h))
    return out


@dataclass
class _Grids:
    """The page's ruled tables and boxes (shared lattice, in points) and the cells to OCR (pixels)."""

    rulings: list[Ruling]
    regions: list[_Cell]  # cells read on their own (tables' cells and small boxes)
    numeric: list[bool]  # per region: a table cell, whose numbers get a second, digits-only reading


def _grids(
    grey: np.ndarray, ink: np.ndarray, scale: float, dx: float, dy: float
) -> tuple[_Grids, np.ndarray]:
    """Ruling lines through the same lattice as a text layer's, and the mask of every ruling line."""
    import cv2

    horizontal, vertical = _rules(ink)
    mask = cv2.dilate(cv2.bitwise_or(horizontal, vertical), np.ones((3, 3), np.uint8), iterations=2)
    segments = _ruling_segments(horizontal, vertical)
    rulings = [
        Ruling(x0 * scale + dx, t * scale + dy, x1 * scale + dx, b * scale + dy) for x0, t, x1, b in segments
    ]
    height, width = grey.shape
    regions: list[_Cell] = []
    numeric: list[bool] = []
    for grid in find_grids(rulings, layout.OCR):
        gx0, gtop, gx1, gbottom = grid.box
        frame = (gx1 - gx0) * (gbottom - gtop) / (scale * scale) > PAGE_FRAME * width * height
        if grid.n_cols == 1 and frame:
            continue  # a frame round the text: its text is read with the page
        for cell in grid.cells:
            x0, top, x1, bottom = cell.box
            if any(_inside(other.box, cell.box) for other in grid.cells if other is not cell):
                continue  # an L-shaped ruling's box over smaller cells: read with the page, not twice
            px = _Cell(
                max(0, int((x0 - dx) / scale)),
                max(0, int((top - dy) / scale)),
                min(width, int((x1 - dx) / scale)),
                min(height, int((bottom - dy) / scale)),
            )
            if px.x1 - px.x0 > 4 and px.bottom - px.top > 4:
                regions.append(px)
                numeric.append(grid.n_cols >= 2)
    return _Grids(rulings, regions, numeric), mask


def _inside(inner: Box, outer: Box) -> bool:
    """Whether ``inner``'s centre lies in ``outer`` and ``inner`` is the smaller box."""
    cx, cy = (inner[0] + inner[2]) / 2, (inner[1] + inner[3]) / 2
    smaller = (inner[2] - inner[0]) * (inner[3] - inner[1]) < (outer[2] - outer[0]) * (outer[3] - outer[1])
    return smaller and outer[0] < cx < outer[2] and outer[1] < cy < outer[3]


# --- glyphs ------------------------------------------------------------------------------


def _band(line: _PxLine) -> tuple[float, float] | None:
    """A line's usual top and bottom: the medians of its characters' boxes."""
    boxes = [b for b in line.boxes if b is not None]
    if not boxes:
        return None
    top = statistics.median(b[1] for b in boxes)
    bottom = statistics.median(b[3] for b in boxes)
    return (top, bottom) if bottom > top else None


def _glyphs(lines: Sequence[_PxLine], scale: float, dx: float, dy: float, first_run: int) -> list[Glyph]:
    """Each character of OCR'd lines as a glyph in points; a tesseract word is one run.

    Characters that share one box (a bullet the second reading put back
    before its line) split it between them, so they keep their order.
    """
    glyphs: list[Glyph] = []
    run = first_run
    for line in lines:
        k = 0
        text = line.text
        band = _band(line)
        while k < len(text):
            if text[k] in " \t" or line.boxes[k] is None:
                k += 1
                continue
            start = k
            while k < len(text) and text[k] not in " \t" and line.boxes[k] is not None:
                k += 1
            run += 1
            chars = list(range(start, k))
            for order, i in enumerate(chars):
                box = line.boxes[i]
                assert box is not None
                share = [j for j in chars if line.boxes[j] == box]
                if len(share) > 1:
                    part = share.index(i)
                    w = (box[2] - box[0]) / len(share)
                    box = (box[0] + part * w, box[1], box[0] + (part + 1) * w, box[3])
                if band is not None and box[3] - box[1] > OCR_PARAMS.tall_glyph * (band[1] - band[0]):
                    box = (box[0], band[0], box[2], band[1])
                glyphs.append(
                    Glyph(
                        text[i],
                        box[0] * scale + dx,
                        box[1] * scale + dy,
                        box[2] * scale + dx,
                        box[3] * scale + dy,
                        line.confs[i],
                        run,
                        order,
                    )
                )
    return glyphs


BOLD = 1.3  # a word whose strokes are this much thicker than the page's usual ones is bold


def _stroke(ink: np.ndarray) -> float:
    """How thick a crop's strokes are: the mean length of its runs of ink across rows or down
    columns, whichever is shorter.

    Across rows alone, the long bars of 事 or 三 counted as thick strokes, and ``事業``
    after a title that wrapped came out bold (a scanned Chromium rendering in three columns,
    p5); down columns, the same holds for vertical strokes.
    """
    if ink.size == 0:
        return 0.0
    return min(_mean_run(ink), _mean_run(ink.T))


def _mean_run(ink: np.ndarray) -> float:
    """The mean length of the horizontal runs of ink in a crop."""
    padded = np.zeros((ink.shape[0], ink.shape[1] + 2), dtype=np.int8)
    padded[:, 1:-1] = ink
    edges = np.diff(padded, axis=1)
    runs = int(np.count_nonzero(edges == 1))
    return float(np.count_nonzero(ink)) / runs if runs else 0.0


def _mark_weights(glyphs: list[Glyph], clean: np.ndarray, scale: float, dx: float, dy: float) -> None:
    """Each word's glyphs get a font number, 0 regular or 1 bold, told by the thickness of its
    strokes: a text layer names its fonts, a scan shows them (a bold heading that fills its
    column is not the first line of the paragraph under it)."""
    words: dict[int, list[Glyph]] = {}
    for g in glyphs:
        words.setdefault(g.run, []).append(g)
    strokes: dict[int, float] = {}
    height, width = clean.shape
    for run, members in words.items():
        x0 = max(0, int((min(g.x0 for g in members) - dx) / scale))
        x1 = min(width, int((max(g.x1 for g in members) - dx) / scale))
        top = max(0, int((min(g.top for g in members) - dy) / scale))
        bottom = min(height, int((max(g.bottom for g in members) - dy) / scale))
        strokes[run] = _stroke(clean[top:bottom, x0:x1] < 128)
    known = sorted(v for v in strokes.values() if v > 0)
    if not known:
        return
    usual = known[len(known) // 2]
    for run, members in words.items():
        weight = 1 if strokes[run] > BOLD * usual else 0
        for g in members:
            g.font = weight


# --- a page ------------------------------------------------------------------------------


def _ocr_page(
    image: Image.Image,
    scale: float,
    page_box: Box | None = None,
    page: int | None = None,
    light: bool | None = None,
) -> tuple[Page, list[str]]:
    """One page image as a page model, and the warnings it raised (returned, so worker processes
    can pass them on).  ``light``: whether a page of light ink is read from its lightened image
    (decided for the document, ``lightness``), or None for the page to decide alone."""
    grey = _grey(image)
    dpi = round(72 / scale)
    ink = _ink(grey)
    angle = estimate_skew(ink)
    if abs(angle) > DESKEW_ABOVE:
        grey = _rotate(grey, angle)
        ink = _ink(grey)
    dx, dy = (page_box[0], page_box[1]) if page_box else (0.0, 0.0)
    grids, mask = _grids(grey, ink, scale, dx, dy)
    despeckled = _despeckle(ink, grey)

    def prepared(binary: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        binary[mask > 0] = 255  # ruling lines of tables, boxes and underlines confuse line finding
        flow = binary.copy()
        for region in grids.regions:
            flow[region.top : region.bottom, region.x0 : region.x1] = 255
        return binary, flow

    clean, flow_image = prepared(_binarize(despeckled))
    page_lines = _flow_lines(flow_image, dpi)
    lightened = _lightened(despeckled) if light is not False else None
    if lightened is not None:
        light_clean, light_flow = prepared(lightened)
        if light or _lightness_gain(light_flow, flow_image, page_lines, dpi) > OCR_PARAMS.light_margin:
            clean, flow_image = light_clean, light_flow
            page_lines = _flow_lines(flow_image, dpi)
    region_lines = _region_lines(clean, ink, grids.regions, dpi)
    for k, lines in region_lines.items():
        if grids.numeric[k]:
            _reread_numbers(clean, lines, dpi)
    notes: list[str] = []
    residual = angle if abs(angle) <= DESKEW_ABOVE else 0.0
    read = _missed_lines(flow_image, page_lines, dpi)
    flow = _banded(_reread_lines(flow_image, read, residual, dpi, notes), flow_image)
    glyphs = _glyphs(flow, scale, dx, dy, 0)
    for lines in region_lines.values():
        glyphs.extend(_glyphs(lines, scale, dx, dy, len(glyphs)))
    _mark_weights(glyphs, clean, scale, dx, dy)
    height, width = grey.shape
    model = layout.analyse_page(
        glyphs,
        grids.rulings,
        number=page,
        width=width * scale,
        height=height * scale,
        layer=Layer.OCR,
        params=layout.OCR,
        slope=math.tan(math.radians(residual)),  # the skew left in the image, as x per y
    )
    warnings = [f"page {page}: {note}" if page is not None else note for note in notes]
    _repair_page(model, page, warnings)
    return model, warnings


def _units(model: Page) -> list[tuple[TextLine, list[Cell] | None]]:
    """What the repair reads one at a time, in reading order: each text line, and each table row
    (its cells read as one row with a tab between cells, as the repair rules expect)."""
    units: list[tuple[TextLine, list[Cell] | None]] = []
    for block in model.blocks:
        if isinstance(block, TextBlock):
            units.extend((line, None) for line in block.lines)
            continue
        for row in block.grid():
            cells = [cell for cell in row if cell is not None and cell.lines]
            if not cells:
                continue
            units.append((TextLine.side_by_side([cell.line() for cell in cells], "\t"), cells))
    return units


def _repair_page(model: Page, page: int | None, warnings: list[str]) -> None:
    """The number-safe repair over every line and table row; confidences lowered where it changed
    or distrusts a character."""
    units = _units(model)
    fixes = repair_lines([line.text if cells else _with_tabs(line) for line, cells in units])
    for (line, cells), fix in zip(units, fixes, strict=True):
        old_boxes = line.boxes or [None] * len(line.text)
        old_confs = line.confidences or [None] * len(line.text)
        boxes = [old_boxes[i] if i is not None else None for i in fix.origin]
        confs = [old_confs[i] if i is not None else None for i in fix.origin]
        for start, end in fix.changed:
            for k in range(start, end):
                confs[k] = min(confs[k] or REPAIRED_CONFIDENCE, REPAIRED_CONFIDENCE)
        for start, end in fix.suspects:
            for k in range(start, end):
                confs[k] = min(confs[k] or LOW_CONFIDENCE, LOW_CONFIDENCE)
            where = f"page {page}: " if page is not None else ""
            warnings.append(f"{where}OCR amount {fix.text[start:end]!r} fails the number format check")
        if cells is None:
            line.text, line.boxes, line.confidences = fix.text.replace("\t", " "), boxes, confs
            continue
        pieces = fix.text.split("\t")
        if len(pieces) != len(cells):  # a rule took a tab away: the cells stay as read
            continue
        at = old_at = 0
        for cell, piece in zip(cells, pieces, strict=True):
            span = slice(at, at + len(piece))
            joined = cell.line()
            # the cell's visual rows stay apart (a 説明 cell is a list): where each started
            starts = {old_at + b for b in joined.breaks}
            breaks = tuple(
                k - at
                for k in range(at + 1, at + len(piece))
                if fix.origin[k] in starts and fix.origin[k - 1] != fix.origin[k]
            )
            cell.lines = [TextLine(piece, boxes[span], confs[span], rows=len(breaks) + 1, breaks=breaks)]
            at += len(piece) + 1
            old_at += len(joined.text) + 1


def repair_page(model: Page, page: int | None = None) -> list[str]:
    """The number-safe OCR repairs over a page model read from OCR text (a scanner's text layer too);
    the warnings it raised."""
    warnings: list[str] = []
    _repair_page(model, page, warnings)
    return warnings


def _with_tabs(line: TextLine) -> str:
    """A line as the repair rules read it: a gap wider than a table cell's is a tab."""
    boxes = line.boxes or []
    out = list(line.text)
    for i, ch in enumerate(out):
        if ch != " " or i == 0 or i + 1 >= len(out) or i >= len(boxes) or boxes[i] is not None:
            continue
        left, right = boxes[i - 1], boxes[i + 1] if i + 1 < len(boxes) else None
        if left and right:
            em = max(left[3] - left[1], 1e-6)
            if right[0] - left[2] > TAB_GAP * em:
                out[i] = "\t"
    return "".join(out)


def ocr_page(image: Image.Image, scale: float, page_box: Box | None = None, page: int | None = None) -> Page:
    """OCR one page image into a page model.

    ``scale`` is PDF points per pixel (72/dpi); ``page_box`` is the region of
    the page the image shows, in points (its x0 and top shift every box);
    ``page`` numbers the page and its warnings.
    """
    model, warnings = _ocr_page(image, scale, page_box, page)
    for warning in warnings:
        log.warning("%s", warning)
    return model


def has_ink(preview: Image.Image, params: OcrParams = OCR_PARAMS) -> bool:
    """Whether a page, seen at ``params.ink_dpi``, holds anything to read."""
    grey = _grey(preview)
    return int(np.count_nonzero(grey < params.ink_level)) >= params.min_ink_pixels


def _preview(image: Image.Image, scale: float, params: OcrParams = OCR_PARAMS) -> Image.Image:
    """A page image brought down to the ink check's resolution (box average)."""
    factor = int(72 / scale / params.ink_dpi)
    grey = image if image.mode == "L" else image.convert("L")
    return grey.reduce(factor) if factor > 1 else grey


def _blank(image: Image.Image, scale: float, page: int | None) -> Page:
    """The model of a page without ink: no OCR, nothing on it."""
    return Page(page, image.width * scale, image.height * scale, layer=Layer.OCR)


def _worker(args: tuple[bytes | Image.Image, float, int, bool | None]) -> tuple[Page, list[str]]:
    data, scale, page, light = args
    image = _opened(data)
    if not has_ink(_preview(image, scale)):
        return _blank(image, scale, page), []
    return _ocr_page(image, scale, None, page, light)


def _images_lightness(images: Sequence[Image.Image | bytes], scales: Sequence[float]) -> bool | None:
    """``lightness`` of a document of page images (None for one page: it decides alone)."""
    if len(images) < 2:
        return None
    inked = ((_opened(images[k]), scales[k]) for k in _sample(range(len(images)), OCR_PARAMS.light_pages))
    return lightness((image, scale) for image, scale in inked if has_ink(_preview(image, scale)))


def _opened(data: bytes | Image.Image) -> Image.Image:
    return Image.open(io.BytesIO(data)) if isinstance(data, bytes) else data


def _run(worker: Callable[[Any], tuple[Page, list[str]]], work: list[Any], jobs: int) -> list[Page]:
    """Pages through ``worker`` in ``jobs`` processes, in order; their warnings logged here."""
    if jobs <= 1 or len(work) <= 1:
        results = [worker(w) for w in work]
    else:
        # the page workers die with the process that started them (a killed batch worker)
        with ProcessPoolExecutor(max_workers=min(jobs, len(work)), initializer=die_with_parent) as pool:
            results = list(pool.map(worker, work))
    for _, warnings in results:
        for warning in warnings:
            log.warning("%s", warning)
    return [model for model, _ in results]


def ocr_pages(
    images: Sequence[Image.Image | bytes],
    jobs: int = 1,
    scale: float | Sequence[float] = 72 / DEFAULT_DPI,
    first_page: int = 1,
) -> list[Page]:
    """OCR page images (PIL images or PNG bytes) in ``jobs`` processes; results in page order."""
    check_tesseract()
    scales = [scale] * len(images) if isinstance(scale, int | float) else list(scale)
    light = _images_lightness(images, scales)
    work = [
        (image, s, first_page + i, light) for i, (image, s) in enumerate(zip(images, scales, strict=True))
    ]
    return _run(_worker, work, jobs)


# --- PDFs and image files --------------------------------------------------------


def render_page(pdfium_page: Any, dpi: int = DEFAULT_DPI) -> Image.Image:
    """A PDF page as a grey image at ``dpi`` (pypdfium2)."""
    return pdfium_page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")


def scan_rulings(pdfium_page: Any, dpi: int = DEFAULT_DPI) -> list[Ruling]:
    """The ruling lines of a scanned page, found in its image as the OCR path finds them.

    A scanner's own OCR text layer has characters but no drawn lines: the
    table rules are in the image, and the layout needs them to see the tables.
    """
    grey = np.asarray(render_page(pdfium_page, dpi))
    horizontal, vertical = _rules(_ink(grey))
    scale = 72 / dpi
    return [
        Ruling(x0 * scale, t * scale, x1 * scale, b * scale)
        for x0, t, x1, b in _ruling_segments(horizontal, vertical)
    ]


def ocr_pdf_page(pdfium_page: Any, dpi: int = DEFAULT_DPI, page: int | None = None) -> Page:
    """OCR one pypdfium2 page (rendered at ``dpi``): its page model, boxes in the page's points."""
    check_tesseract()
    return ocr_page(render_page(pdfium_page, dpi), 72 / dpi, page=page)


def _pdf_worker(args: tuple[str, int, int, str | None, bool | None]) -> tuple[Page, list[str]]:
    path, number, dpi, password, light = args
    from .pdfchars import open_document

    pdf = open_document(path, password)
    try:
        page = pdf[number - 1]
        if not has_ink(render_page(page, OCR_PARAMS.ink_dpi)):  # a blank page is never rendered at 300 dpi
            width, height = page.get_size()
            return Page(number, width, height, layer=Layer.OCR), []
        dpi = page_dpi(page.get_size(), dpi)
        image = render_page(page, dpi)
    finally:
        pdf.close()
    return _ocr_page(image, 72 / dpi, None, number, light)


MAX_SIDE = 14000  # pixels: an A0 poster at 300 dpi; a larger page is rendered coarser
MIN_IMAGE_SIDE = 8  # pixels: a page narrower or lower than this holds no line of text


def page_dpi(size: tuple[float, float], dpi: int = DEFAULT_DPI) -> int:
    """The dpi to render a page of ``size`` points at: ``dpi``, or less for a huge page.

    A hostile (or mis-sized) page of 200 inches would be a 3.6-gigapixel image.
    """
    return max(1, min(dpi, int(MAX_SIDE * 72 / max(*size, 1.0))))


def ocr_pdf_pages(
    path: str | Path,
    pages: Sequence[int],
    jobs: int = 1,
    dpi: int = DEFAULT_DPI,
    password: str | None = None,
) -> dict[int, Page]:
    """OCR the given 1-based pages of a PDF in ``jobs`` processes (each renders its own pages),
    all of them read from light or from Otsu's black and white alike (``lightness``)."""
    check_tesseract()
    light = _pdf_lightness(path, pages, dpi, password) if len(pages) > 1 else None
    work = [(str(path), n, dpi, password, light) for n in pages]
    return dict(zip(pages, _run(_pdf_worker, work, jobs), strict=True))


def _pdf_lightness(path: str | Path, pages: Sequence[int], dpi: int, password: str | None) -> bool | None:
    from .pdfchars import open_document

    pdf = open_document(str(path), password)
    try:

        def rendered() -> Iterator[tuple[Image.Image, float]]:
            for number in _sample(pages, OCR_PARAMS.light_pages):
                page = pdf[number - 1]
                if has_ink(render_page(page, OCR_PARAMS.ink_dpi)):
                    resolution = page_dpi(page.get_size(), dpi)
                    yield render_page(page, resolution), 72 / resolution

        return lightness(rendered())
    finally:
        pdf.close()


class _Frame(NamedTuple):
    page: int  # 1-based, in the file
    image: Image.Image  # grey
    dpi: float


def _frames(path: Path) -> tuple[list[_Frame], int]:
    """The pages of an image file (TIFF frames) as grey images with their dpi, and how many pages
    the file has.

    A frame that cannot be read costs that frame and, when the file is cut
    short, the frames after it, with a warning; the frames before it are
    read.  A frame over Pillow's decompression-bomb limit, or too small to
    hold text, is skipped with a warning; one with a side over MAX_SIDE is
    read coarser.  When no frame is left, the file is an InputError.
    """
    import warnings

    frames: list[_Frame] = []
    refused: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # DecompressionBombWarning, TIFF metadata: not the user's business
        try:
            image = Image.open(path)
            image.load()
        except FileNotFoundError:
            raise InputError(path, "no such file") from None
        except Image.DecompressionBombError:
            raise InputError(path, "image too large (over Pillow's decompression-bomb limit)") from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, struct.error) as exc:
            raise InputError(path, f"not a readable image ({type(exc).__name__})") from None
        with image:
            page = 0
            while True:
                page += 1
                try:
                    if page > 1:
                        image.seek(page - 1)
                except EOFError:
                    page -= 1
                    break
                except MemoryError:
                    raise
                except Exception as exc:  # Pillow's TIFF reader raises anything at a damaged frame
                    refused.append(f"page {page} on: unreadable ({type(exc).__name__}); not read")
                    break
                width, height = image.size
                if width * height > 2 * (Image.MAX_IMAGE_PIXELS or 2**62):
                    refused.append(f"page {page}: image too large ({width}x{height} px); skipped")
                    continue
                fit = min(1.0, MAX_SIDE / max(width, height))
                size = (round(width * fit), round(height * fit))
                if min(size) < MIN_IMAGE_SIDE:
                    refused.append(f"page {page}: image {width}x{height} px, too small to hold text; skipped")
                    continue
                try:
                    frame = image.convert("L")
                    if fit < 1.0:
                        frame = frame.resize(size, Image.Resampling.BOX)
                except MemoryError:
                    raise
                except Exception as exc:
                    refused.append(f"page {page} on: unreadable ({exc}); not read")
                    break
                dpi = image.info.get("dpi")
                value = float(dpi[0]) if dpi and dpi[0] else 0.0
                # 72 dpi and less is what editors write when they do not know; scans are 200-600.
                frames.append(_Frame(page, frame, (value if value >= 100 else float(DEFAULT_DPI)) * fit))
    if refused and not frames:
        raise InputError(path, f"no readable page ({refused[0]})")
    for note in refused:
        log.warning("%s: %s", path, note)
    return frames, page


def read_image(path: Path, options: Any = None) -> tuple[list[Page], int]:
    """A PNG/JPEG/TIFF page (or a multi-page TIFF) read by OCR: its pages and their count."""
    check_tesseract()
    path = Path(path)
    frames, count = _frames(path)
    if not frames:
        raise InputError(path, "image has no pages")
    jobs = getattr(options, "jobs", 1) or 1
    scales = {f.page: 72 / f.dpi for f in frames}
    light = _images_lightness([f.image for f in frames], [scales[f.page] for f in frames])
    pages = _run(_worker, [(f.image, scales[f.page], f.page, light) for f in frames], jobs)
    layout.finish_document(pages, layout.OCR)
    return pages, count
