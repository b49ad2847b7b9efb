"""Editions of one body over several years: ``link`` (前年度 = last year's 本年度, a time series) and
``diff`` (what changed).

An edition is every input of one fiscal year: the records of a file belong to
the year its 本年度 figures state (a 補正予算 file, stating no 本年度, to the
year it amends, as a revision).  Programmes are matched between consecutive
editions top-down by their path of codes and names: the same path is the
same programme; under a matched parent, the same code with another name is a
rename and the same name under another code a renumbering, each with the
similarity of the names as its score; other names are matched when they are
alike enough (score ≥ 0.8).  Then each NEW programme's 前年度 is checked
against OLD's 本年度, and against OLD's revised total (計 of a 補正予算) when
that is what NEW states.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import TYPE_CHECKING

from .checks import path_of
from .model import Kind, Record

if TYPE_CHECKING:
    import pandas as pd

NEW_PREVIOUS = "NEW 前年度"
RENAME_SCORE = 0.5  # same code under one parent: the names need only be this alike
MATCH_SCORE = 0.8  # another code and another name: alike names only


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def similarity(a: str, b: str) -> float:
    """How alike two names are, 0-1 (difflib's ratio on the normalised names)."""
    return round(SequenceMatcher(None, _norm(a), _norm(b)).ratio(), 3)


# --- editions and their programmes ---------------------------------------------------------------

ProgKey = tuple[str, str, str]  # section, level, path


@dataclass
class Programme:
    """One programme of one edition: its figures by kind, with where each was first stated."""

    key: ProgKey
    code: str
    program: str
    parent: str
    figures: dict[str, tuple[int, str, int | None]] = field(
        default_factory=dict
    )  # kind -> (yen, source, page)

    @property
    def section(self) -> str:
        return self.key[0]

    @property
    def level(self) -> str:
        return self.key[1]

    @property
    def path(self) -> str:
        return self.key[2]

    def amount(self, kind: str) -> int | None:
        got = self.figures.get(kind)
        return got[0] if got else None

    def where(self, kind: str) -> str:
        got = self.figures.get(kind)
        if not got:
            return ""
        return f"{got[1]} p.{got[2]}" if got[2] is not None else got[1]


@dataclass
class Edition:
    year: int
    sources: list[str]
    programmes: dict[ProgKey, Programme]
    revised: bool = False  # a 補正予算 is among its inputs


def _year_of(records: Sequence[Record]) -> tuple[int | None, bool]:
    for kinds, revision in (((Kind.BUDGET,), False), ((Kind.REVISED, Kind.SUPPLEMENTARY, Kind.BASE), True)):
        years = Counter(r.fiscal_year for r in records if r.kind in kinds and r.fiscal_year is not None)
        if years:
            return years.most_common(1)[0][0], revision
    return None, False


def _prog_key(r: Record) -> ProgKey:
    return (r.section if r.level else "", r.level, path_of(r) if r.level else _pr_path(r))


def _pr_path(r: Record) -> str:
    return f"{r.parent} > {r.program}" if r.parent else r.program


def editions(records: Iterable[Record]) -> list[Edition]:
    """The records grouped into editions (one per fiscal year), oldest first."""
    by_source: dict[str, list[Record]] = defaultdict(list)
    for r in records:
        by_source[r.source].append(r)
    grouped: dict[int, Edition] = {}
    for source, recs in by_source.items():
        year, revision = _year_of(recs)
        if year is None:
            continue
        edition = grouped.setdefault(year, Edition(year, [], {}))
        edition.sources.append(source)
        edition.revised = edition.revised or revision
        wanted: dict[str, int] = {
            Kind.BUDGET: year,
            Kind.PREVIOUS: year - 1,
            Kind.REVISED: year,
            Kind.SUPPLEMENTARY: year,
            Kind.DIFFERENCE: year,
        }
        for r in sorted(recs, key=lambda r: (r.page or 0, r.line)):
            if (
                r.approx
                or r.column
                or wanted.get(r.kind) != (r.fiscal_year if r.fiscal_year is not None else year)
            ):
                continue
            key = _prog_key(r)
            prog = edition.programmes.get(key)
            if prog is None:
                prog = edition.programmes[key] = Programme(key, r.code, r.program, r.parent)
            if r.kind == Kind.REVISED:  # the last 補正 of the year gives the total as revised
                prog.figures[r.kind] = (r.amount_yen, r.source, r.page)
            else:
                prog.figures.setdefault(r.kind, (r.amount_yen, r.source, r.page))
    return [grouped[y] for y in sorted(grouped)]


# --- matching -----------------------------------------------------------------------------------


@dataclass
class Match:
    old: Programme
    new: Programme
    how: str  # same, renamed, renumbered, similar
    score: float


def _depth(p: Programme) -> int:
    return p.path.count(" > ")


def match(old: Edition, new: Edition) -> list[Match]:
    """Programmes of NEW matched to OLD's, parents first (a renamed 項 carries its 目 along)."""
    matches: list[Match] = []
    old_of: dict[str, str] = {}  # NEW path -> OLD path of matched programmes
    taken: set[ProgKey] = set()
    olds_by_parent: dict[tuple[str, str, str], list[Programme]] = defaultdict(list)
    for p in old.programmes.values():
        olds_by_parent[(p.section, p.level, p.parent)].append(p)
    for p in sorted(new.programmes.values(), key=_depth):
        parent = old_of.get(p.parent, p.parent)
        same = old.programmes.get(
            (p.section, p.level, f"{parent} > {label_of_prog(p)}" if parent else label_of_prog(p))
        )
        found: Match | None = None
        if same is not None and same.key not in taken:
            found = Match(same, p, "same", 1.0)
        else:
            best: Match | None = None
            for o in olds_by_parent.get((p.section, p.level, parent), ()):
                if o.key in taken:
                    continue
                score = similarity(o.program, p.program)
                if o.code and o.code == p.code and score >= RENAME_SCORE:
                    candidate = Match(o, p, "renamed", score)
                elif o.code != p.code and _norm(o.program) == _norm(p.program):
                    candidate = Match(o, p, "renumbered", 1.0)
                elif score >= MATCH_SCORE:
                    candidate = Match(o, p, "similar", score)
                else:
                    continue
                if best is None or candidate.score > best.score:
                    best = candidate
            found = best
        if found is not None:
            matches.append(found)
            taken.add(found.old.key)
            old_of[found.new.path] = found.old.path
    return matches


def label_of_prog(p: Programme) -> str:
    return f"{p.code} {p.program}" if p.code else p.program


# --- link ---------------------------------------------------------------------------------------


@dataclass
class Link:
    """NEW's 前年度 of one programme against OLD's figures."""

    old_year: int
    new_year: int
    match: Match | None
    new: Programme
    previous: int  # NEW's 前年度
    old_budget: int | None
    old_revised: int | None
    status: str  # "= 本年度", "= 補正後", "mismatch", "no match in OLD", "OLD states no 本年度"

    @property
    def ok(self) -> bool:
        return self.status.startswith("=")

    def as_dict(self) -> dict[str, object]:
        m = self.match
        return {
            "old_year": self.old_year,
            "new_year": self.new_year,
            "section": self.new.section,
            "level": self.new.level,
            "path": self.new.path,
            "old_path": m.old.path if m else "",
            "match": m.how if m else "",
            "score": m.score if m else None,
            "new_previous_yen": self.previous,
            "old_budget_yen": self.old_budget,
            "old_revised_yen": self.old_revised,
            "difference_yen": None if self.old_budget is None else self.previous - self.old_budget,
            "status": self.status,
            "new_at": self.new.where(Kind.PREVIOUS),
            "old_at": m.old.where(Kind.BUDGET) if m else "",
        }


@dataclass
class Linked:
    """What ``link`` found: the editions, the links checked, and the time series."""

    editions: list[Edition]
    links: list[Link]
    matches: dict[tuple[int, int], list[Match]]

    @property
    def mismatches(self) -> list[Link]:
        return [x for x in self.links if x.status == "mismatch"]

    @property
    def unmatched(self) -> list[Link]:
        return [x for x in self.links if not x.ok and x.status != "mismatch"]

    def frame(self) -> pd.DataFrame:
        """The links as a DataFrame, one row per NEW programme that states a 前年度."""
        import pandas as pd

        frame = pd.DataFrame([x.as_dict() for x in self.links])
        for name in ("new_previous_yen", "old_budget_yen", "old_revised_yen", "difference_yen"):
            if name in frame:
                frame[name] = frame[name].astype("Int64")
        return frame

    def series(self) -> pd.DataFrame:
        """The time series: one row per programme path, one column per fiscal year (本年度; 補正後 where
        a 補正予算 states it), paths named as in the latest edition that has the programme."""
        import pandas as pd

        rows: dict[tuple[str, str, str], dict[str, object]] = {}
        alias: dict[tuple[int, ProgKey], tuple[str, str, str]] = {}
        for edition in reversed(self.editions):  # newest first: the newest name is the row's name
            forward = {m.old.key: m.new.key for m in self.matches.get((edition.year, edition.year + 1), ())}
            for key, prog in edition.programmes.items():
                row_key = alias.get((edition.year + 1, forward[key])) if key in forward else None
                row_key = row_key or key
                alias[(edition.year, key)] = row_key
                row = rows.setdefault(
                    row_key,
                    {
                        "section": prog.section,
                        "level": prog.level,
                        "code": prog.code,
                        "program": prog.program,
                        "path": row_key[2],
                    },
                )
                budget = prog.amount(Kind.BUDGET)
                if budget is not None:
                    row[f"FY{edition.year}"] = budget
                revised = prog.amount(Kind.REVISED)
                if revised is not None:
                    row[f"FY{edition.year} 補正後"] = revised
        columns = ["section", "level", "code", "program", "path"]
        years = sorted({c for row in rows.values() for c in row if c.startswith("FY")})
        frame = pd.DataFrame(list(rows.values()), columns=columns + years)
        for c in years:
            frame[c] = frame[c].astype("Int64")
        return frame.sort_values(["section", "path"], kind="stable").reset_index(drop=True)

    def report(self) -> str:
        lines = []
        for x in self.links:
            if x.ok:
                continue
            m = x.match
            if x.status == "mismatch":
                lines.append(
                    f"mismatch  {x.new.section} {x.new.path}: FY{x.new_year} 前年度 {x.previous:,} "
                    f"({x.new.where(Kind.PREVIOUS)}) vs FY{x.old_year} 本年度 {x.old_budget:,} "
                    f"({m.old.where(Kind.BUDGET) if m else '-'})"
                    + (f", 補正後 {x.old_revised:,}" if x.old_revised is not None else "")
                    + f", difference {x.previous - (x.old_budget or 0):+,}"
                )
            else:
                lines.append(
                    f"unmatched {x.new.section} {x.new.path}: FY{x.new_year} 前年度 {x.previous:,} "
                    f"({x.new.where(Kind.PREVIOUS)}): {x.status}"
                )
        for x in self.links:
            m = x.match
            if m and m.how != "same":
                lines.append(f"{m.how:9} {m.old.path} -> {m.new.path} (score {m.score:.2f})")
        lines.append(link_summary(self))
        return "\n".join(lines) + "\n"


def link_summary(linked: Linked) -> str:
    parts = []
    for old_year, new_year in linked.matches:
        mine = [x for x in linked.links if x.old_year == old_year and x.new_year == new_year]
        paired = [x for x in mine if x.status in ("= 本年度", "= 補正後", "mismatch")]
        ok = [x for x in paired if x.ok]
        revised = sum(1 for x in ok if x.status == "= 補正後")
        moku = [x for x in paired if x.new.level == "目"]
        share = f" ({100 * len(ok) / len(paired):.1f}%)" if paired else ""
        parts.append(
            f"FY{old_year}->FY{new_year}: {len(mine)} 前年度 figures; {len(paired)} pairs with "
            f"FY{old_year}'s programme, {len(ok)} equal its 本年度{share}"
            + (f" ({revised} its 補正後)" if revised else "")
            + f", {len(paired) - len(ok)} mismatches"
            + (f" (目: {sum(1 for x in moku if x.ok)} of {len(moku)} equal)" if moku else "")
            + f"; {len(mine) - len(paired)} without a FY{old_year} figure"
        )
    return "yosan: link: " + ("; ".join(parts) if parts else "fewer than two consecutive editions")


def link(records: Iterable[Record]) -> Linked:
    """Match each edition's programmes to the previous edition's and check NEW's 前年度 against OLD's
    本年度 (or OLD's 補正後 total); the result holds the links and the time series (``series()``)."""
    eds = editions(records)
    links: list[Link] = []
    matches: dict[tuple[int, int], list[Match]] = {}
    for old, new in itertools.pairwise(eds):
        if new.year != old.year + 1:
            continue
        found = match(old, new)
        matches[(old.year, new.year)] = found
        by_new = {m.new.key: m for m in found}
        for key, prog in new.programmes.items():
            previous = prog.amount(Kind.PREVIOUS)
            if previous is None:
                continue
            m = by_new.get(key)
            budget = m.old.amount(Kind.BUDGET) if m else None
            revised = m.old.amount(Kind.REVISED) if m else None
            if m is None:
                status = "no match in OLD"
            elif budget == previous:
                status = "= 本年度"
            elif revised == previous:
                status = "= 補正後"
            elif budget is None and revised is None:
                status = "OLD states no 本年度"
            else:
                status = "mismatch"
            links.append(Link(old.year, new.year, m, prog, previous, budget, revised, status))
    return Linked(eds, links, matches)


# --- diff ---------------------------------------------------------------------------------------


@dataclass
class Change:
    section: str
    level: str
    path: str
    old: int | None
    new: int | None
    basis: str  # where OLD's figure comes from: OLD's 本年度, or NEW's own 前年度
    how: str = ""  # the match (renamed, …) when not the same path

    @property
    def change(self) -> int | None:
        return None if self.old is None or self.new is None else self.new - self.old

    @property
    def percent(self) -> float | None:
        if self.change is None or not self.old:
            return None
        return round(100 * self.change / self.old, 1)

    def as_dict(self) -> dict[str, object]:
        return {
            "section": self.section,
            "level": self.level,
            "path": self.path,
            "old_yen": self.old,
            "new_yen": self.new,
            "change_yen": self.change,
            "change_percent": self.percent,
            "basis": self.basis,
            "match": self.how,
        }


@dataclass
class Diff:
    old_year: int
    new_year: int
    changes: list[Change]  # programmes in both (OLD's figure: its 本年度, or NEW's 前年度)
    new: list[Change]  # programmes NEW introduces (no 前年度, not in OLD)
    ended: list[Change]  # programmes NEW ends (本年度 0)
    only_old: list[Change] = field(default_factory=list)  # in OLD's inputs, not in NEW's

    def frame(self) -> pd.DataFrame:
        import pandas as pd

        rows = [{"what": "changed", **c.as_dict()} for c in self.changes]
        rows += [{"what": "new", **c.as_dict()} for c in self.new]
        rows += [{"what": "ended", **c.as_dict()} for c in self.ended]
        rows += [{"what": "only in OLD", **c.as_dict()} for c in self.only_old]
        frame = pd.DataFrame(rows)
        for name in ("old_yen", "new_yen", "change_yen"):
            if name in frame:
                frame[name] = frame[name].astype("Int64")
        return frame

    def report(self, top: int = 10) -> str:
        def rows(changes: Sequence[Change]) -> list[list[str]]:
            return [
                [
                    _yen(c.change),
                    _pct(c.percent),
                    _yen(c.old) + ("*" if c.basis == NEW_PREVIOUS else ""),
                    _yen(c.new),
                    f"{c.level} {c.path}".strip(),
                ]
                for c in changes
            ]

        header = ["change", "%", f"FY{self.old_year}", f"FY{self.new_year}", "programme"]
        moved = [c for c in self.changes if c.change]
        up = sorted((c for c in moved if c.change > 0), key=lambda c: -c.change)[:top]  # type: ignore[operator]
        down = sorted((c for c in moved if c.change < 0), key=lambda c: c.change)[:top]  # type: ignore[operator,arg-type,return-value]
        pct = sorted((c for c in moved if c.percent is not None), key=lambda c: -abs(c.percent))[:top]  # type: ignore[arg-type]
        out = [
            f"FY{self.old_year} -> FY{self.new_year}: {len(self.changes)} programmes in both "
            f"({len(moved)} changed), {len(self.new)} new, {len(self.ended)} ended, "
            f"{len(self.only_old)} only in FY{self.old_year}'s inputs"
        ]
        for title, part in (
            (f"Largest increases (yen), top {top}", up),
            (f"Largest decreases (yen), top {top}", down),
            (f"Largest changes (%), top {top}", pct),
            ("New programmes", self.new[:top]),
            ("Ended programmes (本年度 0)", self.ended[:top]),
            (
                f"Only in FY{self.old_year}'s inputs (ended, or not in FY{self.new_year}'s inputs)",
                self.only_old[:top],
            ),
        ):
            out += ["", title + ":"]
            out += table(header, rows(part)) if part else ["  (none)"]
        if any(c.basis == NEW_PREVIOUS for c in self.changes):
            out += [
                "",
                f"* FY{self.old_year} as FY{self.new_year}'s book states it (前年度): "
                f"the programme is not in FY{self.old_year}'s inputs",
            ]
        return "\n".join(out) + "\n"


def _yen(value: int | None) -> str:
    return "" if value is None else f"{value:+,}" if value < 0 else f"{value:,}"


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value:+.1f}%"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Rows as aligned text columns (numbers right-aligned, the last column left), CJK-width aware."""
    widths = [max(_width(r[k]) for r in [header, *rows]) for k in range(len(header))]
    lines = []
    for row in [header, *rows]:
        cells = [" " * (widths[k] - _width(c)) + c for k, c in enumerate(row[:-1])]
        lines.append("  " + "  ".join([*cells, row[-1]]))
    return lines


def diff(records: Iterable[Record], level: str | None = None) -> Diff:
    """What changed between the two editions in ``records`` (older and newer fiscal year).

    ``level``: only programmes of this level (款, 項, 目 …; "" for PR programmes); default: the
    most detailed of 款, 項, 目 present in NEW, or every programme of a PR document.
    """
    eds = editions(records)
    if len(eds) != 2:
        years = ", ".join(str(e.year) for e in eds) or "none"
        raise ValueError(f"diff needs two editions (two fiscal years), found: {years}")
    old, new = eds
    if level is None:
        present = {p.level for p in new.programmes.values()}
        level = next((lv for lv in ("目", "項", "款") if lv in present), "")
    matched = {m.new.key: m for m in match(old, new)}
    changes: list[Change] = []
    added: list[Change] = []
    ended: list[Change] = []
    seen_old: set[ProgKey] = set()
    for key, prog in new.programmes.items():
        if prog.level != level:
            continue
        budget = prog.amount(Kind.BUDGET)
        previous = prog.amount(Kind.PREVIOUS)
        m = matched.get(key)
        old_budget = m.old.amount(Kind.BUDGET) if m else None
        if m:
            seen_old.add(m.old.key)
        how = m.how if m and m.how != "same" else ""
        if old_budget is not None:
            item = Change(prog.section, prog.level, prog.path, old_budget, budget, "OLD 本年度", how)
        elif previous:
            item = Change(prog.section, prog.level, prog.path, previous, budget, NEW_PREVIOUS, how)
        else:
            added.append(Change(prog.section, prog.level, prog.path, None, budget, "", how))
            continue
        if budget == 0:
            ended.append(item)
        changes.append(item)
    only_old = [
        Change(prog.section, prog.level, prog.path, prog.amount(Kind.BUDGET), None, "only in OLD")
        for key, prog in old.programmes.items()
        if prog.level == level and key not in seen_old and prog.amount(Kind.BUDGET) is not None
    ]
    return Diff(old.year, new.year, changes, added, ended, only_old)
