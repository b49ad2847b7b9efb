"""Documents that check themselves: the arithmetic a budget document satisfies, found from its records.

``validate(records)`` finds every check that applies from the records' levels,
kinds, codes, parents and pages — never from a list per document — and runs it:

- **row checks**, one programme's own figures: 本年度 − 前年度 = 比較;
  補正前の額 + 補正額 = 計 (a blank 補正前の額 counts as 0); the 財源内訳
  (kind other with a financing column: 国県支出金, 地方債, その他, 一般財源 …)
  adds up to 本年度, or to the 補正額 in a supplementary budget;
- **sums**: the items under a programme add up to it (節 to their 目, 目 to
  their 項, 項 to their 款, 細節 to their 節, 説明 to their 目, 節 or 説明; a PR
  sheet's breakdown items to their programme), and a 合計 row (歳入合計,
  歳出合計, a table's 計) to the rows beside it, for every column the items
  state (本年度, 前年度, 比較, 補正額, each 財源); a budget's 総額 (level 会計)
  equals its 歳入合計 and 歳出合計.  補正前の額 and 計 of a supplementary
  budget are not summed: its tables list only the items it amends;
- **restatements**: a figure stated again (the 款 and 項 atop every detail
  page, 第1表 and 総括, a summary page and a programme's own page, another
  input of the same run) equals its first statement.

A check compares two sides and passes when they agree within the rounding the
figures declare (their ``unit``): exact for 円, 千円 and 万円; for a figure in
百万円 or 億円, half of the unit it is printed to (0.1億円 for ``0.3億円``), summed
over the figures compared, and nothing looser.

Checks that cannot be complete are not run, and are listed as skipped with
the reason: a group that may continue onto a page the records do not cover
(an answer key, ``keys.Coverage``), remarks listed under a coded 説明 item,
highlights (``○ …``) listed under a PR programme.

Each record's ``check`` becomes ``passed`` (in checks, all passed), ``failed``
or empty (in no check), and its ``confidence`` halves for every failed check it
is in.  An OCR record that fails and has another reading (``alternatives``)
under which every check it is in passes is corrected: its amount is replaced,
``check`` is ``corrected`` and ``note`` says what was read and which check
decided — nothing is changed silently.
"""

from __future__ import annotations

import json
import tomllib
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from .keys import Coverage
from .model import Kind, Level, Record

if TYPE_CHECKING:
    import pandas as pd

# --- rules and vocabulary ---------------------------------------------------------------

ROW = "本年度−前年度=比較"
REVISION = "補正前+補正額=計"
FINANCING = "財源内訳計="  # + 本年度 or 補正額
RESTATED = "再掲=初出"
ACCOUNT_TOTAL = "総額="  # + 歳入合計 / 歳出合計

SUMMED = {Kind.BUDGET, Kind.PREVIOUS, Kind.DIFFERENCE, Kind.SUPPLEMENTARY, Kind.REQUEST, Kind.OTHER}
KIND_LABEL = {
    Kind.BUDGET: "本年度",
    Kind.PREVIOUS: "前年度",
    Kind.DIFFERENCE: "比較",
    Kind.BASE: "補正前",
    Kind.SUPPLEMENTARY: "補正額",
    Kind.REVISED: "計",
    Kind.REQUEST: "要求額",
    Kind.OTHER: "その他",
}
UNIT_YEN = {"円": 1, "千円": 10**3, "万円": 10**4, "百万円": 10**6, "千万円": 10**7, "億円": 10**8}
UNIT_YEN |= {"十億円": 10**9, "百億円": 10**10, "千億円": 10**11, "兆円": 10**12}
TOTAL_PROGRAM_LABEL = "合計"


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).replace("・", "")


@cache
def vocabulary() -> dict[str, frozenset[str]]:
    text = resources.files(__package__ or "yosan").joinpath("data/checks.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    return {
        "financing": frozenset(_norm(c) for c in data["financing"]["columns"]),
        "rounded": frozenset(data["units"]["rounded"]),
        "highlights": frozenset(data["breakdown"]["highlights"]),
    }


def is_financing(record: Record) -> bool:
    return record.kind == Kind.OTHER and _norm(record.column) in vocabulary()["financing"]


def precision(record: Record) -> int:
    """The rounding a figure declares, in yen: 0 when exact, else the unit (or decimal) it is printed to."""
    unit = record.unit.strip()
    if unit not in vocabulary()["rounded"]:
        return 0
    step = UNIT_YEN.get(unit, 1)
    while step > 1 and record.amount_yen % step:
        step //= 10
    return step


# --- results ------------------------------------------------------------------------------


@dataclass
class Check:
    """One comparison: two sides, each a sum of figures (record indexes), equal within ``tolerance``."""

    rule: str
    source: str
    subject: str  # the programme (its path) whose figures are compared
    value: str  # which figures: "本年度 FY2026", "その他 国県支出金 FY2026"
    left: tuple[int, ...]  # records added on the left (the parts, or the computation)
    right: tuple[int, ...]  # records added on the right (what is stated)
    left_sign: tuple[int, ...] = ()  # +1/-1 per left record (default all +1)
    tolerance: int = 0
    left_label: str = ""
    right_label: str = ""
    left_value: int = 0
    right_value: int = 0
    pages: tuple[int, ...] = ()
    lines: tuple[int, ...] = ()  # where the figures are, for input without pages (text)

    @property
    def difference(self) -> int:
        return self.left_value - self.right_value

    @property
    def passed(self) -> bool:
        return abs(self.difference) <= self.tolerance

    @property
    def status(self) -> str:
        return "passed" if self.passed else "failed"

    @property
    def records(self) -> tuple[int, ...]:
        return self.left + self.right

    def evaluate(self, amounts: Sequence[int]) -> None:
        signs = self.left_sign or (1,) * len(self.left)
        self.left_value = sum(s * amounts[i] for s, i in zip(signs, self.left, strict=True))
        self.right_value = sum(amounts[i] for i in self.right)

    def as_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "status": self.status,
            "source": self.source,
            "subject": self.subject,
            "value": self.value,
            "left": self.left_label,
            "left_yen": self.left_value,
            "right": self.right_label,
            "right_yen": self.right_value,
            "difference_yen": self.difference,
            "tolerance_yen": self.tolerance,
            "pages": list(self.pages),
            "lines": list(self.lines),
            "figures": len(self.records),
        }


@dataclass
class Skipped:
    """A group of figures that would be checked, but cannot be complete in these records."""

    rule: str
    source: str
    subject: str
    reason: str
    pages: tuple[int, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "source": self.source,
            "subject": self.subject,
            "reason": self.reason,
            "pages": list(self.pages),
        }


@dataclass
class Correction:
    record: int
    was: int
    now: int
    rule: str


@dataclass
class Validation:
    """What ``validate`` found: the checks, the groups skipped, and the records with ``check`` set."""

    records: list[Record]
    checks: list[Check]
    skipped: list[Skipped] = field(default_factory=list)
    corrections: list[Correction] = field(default_factory=list)

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]

    @property
    def ok(self) -> bool:
        return not self.failed

    def covered(self) -> set[int]:
        return {i for c in self.checks for i in c.records}

    def summary(self) -> dict[str, int | float]:
        covered = len(self.covered())
        figures = len(self.records)
        return {
            "checks": len(self.checks),
            "passed": len(self.checks) - len(self.failed),
            "failed": len(self.failed),
            "figures": figures,
            "covered": covered,
            "coverage": round(covered / figures, 4) if figures else 0.0,
            "skipped": len(self.skipped),
            "corrected": len(self.corrections),
        }

    def frame(self) -> pd.DataFrame:
        """The checks as a DataFrame (one row each; money columns Int64)."""
        import pandas as pd

        frame = pd.DataFrame([c.as_dict() for c in self.checks], columns=_CHECK_COLUMNS)
        for name in ("left_yen", "right_yen", "difference_yen", "tolerance_yen", "figures"):
            frame[name] = frame[name].astype("Int64")
        return frame

    def as_json(self) -> str:
        data = {
            "summary": self.summary(),
            "checks": [c.as_dict() for c in self.checks],
            "skipped": [s.as_dict() for s in self.skipped],
            "corrections": [
                {
                    "source": self.records[c.record].source,
                    "page": self.records[c.record].page,
                    "line": self.records[c.record].line,
                    "was_yen": c.was,
                    "now_yen": c.now,
                    "rule": c.rule,
                }
                for c in self.corrections
            ],
        }
        return json.dumps(data, ensure_ascii=False, indent=1) + "\n"

    def report(self, every: bool = False) -> str:
        """The checks as lines a person reads (failed ones, or ``every`` one), then the summary."""
        lines = [format_check(c) for c in self.checks if every or not c.passed]
        if every:
            lines += [format_skipped(s) for s in self.skipped]
        for c in self.corrections:
            r = self.records[c.record]
            lines.append(f"corrected {r.source} p.{r.page} line {r.line}: {c.was:,} -> {c.now:,} ({c.rule})")
        lines.append(summary_line(self))
        return "\n".join(lines) + "\n"


_CHECK_COLUMNS = [
    "rule",
    "status",
    "source",
    "subject",
    "value",
    "left",
    "left_yen",
    "right",
    "right_yen",
    "difference_yen",
    "tolerance_yen",
    "pages",
    "figures",
]


def _pages(pages: Iterable[int]) -> str:
    pages = sorted(set(pages))
    return "p." + ",".join(str(p) for p in pages) if pages else "-"


def _lines(lines: Sequence[int]) -> str:
    shown = ",".join(str(n) for n in lines[:6])
    return f"line {shown}" + (",…" if len(lines) > 6 else "")


def format_check(c: Check) -> str:
    tolerance = f" (rounding allows {c.tolerance:,})" if c.tolerance else ""
    where = _pages(c.pages) if c.pages or not c.lines else _lines(c.lines)
    return (
        f"{c.status:6} {c.rule}  {c.source} {where}  {c.subject} [{c.value}]: "
        f"{c.left_label} {c.left_value:,} vs {c.right_label} {c.right_value:,}, "
        f"difference {c.difference:+,}{tolerance}"
    )


def format_skipped(s: Skipped) -> str:
    return f"skipped {s.rule}  {s.source} {_pages(s.pages)}  {s.subject}: {s.reason}"


def summary_line(v: Validation) -> str:
    s = v.summary()
    share = f"{100 * s['covered'] / s['figures']:.1f}%" if s["figures"] else "-"
    skipped = f"; {s['skipped']} groups not checked (--all says why)" if s["skipped"] else ""
    corrected = f"; {s['corrected']} corrected" if s["corrected"] else ""
    return (
        f"yosan: validate: {s['checks']} checks, {s['passed']} passed, {s['failed']} failed; "
        f"{s['covered']} of {s['figures']} figures ({share}) covered by at least one check"
        f"{skipped}{corrected}"
    )


# --- nodes: one programme's figures -------------------------------------------------------

ValueKey = tuple[str, str, int | None]  # kind, column, fiscal year


def value_key(r: Record) -> ValueKey:
    return (r.kind, r.column, r.fiscal_year)


def value_label(vk: ValueKey) -> str:
    kind, column, year = vk
    label = KIND_LABEL.get(kind, kind)  # type: ignore[call-overload]
    if column:
        label = column if kind == Kind.OTHER else f"{label} {column}"
    return f"{label} FY{year}" if year else label


def label_of(r: Record) -> str:
    return f"{r.code} {r.program}" if r.code else r.program


def path_of(r: Record) -> str:
    """The path a record's children name as their ``parent`` (a PR item names its programme only)."""
    return f"{r.parent} > {label_of(r)}" if r.parent else label_of(r)


def _under(parent: str, path: str) -> bool:
    return parent == path or parent.startswith(path + " > ")


# source, segment, section, level, code, program, parent, account, and the 節 a 歳入 説明 item explains
NodeKey = tuple[str, int, str, str, str, str, str, str, str]
SECTION_REVENUE = "歳入"


@dataclass
class Node:
    key: NodeKey
    first: int  # the record that states it first
    statements: dict[ValueKey, list[int]] = field(default_factory=dict)


FAMILIES = {
    Level.ACCOUNT: "table",
    Level.KAN: "table",
    Level.KOU: "table",
    Level.MOKU: "table",
    Level.TOTAL: "table",
    Level.SETSU: "setsu",
    Level.SAISETSU: "setsu",
    Level.ITEM: "item",
}


def family(level: str) -> str:
    """The column of a detail page a level is listed in: the 款項目 table, the 節 or the 説明 column."""
    return FAMILIES.get(level, "table")  # type: ignore[call-overload]


class _Book:
    """The records of one run, indexed: order, segments, nodes, children, pages."""

    def __init__(self, records: Sequence[Record], coverage: Mapping[str, Coverage]) -> None:
        self.records = records
        self.coverage = coverage
        self.order = sorted(
            range(len(records)), key=lambda i: (records[i].source, records[i].page or 0, records[i].line, i)
        )
        self.rank = {i: k for k, i in enumerate(self.order)}
        self.segment: dict[int, int] = {}
        self.segments: dict[str, int] = defaultdict(int)
        current, other_seen, source = 0, False, None
        for i in self.order:
            r = records[i]
            if r.source != source:
                source, current, other_seen = r.source, 0, False
            if r.level == Level.ACCOUNT and other_seen:
                current, other_seen = current + 1, False
            elif r.level != Level.ACCOUNT:
                other_seen = True
            self.segment[i] = current
            self.segments[r.source] = max(self.segments[r.source], current + 1)
        self.nodes: dict[NodeKey, Node] = {}
        self.node_of: dict[int, NodeKey] = {}
        self.by_parent: dict[tuple[str, int, str], list[NodeKey]] = defaultdict(list)
        self.by_path: dict[tuple[str, int, str], list[NodeKey]] = defaultdict(list)
        self.on_page: dict[tuple[str, int], list[int]] = defaultdict(list)
        setsu: dict[tuple[str, int, str], str] = {}  # the 節 last listed under each 目
        for i in self.order:
            r = records[i]
            segment = self.segment[i]
            if r.page is not None:
                self.on_page[(r.source, r.page)].append(i)
            if r.level == Level.SETSU:
                setsu[(r.source, segment, r.parent)] = path_of(r)
            if r.approx:
                continue
            under = ""
            if r.level == Level.ITEM and r.section == SECTION_REVENUE:
                # 歳入's 説明 explain the 節 beside them: two items of one name under two 節 are two items
                steps = r.parent.split(" > ")
                for k in range(len(steps), 0, -1):
                    head = (r.source, segment, " > ".join(steps[:k]))
                    if head in setsu:
                        under = setsu[head]
                        break
            account = r.account if not r.level else ""
            key = (r.source, segment, r.section, r.level, r.code, r.program, r.parent, account, under)
            node = self.nodes.get(key)
            if node is None:
                node = self.nodes[key] = Node(key, i)
                self.by_parent[(r.source, segment, r.parent)].append(key)
                if r.level:
                    self.by_path[(r.source, segment, path_of(r))].append(key)
            node.statements.setdefault(value_key(r), []).append(i)
            self.node_of[i] = key

    def rec(self, key: NodeKey) -> Record:
        return self.records[self.nodes[key].first]

    def covered(self, source: str, page: int) -> bool:
        cov = self.coverage.get(source)
        return cov is None or cov.covered(page)

    def all_covered(self, source: str, pages: Iterable[int]) -> bool:
        return all(self.covered(source, p) for p in pages)

    def last_page(self, source: str) -> int | None:
        """The document's last page, where known (every page when the records cover it whole)."""
        cov = self.coverage.get(source)
        return None if cov is None else cov.page_count

    def children(self, key: NodeKey) -> list[NodeKey]:
        """The nodes whose ``parent`` names this one (same source, segment and section)."""
        r = self.rec(key)
        source, segment = key[0], key[1]
        names = [path_of(r)]
        if not r.level and r.parent:  # a PR programme's items name it without its owner
            names.append(r.program)
        found: list[NodeKey] = []
        for name in dict.fromkeys(names):
            for child in self.by_parent.get((source, segment, name), ()):
                c = self.rec(child)
                if child == key or c.section != r.section or (c.level == "") != (r.level == ""):
                    continue
                if not c.level and c.account != r.account:
                    continue
                if r.level == Level.ITEM and child[8] != key[8]:
                    continue
                found.append(child)
        return found


# --- checks -------------------------------------------------------------------------------


def _tolerance(records: Sequence[Record], indexes: Iterable[int]) -> int:
    """Half the printed precision of each figure compared; none when all are printed to the same
    precision and compared one to one (a restatement of the same printed figure is the same figure)."""
    steps = [precision(records[i]) for i in indexes]
    if len(steps) == 2 and steps[0] == steps[1]:
        return 0
    return sum(steps) // 2


def _make(
    book: _Book,
    rule: str,
    subject: str,
    value: str,
    left: Sequence[int],
    right: Sequence[int],
    left_label: str,
    right_label: str,
    left_sign: Sequence[int] = (),
) -> Check:
    records = book.records
    used = [*left, *right]
    check = Check(
        rule=rule,
        source=records[used[0]].source,
        subject=subject,
        value=value,
        left=tuple(left),
        right=tuple(right),
        left_sign=tuple(left_sign),
        tolerance=_tolerance(records, used),
        left_label=left_label,
        right_label=right_label,
        pages=tuple(sorted({page for page in (records[i].page for i in used) if page is not None})),
        lines=tuple(sorted({records[i].line for i in used if records[i].page is None})),
    )
    check.evaluate([r.amount_yen for r in records])
    return check


def _first(node: Node, vk: ValueKey) -> int | None:
    found = node.statements.get(vk)
    return found[0] if found else None


def _subject(r: Record) -> str:
    where = f"{r.section} " if r.section and r.level else ""
    return where + path_of(r)


def _year(year: int | None) -> str:
    return f"FY{year}" if year is not None else "year not stated"


def _has_base(book: _Book, i: int) -> bool:
    """Whether the table of record ``i`` has a 補正前の額 column (a blank cell there is 0)."""
    r = book.records[i]
    if r.page is None:
        return any(x.kind == Kind.BASE and x.source == r.source for x in book.records)
    return any(book.records[j].kind == Kind.BASE for j in book.on_page[(r.source, r.page)])


def row_checks(book: _Book) -> list[Check]:
    """Checks within one programme's own figures: 本年度−前年度=比較, 補正, 財源内訳."""
    checks: list[Check] = []
    for key, node in book.nodes.items():
        r = book.rec(key)
        subject = _subject(r)
        years = {vk[2] for vk in node.statements}
        for year in sorted(years, key=lambda y: (y is None, y or 0)):  # a year not stated: None
            budget = _first(node, (Kind.BUDGET, "", year))
            previous = _first(node, (Kind.PREVIOUS, "", None if year is None else year - 1))
            difference = _first(node, (Kind.DIFFERENCE, "", year))
            if budget is not None and previous is not None and difference is not None:
                checks.append(
                    _make(
                        book,
                        ROW,
                        subject,
                        _year(year),
                        [budget, previous],
                        [difference],
                        "本年度−前年度",
                        "比較",
                        [1, -1],
                    )
                )
            base = _first(node, (Kind.BASE, "", year))
            supplementary = _first(node, (Kind.SUPPLEMENTARY, "", year))
            revised = _first(node, (Kind.REVISED, "", year))
            if (
                supplementary is not None
                and revised is not None
                and (base is not None or _has_base(book, revised))
            ):
                parts = [supplementary] if base is None else [base, supplementary]
                label = "補正額 (補正前の額なし)" if base is None else "補正前+補正額"
                checks.append(_make(book, REVISION, subject, _year(year), parts, [revised], label, "計"))
            sources = [
                node.statements[vk][0]
                for vk in node.statements
                if vk[0] == Kind.OTHER
                and vk[2] == year
                and is_financing(book.records[node.statements[vk][0]])
            ]
            target, name = (budget, "本年度") if budget is not None else (supplementary, "補正額")
            if sources and target is not None:
                checks.append(
                    _make(
                        book,
                        FINANCING + name,
                        subject,
                        _year(year),
                        sources,
                        [target],
                        f"財源 {len(sources)} 列の計",
                        name,
                    )
                )
    return checks


def _where(r: Record) -> str:
    return f"p.{r.page}" if r.page is not None else f"line {r.line}"


def _restated_kind(r: Record) -> bool:
    """Figures a programme states once (kind other is many things: grant sizes, formula bases, limits)."""
    return r.kind != Kind.OTHER or is_financing(r)


def restatement_checks(book: _Book) -> list[Check]:
    """A figure stated again equals its first statement (in one input, or across inputs)."""
    checks: list[Check] = []
    records = book.records
    for key, node in book.nodes.items():
        subject = _subject(book.rec(key))
        for vk, found in node.statements.items():
            if not _restated_kind(book.records[found[0]]):
                continue
            for later in found[1:]:
                checks.append(
                    _make(
                        book,
                        RESTATED,
                        subject,
                        value_label(vk),
                        [later],
                        [found[0]],
                        _where(records[later]),
                        _where(records[found[0]]) + " (first)",
                    )
                )
    # across inputs: the same programme in two inputs of one run (inputs with one budget each)
    firsts: dict[tuple[object, ...], int] = {}
    for key, node in book.nodes.items():
        if book.segments[key[0]] != 1:
            continue
        for vk, found in node.statements.items():
            if not _restated_kind(records[found[0]]):
                continue
            ident = (*key[2:8], vk)
            first = firsts.setdefault(ident, found[0])
            if records[first].source != key[0]:
                checks.append(
                    _make(
                        book,
                        RESTATED,
                        _subject(book.rec(key)),
                        value_label(vk),
                        [found[0]],
                        [first],
                        f"{key[0]} {_where(records[found[0]])}",
                        f"{records[first].source} {_where(records[first])}",
                    )
                )
    return checks


def _is_highlight(r: Record) -> bool:
    text = r.raw.lstrip(" -*\t")
    return bool(text) and text[0] in vocabulary()["highlights"]


def _code_one(r: Record) -> bool:
    code = unicodedata.normalize("NFKC", r.code).strip()
    return code.isdigit() and int(code) == 1


class _Group:
    """Parts and the figure they should add up to: a programme and its items, or a 合計 row and its rows."""

    def __init__(
        self, rule: str, total: NodeKey, parts: list[NodeKey], scope: str, closers: set[NodeKey], row: bool
    ):
        self.rule = rule
        self.row = row  # a 合計 row: each of its columns is the sum of that column above it
        self.total = total
        self.parts = parts
        self.scope = scope  # the path under which the parts sit
        self.closers = closers  # nodes whose statement after the parts ends the list (the 合計 row)


def _groups(book: _Book) -> tuple[list[_Group], list[Skipped]]:
    groups: list[_Group] = []
    skipped: list[Skipped] = []
    for key in book.nodes:
        r = book.rec(key)
        if r.level in (Level.ACCOUNT, Level.TOTAL):
            continue
        by_level: dict[str, list[NodeKey]] = defaultdict(list)
        totals: set[NodeKey] = set()
        for child in book.children(key):
            level = book.rec(child).level
            if level == Level.TOTAL:
                totals.add(child)
            else:
                by_level[level].append(child)
        for level, parts in by_level.items():
            rule = f"{level}計={r.level}" if r.level else "内訳計=事業"
            kids = [book.rec(p) for p in parts]
            why = ""
            if level == Level.ITEM and r.level == Level.ITEM and r.code and any(not k.code for k in kids):
                why = "uncoded lines under a coded 説明 item list some of its parts only"
            elif not r.level and any(_is_highlight(k) for k in kids):
                why = "items marked as highlights (○ …) are not a breakdown"
            if why:
                skipped.append(Skipped(rule, r.source, _subject(r), why, _node_pages(book, [key, *parts])))
                continue
            groups.append(_Group(rule, key, parts, path_of(r), totals, False))
    # 合計 rows: the rows beside them (same parent and section) add up to them
    for key in book.nodes:
        r = book.rec(key)
        if r.level != Level.TOTAL:
            continue
        siblings = [
            k
            for k in book.by_parent.get((key[0], key[1], r.parent), ())
            if book.rec(k).level not in (Level.TOTAL, Level.ACCOUNT) and book.rec(k).section == r.section
        ]
        levels = {book.rec(k).level for k in siblings}
        if len(levels) == 1:
            rule = f"{levels.pop()}計={r.program}"
            groups.append(_Group(rule, key, siblings, r.parent, {key}, True))
    return groups, skipped


def _node_pages(book: _Book, keys: Iterable[NodeKey]) -> tuple[int, ...]:
    pages = {book.records[i].page for k in keys for found in book.nodes[k].statements.values() for i in found}
    return tuple(sorted(p for p in pages if p is not None))


def _runs(book: _Book, source: str, pages: Iterable[int]) -> list[list[int]]:
    """Pages grouped where every page between them is covered."""
    runs: list[list[int]] = []
    for page in sorted(set(pages)):
        if runs and all(book.covered(source, p) for p in range(runs[-1][-1] + 1, page)):
            runs[-1].append(page)
        else:
            runs.append([page])
    return runs


def _closed(book: _Book, group: _Group, statements: list[int]) -> str | None:
    """Why the parts (their statements in one run of pages) may be incomplete, or None if complete.

    Complete at the start: the first part has code 1, or the programme (or the 項
    over a 計 row) is first stated on this page before the parts, or on an
    earlier page with every page between covered, or every earlier page is
    covered.  Complete at the end: after the last part, on its page, the list
    goes on with something that is not under the programme (the next 目's
    節, the next 款, in the same column of the page) or its 合計 row, or every
    later page is covered.
    """
    records = book.records
    first, last = statements[0], statements[-1]
    source = records[first].source
    a, b = records[first].page, records[last].page
    if a is None or b is None or book.coverage.get(source) is None:
        return None  # records of a whole document: nothing is missing
    segment = book.segment[first]
    start = _code_one(records[first]) or book.all_covered(source, range(1, a))
    if not start:
        heads = [group.total, *book.by_path.get((source, segment, group.scope), ())]
        for head in heads:
            for found in book.nodes[head].statements.values():
                i = found[0]
                page = records[i].page
                if page is None or records[i].repeat is not None or page > a:
                    continue
                if (page < a or book.rank[i] < book.rank[first]) and book.all_covered(source, range(page, a)):
                    start = True
    if not start:
        return f"may start before page {a}: page {a - 1} not in the input"
    end = book.last_page(source)
    if end is not None and book.all_covered(source, range(b + 1, end + 1)):
        return None
    kind_of_parts = family(records[first].level)
    parts = set(group.parts)
    for i in book.on_page[(source, b)]:
        if book.rank[i] <= book.rank[last] or i not in book.node_of or book.segment[i] != segment:
            continue
        node, r = book.node_of[i], records[i]
        if node in group.closers:
            return None
        if node in parts or node == group.total or family(r.level) != kind_of_parts:
            continue
        if r.section != records[first].section or not _under(r.parent, group.scope):
            return None
    return f"may continue after page {b}: page {b + 1} not in the input"


def sum_checks(book: _Book) -> tuple[list[Check], list[Skipped]]:
    checks: list[Check] = []
    groups, skipped = _groups(book)
    records = book.records
    for group in groups:
        total = book.nodes[group.total]
        t = book.rec(group.total)
        source = t.source
        part_statements = [
            i for p in group.parts for found in book.nodes[p].statements.values() for i in found
        ]
        pages = [records[i].page for i in part_statements]
        if any(p is None for p in pages):
            runs: list[list[int]] = [[]]
            in_run = [part_statements]
        else:
            runs = _runs(book, source, pages)  # type: ignore[arg-type]
            in_run = [[i for i in part_statements if records[i].page in set(run)] for run in runs]
        for statements in in_run:
            statements.sort(key=book.rank.__getitem__)
            why = _closed(book, group, statements)
            if why:
                skipped.append(
                    Skipped(
                        group.rule,
                        source,
                        _subject(t),
                        why,
                        tuple(sorted({pg for pg in (records[i].page for i in statements) if pg is not None})),
                    )
                )
                continue
            run_pages = {records[i].page for i in statements}
            chosen = set(statements)
            for vk, found in total.statements.items():
                if vk[0] not in SUMMED:
                    continue
                if vk[0] == Kind.OTHER and not (group.row or is_financing(records[found[0]])):
                    continue  # under a programme, money of kind other is no part of it (a formula's base)
                parts: list[int] = []
                for p in group.parts:
                    mine = [i for i in book.nodes[p].statements.get(vk, ()) if i in chosen]
                    if mine:
                        parts.append(mine[0])
                if not parts:
                    continue
                here = [i for i in found if records[i].page in run_pages]
                stated = here[0] if here else found[0]
                level = book.rec(group.parts[0]).level or "項目"
                checks.append(
                    _make(
                        book,
                        group.rule,
                        _subject(t),
                        value_label(vk),
                        parts,
                        [stated],
                        f"{len(parts)} {level}の計",
                        label_of(t),
                    )
                )
    # a budget's 総額 (level 会計) equals each of its section totals
    for key, node in book.nodes.items():
        if key[3] != Level.ACCOUNT:
            continue
        a = book.rec(key)
        for total_key in book.by_parent.get((key[0], key[1], path_of(a)), ()):
            t = book.rec(total_key)
            if t.level != Level.TOTAL:
                continue
            for vk, found in book.nodes[total_key].statements.items():
                first = _first(node, vk)
                if first is not None:
                    checks.append(
                        _make(
                            book,
                            ACCOUNT_TOTAL + t.program,
                            path_of(a),
                            value_label(vk),
                            [found[0]],
                            [first],
                            f"{t.section} {t.program}",
                            f"{a.program} 総額",
                        )
                    )
    return checks, skipped


# --- validate -----------------------------------------------------------------------------

Alternatives = Callable[[Record], Iterable[int]]


def _run(records: Sequence[Record], coverage: Mapping[str, Coverage]) -> tuple[list[Check], list[Skipped]]:
    book = _Book(records, coverage)
    sums, skipped = sum_checks(book)
    return row_checks(book) + sums + restatement_checks(book), skipped


def _corrections(records: list[Record], checks: list[Check], alternatives: Alternatives) -> list[Correction]:
    """OCR figures that fail, with exactly one other reading that makes every check they are in pass."""
    containing: dict[int, list[Check]] = defaultdict(list)
    for c in checks:
        for i in set(c.records):
            containing[i].append(c)
    amounts = [r.amount_yen for r in records]
    found: dict[int, tuple[int, str]] = {}
    for i, theirs in containing.items():
        r = records[i]
        failing = [c for c in theirs if not c.passed]
        if r.source_layer != "ocr" or not failing:
            continue
        fits = []
        for alt in dict.fromkeys(alternatives(r)):
            if alt == r.amount_yen:
                continue
            trial = amounts.copy()
            trial[i] = alt
            ok = True
            for c in theirs:
                probe = replace(c)
                probe.evaluate(trial)
                ok = ok and probe.passed
            if ok:
                fits.append(alt)
        if len(fits) == 1:
            found[i] = (fits[0], failing[0].rule)
    # two candidates in one failed check: which reading is wrong is not known, so neither is changed
    ambiguous: set[int] = set()
    for c in checks:
        if not c.passed:
            mine = [i for i in set(c.records) if i in found]
            if len(mine) > 1:
                ambiguous.update(mine)
    return [
        Correction(i, records[i].amount_yen, alt, rule)
        for i, (alt, rule) in found.items()
        if i not in ambiguous
    ]


def validate(
    records: Iterable[Record],
    coverage: Mapping[str, Coverage] | None = None,
    alternatives: Alternatives | None = None,
) -> Validation:
    """Run every check the records' structure calls for; return the checks and the records checked.

    ``coverage``: per source, the pages the records cover (answer keys cover a
    few pages; by default every page).  ``alternatives``: other readings of an
    OCR figure (the OCR path's alternatives), tried when the figure fails a check.
    The records given are not changed: ``Validation.records`` are copies with
    ``check`` and ``confidence`` set.
    """
    records = [replace(r) for r in records]
    coverage = coverage or {}
    checks, skipped = _run(records, coverage)
    corrections: list[Correction] = []
    if alternatives is not None and any(not c.passed for c in checks):
        corrections = _corrections(records, checks, alternatives)
        for fix in corrections:
            r = records[fix.record]
            r.amount_yen = fix.now
            note = f"corrected by check {fix.rule}: read {fix.was:,}, {fix.now:,} passes"
            r.note = f"{r.note}; {note}" if r.note else note
        if corrections:
            checks, skipped = _run(records, coverage)
    failures: dict[int, int] = defaultdict(int)
    involved: set[int] = set()
    for c in checks:
        for i in set(c.records):
            involved.add(i)
            if not c.passed:
                failures[i] += 1
    corrected = {c.record for c in corrections}
    for i, r in enumerate(records):
        if i in corrected:
            r.check = "corrected"
        elif failures[i]:
            r.check = "failed"
            r.confidence = round(r.confidence * 0.5 ** failures[i], 4)
        elif i in involved:
            r.check = "passed"
        else:
            r.check = ""
    return Validation(records, checks, skipped, corrections)


# --- mutation tests -------------------------------------------------------------------------------


def _digit_steps(r: Record) -> tuple[int, int]:
    """One unit of the last printed digit, and one of the first (132,209千円: 1,000 and 100,000,000)."""
    unit = precision(r) or UNIT_YEN.get(r.unit.strip(), 1)
    printed = abs(r.amount_yen) // unit
    return unit, unit * 10 ** max(len(str(printed)) - 1, 0)


@dataclass
class Mutations:
    """Figures changed one at a time: how many a check covers, and how many of those are flagged."""

    figures: int
    covered: int
    flagged: dict[str, int]  # mutation -> covered figures whose change a check flags
    false_alarms: int  # changes of figures no check covers that made a check fail (must be 0)

    def line(self) -> str:
        share = f"{100 * self.covered / self.figures:.1f}%" if self.figures else "-"
        parts = [
            f"{n} ({100 * n / self.covered:.1f}%) flagged when {what}" if self.covered else f"0 {what}"
            for what, n in self.flagged.items()
        ]
        return (
            f"yosan: mutations: {self.covered} of {self.figures} figures ({share}) are covered by a check; "
            f"changed one at a time, {'; '.join(parts)}; {self.false_alarms} false alarms"
        )


MUTATIONS = {"the last printed digit is raised by 1": 0, "the first digit is raised by 1": 1}


def mutation_test(
    records: Sequence[Record], coverage: Mapping[str, Coverage] | None = None, full: bool = True
) -> Mutations:
    """Change each figure alone (one unit of its last printed digit, then of its first digit) and
    count the changes that ``validate`` flags: a failed check that includes the figure.

    ``full``: run ``validate`` again on every changed set of records; otherwise evaluate the checks
    found once (which checks apply never depends on the amounts, only on levels, kinds, codes,
    parents and pages, so the two agree: the tests run both).
    """
    records = list(records)
    base = validate(records, coverage)
    covered = base.covered()
    containing: dict[int, list[Check]] = defaultdict(list)
    for c in base.checks:
        for i in set(c.records):
            containing[i].append(c)
    amounts = [r.amount_yen for r in records]
    flagged = dict.fromkeys(MUTATIONS, 0)
    false_alarms = 0
    for i, r in enumerate(records):
        for what, which in MUTATIONS.items():
            step = _digit_steps(r)[which]
            if full:
                changed = [replace(x) for x in records]
                changed[i].amount_yen += step
                after = validate(changed, coverage)
                hit = any(i in c.records for c in after.failed)
                alarm = bool(after.failed)
            else:
                trial = amounts.copy()
                trial[i] += step
                hit = False
                for c in containing.get(i, ()):
                    probe = replace(c)
                    probe.evaluate(trial)
                    hit = hit or not probe.passed
                alarm = hit
            if i in covered:
                flagged[what] += hit
            else:
                false_alarms += alarm
    return Mutations(len(records), len(covered), flagged, false_alarms)
