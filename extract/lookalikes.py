"""Kanji that look alike, and the words of Japanese: what mends a kanji OCR misread.

Tesseract's Japanese model misreads kanji as others of nearly the same shape,
most in serif faces (``X線白由電子レーザー`` for 自由, ``最先端人型研究施設`` for 大型,
``地球環境情報プラットフォーム栓築`` for 構築), and the misread stays in the
programme's name.  A kanji that makes no word with its neighbours, where a
kanji of nearly the same shape would, is that kanji misread
(``repair.fix_lookalike_kanji``).

Two tables answer it.  Which kanji look alike is measured once, on the glyphs
of two faces (IPAex Mincho and Gothic: the correlation of the blurred glyphs),
and kept in ``data/lookalikes.tsv``; ``python -m yosan.lookalikes`` writes it
again (the fonts are those ``make setup`` installs).  Which strings are words
is wordfreq's Japanese list (Wikipedia, subtitles, news, the web: 215,000
words), read on first use.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import regex

TABLE = Path(__file__).with_name("data") / "lookalikes.tsv"
FONTS = (
    Path("/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf"),
    Path("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"),
)
_HAN = regex.compile(r"\p{Han}")
_JAPANESE = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}ー々]+")


@dataclass(frozen=True)
class TableParams:
    """How ``data/lookalikes.tsv`` is measured (written into its first line).

    - ``min_freq``: the kanji compared are those of wordfreq's words at least
      this frequent (3,811 kanji: every 常用 kanji and the names' ones).
    - ``size``, ``pixels``, ``blur``: each glyph is drawn at ``size`` pixels in
      a ``pixels`` square and blurred by a Gaussian of radius ``blur``, so that
      a stroke a pixel or two away still overlaps (OCR confuses shapes, not
      pixels: 頁/貢 0.93, 人/大 0.91, 白/自 0.85, 平/半 0.81).
    - ``keep``: pairs whose correlation in either face is at least this are
      kept, at most ``top`` per kanji (the nearest).
    """

    min_freq: float = 1e-7
    size: int = 40
    pixels: int = 48
    blur: float = 1.5
    keep: float = 0.8
    top: int = 12


TABLE_PARAMS = TableParams()


@dataclass(frozen=True)
class MendParams:
    """When ``repair.fix_lookalike_kanji`` takes a kanji for a look-alike misread.

    Measured on the OCR'd lines of a LibreOffice rendering in IPAex Mincho, scanned
    (1,212 lines), against its text layer: at a likeness of 0.85 and words of
    frequency 1e-6, 180 kanji were mended and 7 right ones made wrong (人 of
    ``700人分`` made 大: a counter after a digit is left alone since); at 0.8,
    215 and 59.

    - ``likeness``: the look-alike must be at least this alike (``data/lookalikes.tsv``).
    - ``word_freq``: the word it makes must be at least this frequent in wordfreq's
      list (1e-6: once in a million words; 大型 4e-5, 半導体 5e-6).
    """

    likeness: float = 0.85
    word_freq: float = 1e-6


MEND_PARAMS = MendParams()


def support(text: str, i: int, kanji: str | None = None) -> float:
    """The frequency of the most frequent word of two to four characters over ``text[i]``
    (with ``kanji`` in its place): 0 when it makes no word with its neighbours."""
    if kanji is not None:
        text = text[:i] + kanji + text[i + 1 :]
    known = words()
    best = 0.0
    for n in (2, 3, 4):
        for start in range(max(0, i - n + 1), min(i, len(text) - n) + 1):
            best = max(best, known.get(text[start : start + n], 0.0))
    return best


def mend(text: str, params: MendParams = MEND_PARAMS) -> list[tuple[int, str, str]]:
    """(index, kanji, look-alike) for each kanji of ``text`` that makes no word where a
    look-alike would, left to right (a mended kanji is the neighbour of the next)."""
    table = lookalikes()
    current = text
    made = []
    for i, ch in enumerate(text):
        near = table.get(ch)
        if not near or (i and text[i - 1].isdigit()):  # 700人分: a counter after a number
            continue
        if support(current, i) > 0:
            continue
        scored = [
            (support(current, i, other), like, other) for other, like in near if like >= params.likeness
        ]
        scored = [s for s in scored if s[0] >= params.word_freq]
        if scored:
            _, _, other = max(scored)
            current = current[:i] + other + current[i + 1 :]
            made.append((i, ch, other))
    return made


@cache
def _frequencies() -> dict[str, float]:
    import wordfreq

    return dict(wordfreq.get_frequency_dict("ja", wordlist="large"))


@cache
def words() -> dict[str, float]:
    """wordfreq's Japanese words of two to four kana or kanji, with their frequency."""
    return {w: f for w, f in _frequencies().items() if 2 <= len(w) <= 4 and _JAPANESE.fullmatch(w)}


@cache
def lookalikes() -> dict[str, tuple[tuple[str, float], ...]]:
    """Kanji → the kanji that look like it, nearest first, with their likeness (0–1)."""
    table: dict[str, tuple[tuple[str, float], ...]] = {}
    with TABLE.open(encoding="utf-8") as fh:
        next(fh)  # the parameters it was measured with
        for line in fh:
            kanji, *pairs = line.rstrip("\n").split("\t")
            table[kanji] = tuple((p[0], int(p[1:]) / 100) for p in pairs)
    return table


def measure(
    fonts: tuple[Path, ...] = FONTS, params: TableParams = TABLE_PARAMS
) -> dict[str, list[tuple[str, int]]]:
    """Each kanji's look-alikes, likeness in hundredths: the table ``data/lookalikes.tsv`` holds."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    kanji = sorted(
        {ch for w, f in _frequencies().items() if f >= params.min_freq for ch in w if _HAN.match(ch)}
    )

    def drawn(font: ImageFont.FreeTypeFont, ch: str) -> np.ndarray:
        image = Image.new("L", (params.pixels, params.pixels), 0)
        ImageDraw.Draw(image).text(((params.pixels - params.size) // 2, 0), ch, fill=255, font=font)
        return np.asarray(image.filter(ImageFilter.GaussianBlur(params.blur)), dtype=np.float32).ravel()

    faces = [ImageFont.truetype(str(path), params.size) for path in fonts]
    # a kanji a face lacks is drawn as its .notdef box, alike in every such kanji: left out
    kanji = [
        ch for ch in kanji if all(not np.array_equal(drawn(f, ch), drawn(f, "\U0010fffd")) for f in faces)
    ]

    def glyphs(font: ImageFont.FreeTypeFont) -> np.ndarray:
        rows = []
        for ch in kanji:
            a = drawn(font, ch)
            a -= a.mean()
            rows.append(a / (np.linalg.norm(a) or 1.0))
        return np.stack(rows)

    likeness: np.ndarray | None = None
    for face in faces:
        g = glyphs(face)
        s = g @ g.T
        likeness = s if likeness is None else np.maximum(likeness, s)
    assert likeness is not None
    np.fill_diagonal(likeness, 0.0)
    table: dict[str, list[tuple[str, int]]] = {}
    for i, ch in enumerate(kanji):
        order = np.argsort(-likeness[i], kind="stable")[: params.top]
        near = [
            (kanji[j], math.floor(float(likeness[i, j]) * 100))
            for j in order
            if likeness[i, j] >= params.keep
        ]
        if near:
            table[ch] = near
    return table


def write(path: Path = TABLE, params: TableParams = TABLE_PARAMS) -> int:
    """Measure the table again and write it; how many kanji it holds."""
    table = measure(params=params)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write(f"# {params} fonts={','.join(p.name for p in FONTS)}\n")
        for ch, near in table.items():
            fh.write(ch + "".join(f"\t{k}{v}" for k, v in near) + "\n")
    tmp.replace(path)
    return len(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write data/lookalikes.tsv again from the fonts.")
    parser.add_argument("-o", "--output", type=Path, default=TABLE)
    args = parser.parse_args(argv)
    print(f"{write(args.output)} kanji written to {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
