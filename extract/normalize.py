"""Unicode normalisation of document text, safe for amounts.

Plain NFKC is almost right for Japanese budget text (full-width digits,
brackets, commas, Kangxi radicals, ㍻/㋿ ligatures) but it turns the item
markers ①–⑳ into digits, so ``①1,358百万円`` would read as 11,358百万円.  We
therefore run NFKC on everything *except* the protected markers, fold the CJK
Radicals Supplement (which NFKC leaves alone) from a data table, and keep a map
from every output character back to its source character so that PDF
positions survive normalisation.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

import regex

from .lexicon import lexicon

# Circled and negative-circled numbers that number items; NFKC would make
# them digits.  ① U+2460–⑳ U+2473, ㉑ U+3251–㉟ U+325F, ㊱ U+32B1–㊿ U+32BF,
# ❶ U+2776–❿ U+277F (NFKC leaves the last range, listed for clarity).
_PROTECTED = frozenset(
    [chr(c) for c in range(0x2460, 0x2474)]
    + [chr(c) for c in range(0x3251, 0x3260)]
    + [chr(c) for c in range(0x32B1, 0x32C0)]
    + [chr(c) for c in range(0x2776, 0x2780)]
)

# Characters NFKC keeps but that mean an ASCII character here.
_EXTRA = {
    "\u2212": "-",  # minus sign
    "\u2010": "-",  # hyphen
    "\u2011": "-",  # non-breaking hyphen
    "\uff0d": "-",  # full-width hyphen-minus (NFKC does this too; explicit)
    "\u301c": "~",  # wave dash 〜
    "\u00a0": " ",
    "\u200b": "",  # zero-width space
    "\ufeff": "",  # stray BOM
    "\u2039": "<",  # ‹ seen as a conversion artefact for ＜
    "\u203a": ">",
}


@dataclass(frozen=True)
class NormText:
    """Normalised text plus, for each character, the index it came from."""

    text: str
    origin: tuple[int, ...]


def _clusters(text: str) -> list[tuple[int, str]]:
    """Split into (start, cluster) so combining marks stay with their base."""
    out: list[tuple[int, str]] = []
    for i, ch in enumerate(text):
        combining = unicodedata.combining(ch) or ch in "\uff9e\uff9f\u3099\u309a"
        if out and combining:
            start, cluster = out[-1]
            out[-1] = (start, cluster + ch)
        else:
            out.append((i, ch))
    return out


@cache
def _special() -> frozenset[str]:
    """Characters the plain NFKC check does not cover: radicals, protected markers, _EXTRA."""
    return frozenset(lexicon().radicals) | _PROTECTED | frozenset(_EXTRA)


NORMALIZE_CACHE = 2048  # lines whose normal form is kept: a budget book's reader asks for most twice or more


@lru_cache(maxsize=NORMALIZE_CACHE)
def normalize_map(text: str) -> NormText:
    """Normalise ``text`` and keep the origin index of every output character (a frozen result,
    kept for the texts asked for last)."""
    if unicodedata.is_normalized("NFKC", text) and _special().isdisjoint(text):
        return NormText(text, tuple(range(len(text))))  # most lines: nothing to fold
    chars: list[str] = []
    origin: list[int] = []
    for start, cluster in _clusters(text):
        folded = _fold(cluster)
        chars.append(folded)
        if len(folded) == 1:
            origin.append(start)
        else:
            origin.extend([start] * len(folded))
    return NormText("".join(chars), tuple(origin))


@lru_cache(maxsize=8192)
def _fold(cluster: str) -> str:
    """One character (with its combining marks) folded (cached: a document has a few thousand)."""
    if cluster in _PROTECTED:
        return cluster
    radicals = lexicon().radicals
    if cluster in radicals:
        return radicals[cluster]
    if cluster in _EXTRA:
        return _EXTRA[cluster]
    folded = unicodedata.normalize("NFKC", cluster)
    return "".join(_EXTRA.get(c, c) for c in folded)


def normalize_text(text: str) -> str:
    """Normalise full-width forms, radicals and ligatures; keep ①–⑳ as they are."""
    return normalize_map(text).text


_CJK = r"\p{Han}\p{Hiragana}\p{Katakana}ー々〆「」『』【】、。・〔〕《》〈〉"
_SPACE_NEAR_CJK = regex.compile(
    rf"""
    (?<=[{_CJK}])\s+          # spaces after a CJK character
    | \s+(?=[{_CJK}])         # or before one: PDF conversion inserts these
    """,
    regex.VERBOSE,
)
_MARKDOWN = regex.compile(r"\*\*|__|^#+\s*|`")


_SPACE_RUN = regex.compile(r"\s+")


def tidy_spaces(text: str) -> str:
    """Collapse runs of space and drop the spaces PDF conversion puts next to kana/kanji."""
    text = _SPACE_RUN.sub(" ", text).strip()
    return _SPACE_NEAR_CJK.sub("", text)


def strip_markdown(text: str) -> str:
    return _MARKDOWN.sub("", text)
