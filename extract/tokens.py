"""Step 3: amount tokens and labels in one normalised line.

A token is one stated amount with what sits right around it: the label in
front (``令和2年度予算額(案):``), whether it is inside brackets (the
previous-year half of ``X百万円(Y百万円)``), footnote markers glued to it
(``※1``) and the words after it that make it a rate (``/年``).  Deciding what
the amount *is* happens in ``records``; this module only reads the line.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import regex

from .eras import ERA_YEAR_RE, EraYear, era_from_match
from .lexicon import alternation, lexicon
from .numbers import Amount, AmountError, amount_from_match, find_amounts, parse_amount, refusals

_LEX = lexicon()
log = logging.getLogger("yosan")
_KIND_OF = {word: kind for kind, words in _LEX.labels.items() for word in words}

LABEL_RE = regex.compile(
    rf"""
    (?:(?P<era>{ERA_YEAR_RE.pattern})\s?)?        # 令和2年度 / 令和元年度 / R2 (optional)
    (?:第\s?\d{{1,2}}\s?次\s?)?                     # 第2次 (補正予算)
    (?P<word>{alternation(list(_KIND_OF))})       # 予算額 / 前年度予算額 / 補正予算額 / 事業規模 ...
    (?:\s?\(第\s?\d{{1,2}}\s?号\))?                # (第1号)
    (?:\s?(?P<draft>\(案\)|案))?                  # (案): a draft
    """,
    regex.VERBOSE,
)

# What may stand between a label and its amount: punctuation, brackets, は,
# a calendar year ("市場見込み:2025年に約3.5兆円"), and a speck OCR read as a mark standing
# alone between spaces (`(前年度予算額) - 14,038百万円)`; not between tabs, where a dash is a
# table cell of its own: no amount).
_LABEL_GAP = regex.compile(
    r"""
    [\s:=、,は()\[\]【】〔〕<>]*+          # possessive: no class gives back what it took
    (?:(?<=[ ])[-‐ー—–.・](?=[ ]))?          # a lone speck between spaces
    [\s:=、,は()\[\]【】〔〕<>]*+
    (?:\d{4}年度?(?:に|で|の|は)?)?
    [\s:=、,()]*
    """,
    regex.VERBOSE,
)
_MARKER = regex.compile(r"※\d*")
# `・(前年度予算額)`, `-令和元年度補正予算額(案)`: a bullet, or a speck read as one
_LABEL_LINE_JUNK = regex.compile(r"[\s:()\[\]【】〔〕<>・.\-－]")


@dataclass(frozen=True)
class Label:
    kind: str  # budget | previous | supplementary | request | other
    era: EraYear | None
    draft: bool
    start: int
    end: int


@dataclass(frozen=True)
class Token:
    start: int  # span of the amount (sign, 約 and 程度 included) in the text
    end: int
    amount: Amount
    label: Label | None  # the label right before it, if any
    bracketed: bool  # inside ( ) — the previous-year half of a pair, or a share
    markers: str  # footnote markers glued after it: ※, ※1
    prefix: str  # text between the previous token (or the start) and this one
    suffix: str  # text between this token and the next (or the end)


def label_from_match(m: regex.Match[str]) -> Label:
    era = None
    if m["era"]:
        era = era_from_match(ERA_YEAR_RE.fullmatch(m["era"].strip()))
    return Label(_KIND_OF[m["word"]], era, bool(m["draft"]), m.start(), m.end())


def find_labels(text: str) -> list[Label]:
    return [label_from_match(m) for m in LABEL_RE.finditer(text)]


def label_only(text: str) -> list[Label]:
    """The labels of a line that holds nothing else (a box's label column)."""
    labels = find_labels(text)
    if not labels:
        return []
    rest = text
    for label in reversed(labels):
        rest = rest[: label.start] + rest[label.end :]
    return labels if not _LABEL_LINE_JUNK.sub("", rest) else []


def _label_before(prefix: str) -> Label | None:
    """The last label in ``prefix`` if only punctuation separates it from the amount."""
    labels = find_labels(prefix)
    if not labels:
        return None
    last = labels[-1]
    gap = _LABEL_GAP.fullmatch(prefix[last.end :])
    return last if gap else None


def _depth(text: str) -> int:
    return text.count("(") - text.count(")")


def find_tokens(text: str) -> list[Token]:
    """All amounts in a normalised line, with their surroundings."""
    matches = []
    for m in find_amounts(text):
        try:
            matches.append((m, amount_from_match(m)))
        except AmountError:
            continue
    tokens: list[Token] = []
    prev_end = 0
    depth, depth_at = 0, 0  # bracket depth up to depth_at, counted once (a line may be huge)
    for i, (m, amount) in enumerate(matches):
        depth += _depth(text[depth_at : m.start()])
        depth_at = m.start()
        next_start = matches[i + 1][0].start() if i + 1 < len(matches) else len(text)
        prefix = text[prev_end : m.start()]
        marker = _MARKER.match(text, m.end())
        end = m.end()
        markers = ""
        if marker and marker.end() > end:
            markers, end = marker[0], marker.end()
        # a marker glued to the previous amount is not part of this prefix
        prefix = _MARKER.sub("", prefix, count=1) if prefix.startswith("※") and i else prefix
        tokens.append(
            Token(
                start=m.start(),
                end=end,
                amount=amount,
                label=_label_before(prefix),
                bracketed=depth > 0,
                markers=markers,
                prefix=prefix,
                suffix=text[end:next_start],
            )
        )
        prev_end = end
    return tokens


# `(単位：百万円)` / `単位:千円`: the unit of the bare numbers in the table below.
UNIT_NOTE_RE = regex.compile(
    rf"""
    (?:{alternation(_LEX.unit_note)})\s?[:：]?\s?    # 単位 / 単位:
    (?P<unit>[{"".join(_LEX.small_units)}]?[{"".join(_LEX.large_units)}]?円)   # 百万円 / 千円 / 円
    """,
    regex.VERBOSE,
)

# A table cell holding only a number: 1,358 / △10,995 / ▲ 30,900 / 488451, maybe
# after the unit printed in the cell's corner (千円488,451, as budget books do).
_BARE_NUMBER = regex.compile(
    rf"""
    ^\s*
    (?P<unit>[{"".join(_LEX.small_units)}]?[{"".join(_LEX.large_units)}]?円)?\s?
    (?P<number>
        (?:[▲△]\s?|-(?=\d))?                   # a negative sign
        (?:\d{{1,3}}(?:,\d{{3}})+|\d+)         # grouped or plain digits (no decimals: money)
    )
    \s*$
    """,
    regex.VERBOSE,
)


def unit_note(text: str) -> str | None:
    """The unit a `(単位：X)` note in the line declares, or None."""
    m = UNIT_NOTE_RE.search(text)
    return m["unit"] if m else None


def bare_number_token(cell: str, unit: str | None) -> Token | None:
    """A number standing alone in a table cell, read in its own or the table's unit."""
    m = _BARE_NUMBER.match(cell)
    if not m or not (m["unit"] or unit):
        return None
    try:
        amount = parse_amount(m["number"].replace(" ", "") + (m["unit"] or unit))
    except AmountError:
        return None
    start, end = m.span("number")
    return Token(start, end, amount, None, False, "", cell[:start], cell[end:])


def warn_refused_amounts(
    positions: Sequence[tuple[int | None, int]], texts: Sequence[str], source: str
) -> int:
    """One warning per amount a line states that gives no record (``numbers.refusals``).

    ``texts`` are the normalised lines, ``positions`` their (page, line).  An
    odd amount costs its own record, never the document's, and never
    silently.  Returns how many were refused.
    """
    count = 0
    for (page, number), text in zip(positions, texts, strict=True):
        if "円" not in text:
            continue
        for snippet, reason in refusals(text):
            where = f"page {page}: " if page is not None else ""
            shown = snippet if len(snippet) <= 60 else f"{snippet[:28]}…{snippet[-28:]}"
            log.warning("%s: %sline %d: amount %r not read: %s", source, where, number, shown, reason)
            count += 1
    return count
