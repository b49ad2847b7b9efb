"""Step 4: amount tokens become records, each tied to its owner.

Budget PR documents state each figure in one of a few layouts (see
``../shared/notes/document-anatomy.md`` and the README): a labelled box whose
labels and values may sit on different lines, ``X百万円(Y百万円)`` pairs under
a title, numbered breakdown items, flattened tab-separated tables, 補正 lines in
【】 and ※ notes.  One pass over the lines keeps just enough state to resolve
them: the chapter, the page's programme (set by its amount box), a queue of
box labels still waiting for values, and recent headings.  Owners are objects
so that a box whose title is missing can be renamed once its figures are
known (they repeat a figure pair stated earlier under the programme's name).
"""

from __future__ import annotations

import functools
import itertools
from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import regex

from .eras import ERA_YEAR_RE, era_from_match
from .layout.wrap import CLOSE, OPEN
from .lexicon import alternation, lexicon, roman_item
from .model import Layer, Page, Record, Table, TextLine
from .names import allowed_misreads, inside
from .normalize import NormText, normalize_map, strip_markdown, tidy_spaces
from .tokens import (
    UNIT_NOTE_RE,
    Label,
    Token,
    bare_number_token,
    find_labels,
    find_tokens,
    label_only,
    unit_note,
    warn_refused_amounts,
)

_LEX = lexicon()

KINDS = ("budget", "previous", "supplementary", "request", "other")


# --- line classification ---------------------------------------------------

_SECTION_RE = regex.compile(
    r"""
    ^(?:第\s?(?P<num2>\d{1,2})\s?[章部節]\s?      # 第5章 …
      | (?P<num>\d{1,2})\s?[.．、]\s?)            # 5. … / 5 . … / 5．…
    (?P<title>(?!\d)\S.{1,80})$                   # a title, not another number
    """,
    regex.VERBOSE,
)
_STRONG = alternation(_LEX.strong_markers)
_WEAK = alternation(_LEX.weak_markers)
# Item markers at the start of a title: ① / I / 1. / (1) / ○ / ◆, possibly
# after a Markdown bullet.
_ITEM_RE = regex.compile(
    rf"""
    ^(?:(?:{_WEAK})\s?)*                          # - / ・ / ✓ bullets (Markdown or typed)
    (?P<strong>
        (?:{_STRONG})                             # ① ○ ◆ ...
      | {roman_item()}\.?                        # I / II. / II疾患… (lexicon.roman_item)
      | \(\d{{1,2}}\) | \d{{1,2}}\)                 # (1) / 1)
      | \d{{1,2}}[.．](?!\d)                       # 1. (not 1.5)
    )?\s?
    """,
    regex.VERBOSE,
)
_WEAK_START = regex.compile(rf"^(?:{_WEAK})")
_BRACKETED_ONLY = regex.compile(r"^[【\[〔《(<].*[】\]〕》)>]$")
_PERIOD_NOTE = regex.compile(r"\s?[《(\[](?:[^《》()\[\]]*(?:年度|年)[^《》()\[\]]*)[》)\]]\s?$")
_ERAS = alternation([e.name for e in _LEX.eras])
# The same period whose opening bracket OCR lost: `…研究プログラム平成29〜令和3年度》`.
_UNOPENED_PERIOD = regex.compile(
    rf"""
    (?=.{{0,40}}$)                                 # first: only near the end (linear on any line)
    (?<![《(\[][^《》()\[\]]*)                    # no bracket of its own opened before it
    \s?(?:{_ERAS})\s?(?:\d{{1,2}}|元)(?:年度?)?     # from an era's year
    [~〜～\-ー－][^《》()\[\]]{{0,12}}?(?:年度?)?   # to another
    [》)\]]\s?$
    """,
    regex.VERBOSE,
)
# `※<programme>の前年度予算額には…` names the programme whose note it is.
_NAMED_NOTE = regex.compile(rf"※?\s?(?P<name>.+?)の(?:{alternation(_LEX.previous_note)})")
_SPACES = regex.compile(r"\s+")
_ORG = regex.compile(r"^<(?P<name>[^<>]+)>")
# A quote or bracket opening a title that never closes: a mark read by OCR; a lone kana glued
# to a Latin name opening a title: bold marks (``**SACLA…``) read as ``せ``.
_DANGLING_OPEN = regex.compile(
    r"""^(?:[_"'`“”]|『(?!.*』)|「(?!.*」)|>(?!.*<)|\p{Hiragana}(?=[A-Z]{2}))\s?"""
)
_NOTE_MARKS = regex.compile(r"(?:\s?※[\d*]*)+$")  # ※, ※1, ※* (bold marks read as *)
_TRAILING_SPECK = regex.compile(r"(?<=[\p{Han}\p{Hiragana}\p{Katakana}ー])\s?[.・,、]+$")
# The lookahead first: the lookbehinds scan the whole line, so only at its end.
_DANGLING_CLOSE = regex.compile(r"""(?=\s?[“”"]$)\s?(?:“|(?<!“.*)”|(?<!"[^"]*)")$""")
_ENCLOSED = regex.compile(r"[<＜](?P<name>[^<>＜＞]+)[>＞]")
UNIT_ONLY_RE = regex.compile(rf"[{''.join(_LEX.small_units)}]?[{''.join(_LEX.large_units)}]?円")
_UNIT_NOTE_ONLY = regex.compile(rf"[(\[]?\s?{UNIT_NOTE_RE.pattern}\s?[)\]]?", regex.VERBOSE)


@functools.lru_cache(maxsize=4096)
def clean_title(text: str) -> str:
    """A programme name as written, without Markdown, bullets, numbering or ※ marks (cached: the
    record builder asks again for each line it looks back on)."""
    text = strip_markdown(text).strip()
    text = _ITEM_RE.sub("", text, count=1)
    text = _NOTE_MARKS.sub("", text.strip())
    text = text.strip(" :=(【[〔").strip()
    enclosed = _ENCLOSED.fullmatch(text)  # <日本学術振興会>: an organisation named as a column
    text = enclosed["name"] if enclosed else text
    text = _PERIOD_NOTE.sub("", text).rstrip(" 「『(【[〔'\"`")  # 《平成29～令和3年度》; a dangling mark
    text = _UNOPENED_PERIOD.sub("", text)
    text = _DANGLING_OPEN.sub("", text)  # `"業務実施費`, `『SACLAの…`, `>QSTにおける…`
    text = _DANGLING_CLOSE.sub("", text)  # `SACLAの共用運転の実施“` (bold marks read as a quote)
    text = _TRAILING_SPECK.sub("", text)  # `…交流事業.`, `…HPCIの運営・`: no name ends in a point
    text = _NOTE_MARKS.sub("", text)  # inside the quotes OCR read around bold text: `"…【再掲】※*"`
    return tidy_spaces(_drop_unopened_close(text))


def _drop_unopened_close(text: str) -> str:
    """A name without the bracket it ends with when nothing in it opened one: OCR reads a speck
    or the edge of a box as ``」`` (``橋渡し研究戦略的推進プログラム」``); a name never ends by
    closing what it did not open (``大強度陽子加速器施設(J-PARC)`` keeps its bracket)."""
    while text and text[-1] in CLOSE:
        opener = OPEN[CLOSE.index(text[-1])]
        if text.count(opener) >= text.count(text[-1]):
            break
        text = text[:-1].rstrip()
    return text


_CONTENT = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}A-Za-z]")
_CHAPTER_NUMBER = regex.compile(r"^\d+\.\s?")
_NOTE_NUMBER = regex.compile(r"※\s?(\d+)")


def _cell_offsets(cells: Sequence[str]) -> list[int]:
    """Where each tab-separated cell starts in its line (in one pass: a row may have 10^5 cells)."""
    return [0, *itertools.accumulate(len(c) + 1 for c in cells[:-1])]


def _is_content(text: str) -> bool:
    return bool(_CONTENT.search(text))


@functools.lru_cache(maxsize=4096)
def heading_kind(text: str) -> str | None:
    """'strong' (numbered item), 'plain' (title), 'weak' (a bullet) or None (cached: lines are
    asked again as the builder looks back for titles)."""
    s = strip_markdown(text).strip()
    if not s or not _is_content(s) or label_only(s):
        return None
    if s.startswith(("※", "http", "(", "[", "〔")) or _BRACKETED_ONLY.match(s):
        return None
    m = _ITEM_RE.match(s)
    title = clean_title(s)
    if not title or title in _LEX.not_titles or len(title) > 60 or "。" in title:
        return None
    if m and m["strong"]:
        return "strong"
    if _WEAK_START.match(s):
        return "weak"
    return "plain"


@dataclass(frozen=True)
class Heading:
    index: int  # line index
    name: str


@dataclass(eq=False)
class Owner:
    """Who an amount belongs to; mutable so a box's name can be resolved late."""

    name: str
    parent: Owner | None = None
    is_section: bool = False

    def parent_name(self) -> str:
        p = self.parent
        return p.name if p is not None and not p.is_section else ""


@dataclass(eq=False)
class AmountBox:
    """A labelled amount box: its owner is settled once its figures are known."""

    owner: Owner
    candidate: str | None  # the heading found above it, if any
    from_section: bool
    budget: int | None = None
    previous: int | None = None


@dataclass(eq=False)
class _Draft:
    line_index: int
    token: Token | None
    owner: Owner
    kind: str
    fiscal_year: int | None
    era: str
    account: str
    status: str
    amount_yen: int
    unit: str
    approx: bool
    markers: str
    box: AmountBox | None = None
    notes: list[str] = field(default_factory=list)
    offset: int = 0  # where the token's text starts within the line
    section: Owner | None = None
    queued: bool = False  # its label was queued on an earlier line (labels above, values below)


@dataclass(frozen=True)
class DocumentFacts:
    fiscal_year: int | None
    main_kind: str  # "budget", or "request" for 概算要求 documents


def document_facts(texts: Sequence[str], fiscal_year: int | None = None) -> DocumentFacts:
    """The document's own year: the most frequent year on its budget (or request) labels."""
    years: Counter[int] = Counter()
    kinds: Counter[str] = Counter()
    for text in texts:
        for label in find_labels(text):
            if label.kind in ("budget", "request"):
                kinds[label.kind] += 1
                if label.era:
                    years[label.era.fiscal_year] += 1
    if not years:  # fall back on a title such as 令和2年度予算(案)
        for text in texts:
            m = regex.search(rf"(?:{ERA_YEAR_RE.pattern})\s?(?:当初)?予算", text, flags=regex.VERBOSE)
            if m:
                years[era_from_match(ERA_YEAR_RE.search(m[0])).fiscal_year] += 1
                break
    year = max(years, key=lambda y: (years[y], y)) if years else None
    main_kind = "request" if kinds["request"] > kinds["budget"] else "budget"
    return DocumentFacts(fiscal_year if fiscal_year is not None else year, main_kind)


def _overlap(a: str, b: str) -> float:
    """Share of the shorter name's characters found in the other (case-folded)."""
    sa, sb = set(a.casefold()) - {" "}, set(b.casefold()) - {" "}
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / min(len(sa), len(sb))


HEADING_MATCH = 10  # a title this long is found in a chapter heading OCR misread a little


def _in_heading(title: str, heading: str) -> bool:
    """Whether ``title`` is a stretch of the chapter ``heading``: exactly, or, for a long title,
    with a misread or two in either (``科学技術イフペーション政策の推進`` in a heading scanned,
    the title under it read right)."""
    if len(title) < HEADING_MATCH:
        return title in heading
    return inside(title, heading, allowed_misreads(title))


class _Walker:
    """One pass over the normalised lines of a document."""

    MAX_TITLE_DISTANCE = 8  # non-blank lines to look back for a title
    ORPHAN_WINDOW = 30  # lines within which an unused heading may own a total
    LABEL_QUEUE_TTL = 12  # lines a box label waits for its value

    def __init__(
        self, texts: list[str], facts: DocumentFacts, cells: Sequence[list[str] | None] = ()
    ) -> None:
        self.texts = texts
        self.cells = list(cells) or [None] * len(texts)  # a table row's cells, else None
        self.facts = facts
        self.tokens: dict[int, list[Token]] = {}
        self.drafts: list[_Draft] = []
        self.section_no: int | None = None
        self.section = Owner("", is_section=True)
        self.section_has_box = False
        self.page: Owner = self.section
        self.last_item: Owner | None = None
        self.last_budget_owner: Owner | None = None
        self.queue: deque[tuple[int, Label]] = deque()
        self.box: AmountBox | None = None
        self.headings: list[Heading] = []
        self.used_headings: set[int] = set()
        self.group: list[_Draft] = []
        self.table_header: tuple[int, list[str]] | None = None
        # a header of kind labels (予算額 | 前年度予算額 | 補正予算額) and the
        # `(単位：百万円)` unit of bare numbers, both alive while the table goes on
        self.kind_header: list[Label | None] | None = None
        self.table_unit: str | None = None
        self.table_at = -100

    # -- helpers -------------------------------------------------------------

    def line_tokens(self, index: int) -> list[Token]:
        if index not in self.tokens:
            self.tokens[index] = find_tokens(self.texts[index])
        return self.tokens[index]

    def section_heading(self, index: int) -> tuple[int, str] | None:
        m = _SECTION_RE.match(self.texts[index].strip())
        if not m or self.line_tokens(index):
            return None
        title = tidy_spaces(m["title"])
        if title.endswith("。") or len(title) > 70 or not _is_content(title[:3]):
            return None
        number = int(m["num"] or m["num2"])
        if self.section_no is not None and number < self.section_no:
            return None
        return number, f"{number}. {title}"

    def scan_back(self, index: int) -> str | Owner | None:
        """The title above line ``index``: a name, the section Owner, or None."""
        seen = 0
        section_title = _CHAPTER_NUMBER.sub("", self.section.name).replace(" ", "")
        for j in range(index - 1, max(-1, index - 60), -1):
            text = self.texts[j].strip()
            if not text:
                continue
            if self.line_tokens(j):
                return None
            if self.section_heading(j):
                return self.section
            seen += 1
            if seen > self.MAX_TITLE_DISTANCE:
                return None
            if label_only(text):
                continue
            kind = heading_kind(text)
            if kind in ("strong", "plain"):
                title = self.heading_title(j)
                self.used_headings.add(j)  # (the chapter's line too: no group total's title)
                if section_title and len(title) >= 4 and _in_heading(title.replace(" ", ""), section_title):
                    return self.section  # the second line of a wrapped chapter heading
                return title
        return None

    def heading_title(self, index: int) -> str:
        return clean_title(self.texts[index])

    def orphan_heading(self, index: int) -> str | None:
        """The latest heading that owns no amount yet (a group total's title)."""
        for heading in reversed(self.headings):
            if index - heading.index > self.ORPHAN_WINDOW:
                break
            if heading.index not in self.used_headings:
                self.used_headings.add(heading.index)
                return heading.name
        return None

    def item_owner(self, name: str) -> Owner:
        parent = None if self.page.is_section else self.page
        return Owner(name, parent)

    # -- the pass ------------------------------------------------------------

    def run(self) -> list[_Draft]:
        for index, text in enumerate(self.texts):
            stripped = text.strip()
            if not stripped:
                continue
            heading = self.section_heading(index)
            if heading:
                self.enter_section(*heading)
                continue
            unit = unit_note(stripped)
            if unit:
                self.table_unit, self.table_at = unit, index
                if _UNIT_NOTE_ONLY.fullmatch(stripped):
                    continue
            row = self.cells[index]
            if row is not None and len(row) > 1 and self.table_row(index, row):
                continue
            tokens = self.line_tokens(index)
            if tokens:
                self.expire_queue(index)
                self.amounts(index, text, tokens, 0)
                # `…382百万円(373百万円) 【令和元年度補正予算額(案)` with its value on the next line
                trailing = label_only(tokens[-1].suffix.strip())
                if trailing and all(label.kind == "supplementary" for label in trailing):
                    self.queue.extend((index, label) for label in trailing)
                continue
            labels = label_only(stripped)
            if labels:
                self.expire_queue(index)
                self.push_labels(index, labels)
            elif stripped.startswith("※"):
                self.note(index, stripped)
            else:
                self.content(index, stripped)
        return self.drafts

    def enter_section(self, number: int, name: str) -> None:
        if number == self.section_no:
            if len(name.replace(" ", "")) > len(self.section.name.replace(" ", "")):
                self.section.name = name
            return
        self.section_no = number
        self.section = Owner(name, is_section=True)
        self.section_has_box = False
        self.page = self.section
        self.last_item = None
        self.last_budget_owner = None
        self.queue.clear()
        self.box = None
        self.headings.clear()
        self.group = []

    def content(self, index: int, text: str) -> None:
        """A line without money: maybe a heading, maybe prose; it ends a figure group."""
        kind = heading_kind(text)
        if kind in ("strong", "plain"):
            self.headings.append(Heading(index, self.heading_title(index)))
            if self.table_header and self.table_header[0] != index:
                self.table_header = None  # a title between: the tab row above was not this table's header
        if clean_title(text) not in _LEX.not_titles:
            self.group = []
            self.queue.clear()
        if "※" in text:
            self.resolve_bare_markers(text[text.index("※") :])

    def expire_queue(self, index: int) -> None:
        while self.queue and index - self.queue[0][0] > self.LABEL_QUEUE_TTL:
            self.queue.popleft()

    def push_labels(self, index: int, labels: list[Label]) -> None:
        for label in labels:
            if label.kind in ("budget", "request") and not self.queue:
                self.open_box(index, None)
            self.queue.append((index, label))

    def open_box(self, index: int, title: str | None) -> Owner:
        """A labelled box starts: it names the page's programme."""
        if title:
            owner, candidate, from_section = Owner(title), title, False
        else:
            found = self.scan_back(index)
            if isinstance(found, Owner):
                owner, candidate, from_section = found, None, True
            elif found:
                owner, candidate, from_section = Owner(found), found, False
            elif not self.section_has_box and self.section.name:
                owner, candidate, from_section = self.section, None, True
            else:
                owner, candidate, from_section = Owner(self.page.name or ""), None, False
        if owner.is_section:
            self.section_has_box = True
        self.box = AmountBox(owner, candidate, from_section)
        self.group = []
        self.page = owner
        self.last_item = None
        return owner

    # -- notes -----------------------------------------------------------------

    def note(self, index: int, text: str) -> None:
        m = _NOTE_NUMBER.match(text)
        if m:
            key = "※" + m[1]
            targets = [d for d in self.drafts[-40:] if d.markers == key]
            for d in targets:
                d.notes.append(text)
            if targets:
                return
        if self.resolve_bare_markers(text):
            return
        # An unnumbered remark under an amount box (※運営費交付金中の推計額含む)
        # annotates the box; under other lines it is too loose to attach.
        if self.group and self.group[0].box is not None:
            for d in self.group:
                if d.box is not None:
                    d.notes.append(text)

    def resolve_bare_markers(self, text: str) -> bool:
        pending = [d for d in self.drafts[-10:] if d.markers == "※" and not d.notes]
        for d in pending:
            d.notes.append(text)
        return bool(pending)

    # -- tables ----------------------------------------------------------------

    TABLE_GAP = 6  # lines a table header or unit note waits for the next row

    def kind_table_row(self, index: int, cells: list[str], cell_tokens: list[list[Token]]) -> bool:
        """A row under a header of kind labels: the row names a programme, the columns say the kind."""
        units = {_SPACES.sub("", c) for c in cells if c.strip()}
        if units and all(UNIT_ONLY_RE.fullmatch(u) for u in units) and len(units) == 1:
            self.table_unit, self.table_at = units.pop(), index  # 千円 over every column
            return True
        labels = [label_only(_SPACES.sub("", c)) for c in cells]  # 比　　較: spaced-out headings
        if not any(cell_tokens) and sum(1 for ls in labels if ls) >= 2:
            self.kind_header = [ls[0] if ls else None for ls in labels]
            self.table_at = index
            return True
        if index - self.table_at > self.TABLE_GAP:
            self.kind_header = self.table_unit = None
            return False
        header = self.kind_header
        if header is None:
            return False
        found: list[tuple[int, Token]] = []
        for i, cell in enumerate(cells):
            if i >= len(header) or header[i] is None:
                continue
            if cell_tokens[i]:
                found.append((i, cell_tokens[i][0]))
            elif token := bare_number_token(cell, self.table_unit):
                found.append((i, token))
                self.table_unit = self.table_unit or token.amount.unit  # 千円 printed in the first row
        if not found:
            return False
        self.table_at = index
        used = {i for i, _ in found}
        name = next((clean_title(c) for i, c in enumerate(cells) if i not in used and _is_content(c)), "")
        owner = self.item_owner(name) if name else self.page
        offsets = _cell_offsets(cells)
        for i, token in found:
            self.amount(index, token, header[i], None, None, owner, offsets[i])
        return True

    def table_row(self, index: int, cells: list[str]) -> bool:
        """A table's row: a header of kinds or of programme names, then amount rows."""
        cell_tokens = [find_tokens(cell) for cell in cells]
        if self.kind_table_row(index, cells, cell_tokens):
            return True
        amount_cells = [i for i, toks in enumerate(cell_tokens) if toks]
        if not amount_cells:
            names = [c.strip() for c in cells]
            if sum(1 for n in names if n) >= 2 and all(len(n) <= 80 for n in names):
                self.table_header = (index, [_PERIOD_NOTE.sub("", clean_title(n)) for n in names])
            return False
        header = self.table_header
        offsets = _cell_offsets(cells)
        if header and index - header[0] <= 6:
            names = header[1]
            columns = [i for i in amount_cells if i < len(names) and names[i]]
            row_labels = label_only(cells[0].strip()) if 0 not in amount_cells else []
            # a transposed table: kinds down the first column, programmes across
            if columns and (row_labels or len(columns) >= 2 or not cells[0].strip()):
                for i in columns:
                    owner = self.item_owner(names[i])
                    self.amounts(index, cells[i], cell_tokens[i], offsets[i], owner, row_labels[:1])
                return True
        if len(amount_cells) >= 2:
            for i in amount_cells:
                self.amounts(index, cells[i], cell_tokens[i], offsets[i])
            return True
        return False

    # -- amounts ---------------------------------------------------------------

    def amounts(
        self,
        index: int,
        text: str,
        tokens: list[Token],
        offset: int,
        column: Owner | None = None,
        row_labels: list[Label] | None = None,
    ) -> None:
        note_start = self.note_start(text, tokens)
        first = tokens[0]
        if note_start is None and first.bracketed and self.ended_programme(first.prefix):
            # the rest of a ※ note a column or page break cut: `終了事業の…(354百万円)が含まれる`
            note_start = 0
        title = None
        if column is None and (note_start is None or first.start < note_start):
            title = self.same_line_title(index, first)
        prev = self.pair_above(index, first) if column is None else None
        for i, token in enumerate(tokens):
            if note_start is not None and token.start > note_start:
                prev = self.note_amount(index, text[note_start:], token, prev, offset)
                continue
            label = token.label or (row_labels[0] if row_labels and i == 0 else None)
            prev = self.amount(index, token, label, prev, title if i == 0 else None, column, offset)

    def pair_above(self, index: int, first: Token) -> _Draft | None:
        """The budget amount that ends the line above, when this line opens with a bracketed amount
        and nothing before it: the two halves of a ``X百万円(Y百万円)`` pair that a page or column
        break parted (wrap joining only sees the lines of one column)."""
        if not first.bracketed or first.label is not None or first.prefix.strip(" (（"):
            return None
        last = self.drafts[-1] if self.drafts else None
        if last is None or last.token is None or last.kind not in ("budget", "request"):
            return None
        if last.line_index != self.previous_nonblank(index) or last.token.suffix.strip(" ※*"):
            return None
        return last

    @staticmethod
    def note_start(text: str, tokens: list[Token]) -> int | None:
        """Where a ※ remark starts in the line (a ※ glued to an amount is a marker)."""
        glued = {t.end - len(t.markers) for t in tokens if t.markers}
        for m in regex.finditer("※", text):
            if m.start() not in glued:
                return m.start()
        return None

    def same_line_title(self, index: int, token: Token) -> str | None:
        prefix = token.prefix[: token.label.start] if token.label else token.prefix
        org = _ORG.match(strip_markdown(prefix).strip().lstrip("-・ "))
        if org:
            return tidy_spaces(org["name"])
        title = clean_title(prefix)
        if not title or not _is_content(title) or title.endswith("。"):
            return None
        if any(w in title for w in _LEX.reconstruction):
            return None
        if title.startswith(("+", "＋")):  # `基盤的研究・人材育成拠点` / `+ 共進化…0.2億円`
            above = self.previous_nonblank(index)
            if above is not None and heading_kind(self.texts[above]) in ("plain", "strong"):
                self.used_headings.add(above)
                title = self.heading_title(above) + title
        return title

    def previous_nonblank(self, index: int) -> int | None:
        for j in range(index - 1, -1, -1):
            if self.texts[j].strip():
                return j
        return None

    def classify(
        self, token: Token, label: Label | None, prev: _Draft | None, bare: bool
    ) -> tuple[str, Label | None]:
        if label is not None:
            return label.kind, label
        if self.other_context(token):
            return "other", None
        if token.bracketed and prev is not None and prev.kind in ("budget", "request"):
            if self.queue and self.queue[0][1].kind == "previous":
                self.queue.popleft()
            return "previous", None
        if bare and self.queue:
            _, queued = self.queue.popleft()
            return queued.kind, queued
        return self.facts.main_kind, None

    @staticmethod
    def other_context(token: Token) -> bool:
        after = token.suffix.replace(" ", "")[:16]
        if any(w in after for w in _LEX.other_after):
            return True
        return any(w in token.prefix[-12:] for w in _LEX.other_period)

    def amount(
        self,
        index: int,
        token: Token,
        label: Label | None,
        prev: _Draft | None,
        title: str | None,
        column: Owner | None,
        offset: int,
    ) -> _Draft:
        # `5,975百万円 5,671百万円` under two queued labels: each value takes the next label
        after_queued = prev is not None and prev.queued and prev.line_index == index
        bare = title is None and (prev is None or after_queued) and column is None and not label
        kind, label = self.classify(token, label, prev, bare)
        from_queue = label is not None and token.label is None and column is None
        year = self.facts.fiscal_year
        earlier = label is not None and label.era is not None and year and label.era.fiscal_year < year
        if earlier and label.kind in ("budget", "request"):  # type: ignore[union-attr]
            kind = "previous"  # e.g. (令和元年度予算額 5,671百万円) in a FY2020 document
        reconstruction = any(w in token.prefix for w in _LEX.reconstruction) or (
            prev is not None and prev.account == "reconstruction" and token.bracketed
        )
        box = None
        if reconstruction:
            owner = prev.owner if prev else (self.last_budget_owner or self.page)
            if kind != "previous" and not (token.bracketed and prev):
                kind = "budget" if kind != "other" else kind
        elif column is not None and kind != "supplementary":
            owner = column  # a table cell: the row's or the column's programme
        elif kind == "other":
            owner = self.page  # grant sizes, caps, totals: money of the page's programme
        elif kind == "supplementary":
            owner = self.supplementary_owner(token, prev, column, from_queue)
            if self.box is not None and owner is self.box.owner:
                box = self.box
        elif kind == "previous" and prev is not None:
            owner, box = prev.owner, prev.box
        elif kind == "previous":
            if from_queue and self.box is not None:
                owner = self.box.owner
            else:
                owner = self.last_budget_owner or self.page
            box = self.box if self.box is not None and owner is self.box.owner else None
        elif label is not None:  # a labelled box: it names the page's programme
            owner = self.box.owner if from_queue and self.box is not None else self.open_box(index, title)
            box = self.box
        elif title is not None:
            if token.bracketed and prev is None:  # `<日本学術振興会> (39百万円)`: a share
                owner = Owner(title, self.last_item or (None if self.page.is_section else self.page))
            else:
                owner = self.item_owner(title)
                self.last_item = owner
        else:
            owner = self.bare_owner(index)
        if box is not None:
            if kind in ("budget", "request") and box.budget is None:
                box.budget = int(token.amount.yen)
            elif kind == "previous" and box.previous is None:
                box.previous = int(token.amount.yen)
        draft = _Draft(
            line_index=index,
            token=token,
            owner=owner,
            kind=kind,
            fiscal_year=self.fiscal_year(kind, label),
            era=label.era.label if label and label.era and kind != "other" else "",
            account="reconstruction" if reconstruction else "general",
            status="draft" if label and label.draft and kind != "other" else "",
            amount_yen=int(token.amount.yen),
            unit=token.amount.unit,
            approx=token.amount.approx,
            markers=token.markers,
            box=box,
            offset=offset,
            queued=from_queue,
        )
        self.add(draft)
        return draft

    def bare_owner(self, index: int) -> Owner:
        found = self.scan_back(index)
        if isinstance(found, Owner):
            return found
        if found is None:
            found = self.orphan_heading(index)
        if found is None:
            return self.page
        owner = self.item_owner(found)
        self.last_item = owner
        return owner

    def supplementary_owner(
        self, token: Token, prev: _Draft | None, column: Owner | None, from_queue: bool
    ) -> Owner:
        if column is not None:
            return column
        if from_queue and self.box is not None:
            # `令和元年度補正予算額(案)` over its value, right after an item's own amounts below
            # the box (`地球環境…プログラム 382百万円(373百万円)`): the item's
            last = next((d for d in reversed(self.drafts) if d.kind in ("budget", "request")), None)
            box_drafts = [i for i, d in enumerate(self.drafts) if d.box is self.box]
            if (
                last is not None
                and last.box is None
                and last.owner is not self.box.owner
                and box_drafts
                and self.drafts.index(last) > box_drafts[-1]
            ):
                return last.owner
            return self.box.owner
        amount = int(token.amount.yen)
        for d in reversed(self.drafts):  # the same 補正 figure stated again on this page
            same_page = d.box is not None and d.box is self.box and d.owner is self.box.owner
            if same_page and d.kind == "supplementary" and d.amount_yen == amount:
                return d.owner
        if prev is not None:
            return prev.owner
        return self.last_budget_owner or self.page

    def fiscal_year(self, kind: str, label: Label | None) -> int | None:
        if kind == "other":
            return None
        if label and label.era:
            return label.era.fiscal_year
        year = self.facts.fiscal_year
        if year is None:
            return None
        return year - 1 if kind == "previous" else year

    def note_amount(self, index: int, note: str, token: Token, prev: _Draft | None, offset: int) -> _Draft:
        """An amount inside a ※ remark: reconstruction account, an ended programme, or other."""
        owner = self.last_budget_owner or self.page
        account = "general"
        if any(w in note for w in _LEX.reconstruction) and ("別途" in note or "計上" in note):
            kind = "previous" if token.bracketed and prev is not None else "budget"
            account = "reconstruction"
            if prev is not None:
                owner = prev.owner
        elif token.bracketed and (
            any(w in note for w in _LEX.previous_note) or self.ended_programme(token.prefix)
        ):
            kind = "previous"
            name = self.ended_programme(token.prefix)
            named = _NAMED_NOTE.match(note)
            if named:
                owner = Owner(tidy_spaces(named["name"]))
            owner = Owner(name, owner) if name else owner
        else:
            kind, owner = "other", self.page
        draft = _Draft(
            line_index=index,
            token=token,
            owner=owner,
            kind=kind,
            fiscal_year=self.fiscal_year(kind, None),
            era="",
            account=account,
            status="",
            amount_yen=int(token.amount.yen),
            unit=token.amount.unit,
            approx=token.amount.approx,
            markers=token.markers,
            offset=offset,
        )
        draft.notes.append(note.strip())
        self.add(draft)
        return draft

    @staticmethod
    def ended_programme(prefix: str) -> str | None:
        text = prefix.rstrip(" (")
        for word in _LEX.ended_programme:
            if word in text:
                return tidy_spaces(text.rsplit(word, 1)[1])
        return None

    def add(self, draft: _Draft) -> None:
        draft.section = self.section
        self.drafts.append(draft)
        self.group.append(draft)
        if draft.kind in ("budget", "request", "previous") and draft.account == "general":
            self.last_budget_owner = draft.owner


def resolve_boxes(drafts: list[_Draft]) -> None:
    """Rename boxes without a fitting title after the programme with the same figures."""
    pairs: dict[tuple[int, int], str] = {}
    pending: dict[Owner, int] = {}
    seen_boxes: set[int] = set()
    for d in drafts:
        box = d.box
        if box is not None and id(box) not in seen_boxes and box.budget is not None:
            seen_boxes.add(id(box))
            match = pairs.get((box.budget, box.previous)) if box.previous is not None else None
            fits = box.candidate is not None and _overlap(box.candidate, match or "") >= 0.5
            if match and not box.from_section and not fits:
                box.owner.name = match
        if d.kind in ("budget", "request") and d.account == "general":
            pending[d.owner] = d.amount_yen
        elif d.kind == "previous" and d.owner in pending and d.account == "general":
            pairs.setdefault((pending.pop(d.owner), d.amount_yen), d.owner.name)


# Between the cells of a row as the walker reads it: no amount runs across it (`1,` | `000百万円`).
CELL_SEPARATOR = "\t"


@dataclass(frozen=True)
class _Item:
    """One line the walker reads: a text line, or a table row (its cells joined by spaces)."""

    line: TextLine
    page: int | None
    layer: Layer
    cells: tuple[str, ...] | None = None  # source text of each cell of a table row, by column


def page_items(pages: Sequence[Page], skip: set[int] = frozenset()) -> list[_Item]:  # type: ignore[assignment]
    """Every line and table row of the pages in reading order (but the blocks and lines in ``skip``)."""
    items: list[_Item] = []
    for page in pages:
        for block in page.blocks:
            if id(block) in skip:
                continue
            if isinstance(block, Table):
                items.extend(_table_items(block, page))
            else:
                items.extend(
                    _Item(line, page.number, page.layer) for line in block.lines if id(line) not in skip
                )
    return items


def _table_items(table: Table, page: Page) -> list[_Item]:
    out = []
    numbers = table.row_numbers or [0] * table.n_rows
    for r, row in enumerate(table.grid()):
        parts = [cell.line() if cell is not None else TextLine("") for cell in row]
        if not any(p.text.strip() for p in parts):
            continue
        line = TextLine.side_by_side(parts, CELL_SEPARATOR, numbers[r] if r < len(numbers) else 0)
        out.append(_Item(line, page.number, page.layer, tuple(p.text for p in parts)))
    return out


def _normalise(item: _Item) -> tuple[NormText, list[str] | None]:
    """The item's text normalised, with a map back to its characters; a row's cells one by one."""
    if item.cells is None:
        return normalize_map(item.line.text), None
    texts: list[str] = []
    origin: list[int] = []
    cells: list[str] = []
    offset = 0
    for k, cell in enumerate(item.cells):
        if k:
            texts.append(CELL_SEPARATOR)
            origin.append(offset - 1)
        norm = normalize_map(cell)
        cells.append(norm.text.replace("\f", " "))
        texts.append(norm.text)
        origin.extend(offset + o for o in norm.origin)
        offset += len(cell) + 1
    return NormText("".join(texts), tuple(origin)), cells


def _position(line: TextLine, layer: Layer, origin: tuple[int, ...], d: _Draft) -> dict[str, Any]:
    """The amount's box on the page (the union of its characters' boxes) and its layer."""
    where: dict[str, Any] = {"source_layer": str(layer)}
    if d.token is None:
        return where
    start, end = d.offset + d.token.start, d.offset + d.token.end
    indices = {origin[i] for i in range(start, min(end, len(origin)))}
    if line.confidences:
        known = [line.confidences[i] for i in indices if i < len(line.confidences)]
        scores = [c for c in known if c is not None]
        where["confidence"] = round(min(scores), 2) if scores else 0.0
    if not line.boxes:
        return where
    boxes = cast(
        "list[tuple[float, float, float, float]]",
        [line.boxes[i] for i in sorted(indices) if i < len(line.boxes) and line.boxes[i]],
    )
    if not boxes:
        return where
    return where | {
        "x0": round(min(b[0] for b in boxes), 1),
        "top": round(min(b[1] for b in boxes), 1),
        "x1": round(max(b[2] for b in boxes), 1),
        "bottom": round(max(b[3] for b in boxes), 1),
    }


RAW_LIMIT = 400  # characters of a source line kept whole in `raw`
RAW_WINDOW = 100  # characters kept on each side of the amount in a longer line


def _joined(item: _Item) -> str:
    """The source line; a table row's cells one space apart."""
    if item.cells is not None:
        return " ".join(c.strip() for c in item.cells if c.strip())
    return item.line.text.strip()


def _raw(item: _Item, text: str, d: _Draft) -> str:
    """``text`` (the item's line, made once per line: a line with 10^5 amounts is not copied
    10^5 times), or around the amount when the line is huge."""
    if item.cells is not None and len(text) > RAW_LIMIT:
        return text[:RAW_LIMIT] + "…"
    if len(text) <= RAW_LIMIT or d.token is None:
        return text
    start = max(0, d.offset + d.token.start - RAW_WINDOW)
    end = min(len(text), d.offset + d.token.end + RAW_WINDOW)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def build_records(
    pages: Sequence[Page], source: str, fiscal_year: int | None = None, path: str = ""
) -> list[Record]:
    """Turn a document's pages into records (the core of the toolkit).

    Budget-book tables go to ``extract.book`` (``path`` may tell a split file's
    year); every other line and table is read here.
    """
    from .book import read_book

    book, claimed = read_book(pages, source, path, fiscal_year)
    records = _build_records(pages, source, fiscal_year, claimed)
    if not book:
        return records
    order = {page.number: k for k, page in enumerate(pages)}
    return sorted(book + records, key=lambda r: (order.get(r.page, 0), r.line or 0))


def _build_records(
    pages: Sequence[Page], source: str, fiscal_year: int | None, claimed: set[int]
) -> list[Record]:
    items = page_items(pages, claimed)
    normalised = [_normalise(item) for item in items]
    norms = [n for n, _ in normalised]
    texts = [n.text.replace("\f", " ") for n in norms]
    positions = [(item.page, item.line.number) for item in items]
    warn_refused_amounts(positions, texts, source)  # refused one by one, never the document
    facts = document_facts(texts, fiscal_year)
    walker = _Walker(texts, facts, [cells for _, cells in normalised])
    drafts = walker.run()
    resolve_boxes(drafts)
    records = []
    joined: dict[int, str] = {}
    for d in drafts:
        item = items[d.line_index]
        if d.line_index not in joined:
            joined[d.line_index] = _joined(item)
        position = _position(item.line, item.layer, norms[d.line_index].origin, d)
        records.append(
            Record(
                source=source,
                page=item.page,
                line=item.line.number,
                section=d.section.name if d.section else "",
                program=d.owner.name,
                parent=d.owner.parent_name(),
                kind=d.kind,
                fiscal_year=d.fiscal_year,
                era=d.era,
                account=d.account,
                status=d.status,
                amount_yen=d.amount_yen,
                unit=d.unit,
                approx=d.approx,
                raw=_raw(item, joined[d.line_index], d),
                note=" ".join(dict.fromkeys(d.notes)),
                **position,
            )
        )
    if any(item.layer == Layer.OCR for item in items):
        from .names import settle_ocr_names

        settle_ocr_names(records, [clean_title(t) for t in texts if t.strip()])
    return records
