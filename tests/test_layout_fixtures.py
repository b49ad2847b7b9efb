"""The layout fixtures (``fixtures/layouts/``) and the HTML renderer are sound.

These tests check the fixtures themselves, not the extractor: every line an
``order.json`` lists is the source line it names and is on the page; the
goldens are the hand-checked text golden's records of the lines drawn; their
amounts are on the page; the columns of the shared-baseline fixtures share
their baselines; the fonts are the ones the README names; the generator gives
the same files again; ``render_html`` draws every line of what it renders.
"""

from __future__ import annotations

import csv
import itertools
import json
import sys
from collections import defaultdict
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
import pytest
from conftest import FIXTURES, GOLDEN
from pdfminer.pdftypes import resolve1
from render_html import HtmlVariant, drawn_lines, find_text, page_texts, render, soffice, squeeze

LAYOUTS = FIXTURES / "layouts"
GOLDEN_LAYOUTS = GOLDEN / "layouts"
SOURCE = FIXTURES / "mext-r2-science-points.txt"
ORDERS = sorted(LAYOUTS.glob("*.order.json"))
PDFS = sorted(p for p in LAYOUTS.glob("*.pdf") if not p.stem.endswith("-scan"))
SCANS = sorted(LAYOUTS.glob("*-scan.pdf"))
SOURCE_LINES = SOURCE.read_text(encoding="utf-8").removesuffix("\n").split("\n")
FACTS = ["page", "kind", "fiscal_year", "amount_yen", "program"]
MM = 72 / 25.4


def order_of(pdf: Path) -> dict:
    return json.loads(pdf.with_name(pdf.stem + ".order.json").read_text(encoding="utf-8"))


def golden_rows(stem: str) -> list[dict[str, str]]:
    with (GOLDEN_LAYOUTS / f"{stem}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_the_fixtures_are_there() -> None:
    stems = {p.stem for p in PDFS}
    for layout in ("two-col-shared", "three-col", "boxed-pr-sheet", "table-in-column", "spread"):
        assert {f"{layout}-weasyprint", f"{layout}-reportlab"} <= stems
    assert len(SCANS) >= 2
    for pdf in PDFS + SCANS:
        assert pdf.with_name(pdf.stem + ".order.json").exists(), pdf.name
        assert (GOLDEN_LAYOUTS / f"{pdf.stem}.csv").exists(), pdf.name
    assert {p.stem for p in GOLDEN_LAYOUTS.glob("*.csv")} == {p.stem for p in PDFS + SCANS}


@pytest.mark.parametrize("order", ORDERS, ids=lambda p: p.name)
def test_order_lines_are_the_source_lines(order: Path) -> None:
    data = json.loads(order.read_text(encoding="utf-8"))
    assert data["source"] == "fixtures/mext-r2-science-points.txt"
    seen = []
    for page in data["pages"]:
        for entry in page["lines"]:
            assert entry["text"] == SOURCE_LINES[entry["line"] - 1], entry
            assert entry["text"].strip(), entry
            seen.append(entry["line"])
    assert len(seen) == len(set(seen)), "a source line is listed twice"


@pytest.mark.parametrize("pdf", PDFS, ids=lambda p: p.name)
def test_every_listed_line_is_on_its_page(pdf: Path) -> None:
    texts = page_texts(pdf)
    data = order_of(pdf)
    assert len(texts) == len(data["pages"]) == 1
    for page in data["pages"]:
        text = texts[page["page"] - 1]
        for entry in page["lines"]:
            cells = [squeeze(c) for c in entry["text"].split("\t") if c.strip()]
            missing = [c for c in cells if find_text(text, c, cell=len(cells) > 1) is None]
            assert not missing, f"line {entry['line']} not drawn: {missing}"


@pytest.mark.parametrize("pdf", PDFS + SCANS, ids=lambda p: p.name)
def test_paper_size_is_the_stated_one(pdf: Path) -> None:
    doc = pdfium.PdfDocument(str(pdf))
    try:
        assert len(doc) == 1
        width, height = doc[0].get_size()
    finally:
        doc.close()
    want = order_of(pdf)["paper_pt"]
    assert abs(width - want[0]) < 1 and abs(height - want[1]) < 1


def _text_golden_records(order: dict) -> list[dict[str, str]]:
    with (GOLDEN / "mext-r2-science-points.csv").open(encoding="utf-8", newline="") as fh:
        text_golden = list(csv.DictReader(fh))
    by_line: dict[int, list[dict[str, str]]] = defaultdict(list)
    for row in text_golden:
        by_line[int(row["line"])].append(row)
    rows = []
    for page in order["pages"]:
        for entry in page["lines"]:
            for row in by_line[entry["line"]]:
                rows.append({**{k: row[k] for k in FACTS[1:]}, "page": str(page["page"])})
    return rows


@pytest.mark.parametrize("pdf", PDFS + SCANS, ids=lambda p: p.name)
def test_golden_is_the_text_golden_of_the_lines_drawn(pdf: Path) -> None:
    """Every owner's title is drawn on these sheets, so no programme differs (README)."""
    got = [{k: r[k] for k in FACTS} for r in golden_rows(pdf.stem)]
    want = [{k: r[k] for k in FACTS} for r in _text_golden_records(order_of(pdf))]
    assert got == want


@pytest.mark.parametrize("scan", SCANS, ids=lambda p: p.name)
def test_a_scan_has_the_golden_of_its_pdf_and_no_text(scan: Path) -> None:
    order = order_of(scan)
    source = LAYOUTS / order["scanned_from"]
    assert golden_rows(scan.stem) == golden_rows(source.stem)
    assert order["pages"] == order_of(source)["pages"]
    assert page_texts(scan) == [""]


def _amount_forms(yen: int) -> list[str]:
    forms = []
    for unit, scale in (("百万円", 10**6), ("億円", 10**8), ("千円", 10**3)):
        if yen % scale == 0:
            forms.append(f"{yen // scale:,}{unit}")
    return forms


@pytest.mark.parametrize("pdf", PDFS, ids=lambda p: p.name)
def test_golden_amounts_are_on_their_pages(pdf: Path) -> None:
    texts = page_texts(pdf)
    for row in golden_rows(pdf.stem):
        text = texts[int(row["page"]) - 1]
        forms = _amount_forms(int(row["amount_yen"]))
        assert any(f in text for f in forms), f"{row} not on page {row['page']} ({forms})"


def _baseline_grid(pdf: Path) -> tuple[float, dict[int, set[float]], float]:
    """Top baseline of the columns, the baselines of each column below it, and the leading."""
    order = order_of(pdf)["pages"][0]["lines"]
    columns = sorted({e["region"] for e in order if e["region"].startswith("column")})
    with pdfplumber.open(pdf) as doc:
        page = doc.pages[0]
        chars = [c for c in page.chars if not c["text"].isspace()]
        height = page.height
    text = "".join(c["text"] for c in chars)
    tops = []
    for column in columns:
        first = squeeze(next(e for e in order if e["region"] == column)["text"])
        at = text.find(first[:10])
        assert at >= 0, first
        tops.append((round(height - chars[at]["matrix"][5], 2), chars[at]["x0"]))
    assert max(t for t, _ in tops) - min(t for t, _ in tops) < 0.3, f"columns start apart: {tops}"
    top = tops[0][0]
    edges = [x - 15 for _, x in tops[1:]]  # a first line may be indented by 1em; the gutter is 8 mm
    per: dict[int, set[float]] = defaultdict(set)
    for c in chars:
        base = round(height - c["matrix"][5], 2)
        if base >= top - 0.3:
            per[sum(1 for e in edges if c["x0"] >= e)].add(base)
    first = sorted(per[0])
    leading = min(b - a for a, b in itertools.pairwise(first) if b - a > 3)
    return top, per, leading


@pytest.mark.parametrize("name", [p.name for p in PDFS if p.stem.startswith(("two-col-shared", "three-col"))])
def test_columns_share_their_baselines(name: str) -> None:
    top, per, leading = _baseline_grid(LAYOUTS / name)
    assert len(per) == (3 if name.startswith("three") else 2)
    for column, baselines in per.items():
        off = [b for b in baselines if abs((b - top) / leading - round((b - top) / leading)) * leading > 0.3]
        assert not off, f"column {column + 1}: baselines off the {leading} pt grid: {off}"
        assert len(baselines) >= 10


def font_files(pdf: Path) -> set[tuple[str, str]]:
    """(font name, FontFile key) of every embedded font: FontFile3 is CFF, FontFile2 TrueType."""
    found = set()
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            fonts = resolve1(resolve1(page.page_obj.resources).get("Font", {}))
            for ref in fonts.values():
                font = resolve1(ref)
                for part in [font, *(resolve1(d) for d in resolve1(font.get("DescendantFonts", [])))]:
                    descriptor = resolve1(part.get("FontDescriptor"))
                    if descriptor:
                        name = resolve1(descriptor["FontName"]).name
                        found |= {
                            (name, k) for k in ("FontFile", "FontFile2", "FontFile3") if k in descriptor
                        }
    return found


@pytest.mark.parametrize("pdf", PDFS, ids=lambda p: p.name)
def test_fonts_are_the_stated_ones(pdf: Path) -> None:
    """Noto CJK (OpenType/CFF) is embedded as CFF outlines (FontFile3), IPAex as TrueType (FontFile2)."""
    order = order_of(pdf)
    main = [(name, kind) for name, kind in font_files(pdf) if "DejaVu" not in name]
    assert main
    if "CFF" in order["font"]:
        assert all("Noto" in name and kind == "FontFile3" for name, kind in main), main
    else:
        assert all("IPAex" in name and kind == "FontFile2" for name, kind in main), main
    assert order["producer"].split()[0].lower() in pdf.stem


def test_the_generator_gives_the_same_files(tmp_path: Path) -> None:
    """Two runs give the same bytes; the committed files have the same text and order."""
    pytest.importorskip("weasyprint")
    sys.path.insert(0, str(FIXTURES))
    import make_layouts

    first, second = tmp_path / "a", tmp_path / "b"
    assert make_layouts.main(["--out", str(first)]) == 0
    assert make_layouts.main(["--out", str(second)]) == 0
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    assert names == sorted(p.name for p in LAYOUTS.iterdir() if p.name != "README.md")
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
        if name.endswith(".json"):
            assert (first / name).read_text("utf-8") == (LAYOUTS / name).read_text("utf-8"), name
        elif not name.endswith("-scan.pdf"):
            assert page_texts(first / name) == page_texts(LAYOUTS / name), name


# --- the HTML renderer (tests/render_html.py) ------------------------------------------------

SPAN = (1078, 1160)  # chapter 8's summary: a heading, boxes, ○ items


def test_weasyprint_rendering_draws_every_line(tmp_path: Path) -> None:
    pytest.importorskip("weasyprint")
    variant = HtmlVariant("t", font="noto-sans", page="b5", columns=2, align="justify", ruled=False)
    pdf = render(SOURCE, tmp_path / "t.pdf", variant, lines=SPAN)
    found, missing = drawn_lines(pdf, SOURCE, SPAN)
    assert not missing
    assert len(found) > 30
    assert {kind for name, kind in font_files(pdf) if "Noto" in name} == {"FontFile3"}


@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_rendering_draws_every_line(tmp_path: Path) -> None:
    variant = HtmlVariant("t", producer="libreoffice", font="ipaex-gothic", columns=2, size=8)
    pdf = render(SOURCE, tmp_path / "t.pdf", variant, lines=SPAN)
    found, missing = drawn_lines(pdf, SOURCE, SPAN)
    assert not missing
    assert len(found) > 30
    with pdfplumber.open(pdf) as doc:
        xs = [c["x0"] for c in doc.pages[0].chars]
        width = doc.pages[0].width
    assert any(x > width / 2 + 10 for x in xs), "no text in the right column"
