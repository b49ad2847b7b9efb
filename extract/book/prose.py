"""Sentences of a municipal summary that state a figure and its change.

``令和４年度一般会計当初予算は、23,340,000千円で、令和３年度当初予算に比べて、
490,000千円、2.1％の減額`` states the budget of FY2022 and its difference
from the year before, −490,000千円: the sign comes from 減額, the year from
the subject (or the document).  ``自主財源は、…、対前年度比 56,718千円の増`` is a
difference too, never a previous-year amount.  The programme is the subject of
the sentence without the words around it (``一般会計``, ``自主財源``).
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from ..eras import ERA_YEAR_RE, era_from_match
from ..lexicon import alternation, book_prose
from ..model import Kind
from ..numbers import AMOUNT_RE, parse_amount

_W = book_prose()
_AMOUNT = AMOUNT_RE.pattern

SENTENCE_RE = regex.compile(
    rf"""
    (?P<subject>[^、。,\s][^、。,]{{0,40}}?)(?:{alternation(_W["topic"])})、?\s?
    (?P<amount>{_AMOUNT})                                      # 23,340,000千円
    [^。]{{0,30}}?                                              # で、令和３年度当初予算
    (?:{alternation(_W["compare"])})、?\s?                      # に比べて、 / 対前年度比
    (?P<change>{_AMOUNT})                                      # 490,000千円
    (?:、?\s?[\d.]+\s?[%％])?                                  # 2.1％
    の?\s?(?P<direction>{alternation(_W["increase"] + _W["decrease"])})?
    """,
    regex.VERBOSE,
)
_VERBS = alternation(_W["article_up"] + _W["article_down"] + _W["article_revised"] + _W["article_budget"])
ARTICLE_RE = regex.compile(
    rf"""
    (?:{alternation(_W["article_total"])})(?P<particle>[にをは])、?\s?     # 総額に / 総額を / 総額は
    (?:{alternation(_W["article_each"])})\s?                               # 歳入歳出それぞれ
    (?P<amount>{_AMOUNT})\s?                                              # 198億2,530万円
    (?P<verb>{_VERBS})                                                     # を増額 / とする / と定める
    """,
    regex.VERBOSE,
)
_SPACED_COMMA = regex.compile(r"(?<=\d)\s?[,，]\s?(?=\d{3})")
_LEAD = regex.compile(rf"^(?:{alternation(_W['subject_lead'])})")
_TAIL = regex.compile(rf"(?:{alternation(_W['subject_tail'])})$")


@dataclass(frozen=True)
class Statement:
    program: str
    kind: Kind
    fiscal_year: int | None  # the year the subject states, else None (the document's)
    yen: int
    unit: str
    start: int  # span of the amount in the sentence's text
    end: int


def subject_name(subject: str) -> tuple[str, int | None]:
    """The programme a subject names and the year it states (令和４年度一般会計当初予算 → 一般会計, 2022)."""
    year = None
    m = ERA_YEAR_RE.search(subject)
    if m is not None:
        year = era_from_match(m).fiscal_year
        subject = subject[m.end() :]
    subject = _LEAD.sub("", subject.strip())
    subject = _TAIL.sub("", subject).strip() or subject
    return subject, year


def _yen(text: str) -> tuple[int, str]:
    amount = parse_amount(text)
    yen = int(amount.yen)
    return (-yen if amount.negative else yen), amount.unit


def read_articles(text: str) -> list[Statement]:
    """The totals a budget's 第1条 states (program '' stands for the account)."""
    out: list[Statement] = []
    for m in ARTICLE_RE.finditer(text):
        yen, unit = _yen(m["amount"])
        verb = m["verb"]
        if verb in _W["article_budget"]:
            kind = Kind.BUDGET
        elif verb in _W["article_revised"]:
            kind = Kind.REVISED
        else:
            kind = Kind.SUPPLEMENTARY
            if verb in _W["article_down"]:
                yen = -yen
        out.append(Statement("", kind, None, yen, unit, *m.span("amount")))
    return out


def read_sentences(text: str) -> list[Statement]:
    """The figures a normalised line of prose states with their change (or a 第1条 its totals)."""
    if _SPACED_COMMA.search(text):
        text = _SPACED_COMMA.sub(",", text)  # 889億1 , 130万円 (OCR)
    out: list[Statement] = read_articles(text)
    for m in SENTENCE_RE.finditer(text):
        program, year = subject_name(m["subject"])
        if not program:
            continue
        yen, unit = _yen(m["amount"])
        out.append(Statement(program, Kind.BUDGET, year, yen, unit, *m.span("amount")))
        change, change_unit = _yen(m["change"])
        if m["direction"] in _W["decrease"] and change > 0:
            change = -change
        out.append(Statement(program, Kind.DIFFERENCE, year, change, change_unit, *m.span("change")))
    return out
