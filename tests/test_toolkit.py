"""Issue 14: formats and their types, the readable table, messages naming the file, no output
for a failed input, -q/-v, progress, help pages, and the golden workflow."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import FIXTURES, GOLDEN

import yosan.cli as cli
from yosan import extract_file
from yosan.cli import build_parser, main
from yosan.errors import name_warning
from yosan.isolate import run_one
from yosan.model import ALL_COLUMNS, COLUMNS
from yosan.output import FORMATS, dtypes, load_records, read_records, to_dataframe
from yosan.progress import PageProgress

pytest_plugins = ["pytester"]
TEXT = FIXTURES / "mext-r2-science-points.txt"
PDF = FIXTURES / "pdf" / "pr-sheet.pdf"


def _golden_rows(name: str = "mext-r2-science-points.csv") -> list[dict[str, str]]:
    with (GOLDEN / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# --- formats ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("fixture", [TEXT, PDF], ids=["text", "pdf"])
def test_every_format_round_trips_with_the_same_dtypes(tmp_path: Path, fmt: str, fixture: Path) -> None:
    out = tmp_path / f"records.{fmt}"
    assert main(["extract", str(fixture), "-o", str(out), "-q"]) == 0  # the format from the name
    expected = to_dataframe(extract_file(fixture))
    got = read_records(out)
    pd.testing.assert_frame_equal(got, expected)
    assert str(got["amount_yen"].dtype) == "Int64"
    assert str(got["fiscal_year"].dtype) == "Int64"
    assert load_records(out) == extract_file(fixture)


def test_dtypes_follow_the_record_fields() -> None:
    types = dtypes()
    assert set(types) == set(ALL_COLUMNS)
    assert (types["amount_yen"], types["fiscal_year"], types["page"]) == ("Int64", "Int64", "Int64")
    assert (types["program"], types["approx"], types["confidence"], types["x0"]) == (
        "string",
        "boolean",
        "Float64",
        "Float64",
    )


def test_an_empty_fiscal_year_stays_an_integer_column(tmp_path: Path) -> None:
    doc = tmp_path / "summary.txt"
    doc.write_text(
        "官民地域パートナーシップによる次世代放射光施設の推進\n\n1,732百万円(1,326百万円)\n", "utf-8"
    )
    for fmt in FORMATS:
        out = tmp_path / f"x.{fmt}"
        assert main(["extract", str(doc), "-o", str(out)]) == 0
        frame = read_records(out)
        assert str(frame["fiscal_year"].dtype) == "Int64" and frame["fiscal_year"].isna().all()
        assert frame["amount_yen"].tolist() == [1732000000, 1326000000]


def test_parquet_is_typed_for_any_arrow_reader(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    out = tmp_path / "r.parquet"
    assert main(["extract", str(PDF), "-o", str(out)]) == 0
    schema = pq.read_schema(out)
    assert str(schema.field("amount_yen").type) == "int64"
    assert str(schema.field("fiscal_year").type) == "int64"
    assert str(schema.field("approx").type) == "bool"
    assert str(schema.field("confidence").type) == "double"
    assert schema.names == list(ALL_COLUMNS)


def test_xlsx_has_records_and_summary_sheets(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "r.xlsx"
    assert main(["extract", str(TEXT), "-o", str(out)]) == 0
    book = load_workbook(out)
    assert book.sheetnames == ["records", "summary"]
    rows = list(book["records"].values)
    assert rows[0] == COLUMNS
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["amount_yen"] == 48514000000 and isinstance(first["amount_yen"], int)
    assert first["fiscal_year"] == 2020 and first["approx"] is False
    summary = [
        dict(zip(("source", "kind", "fiscal_year", "records", "total_yen", "restated"), r, strict=True))
        for r in list(book["summary"].values)[1:]
    ]
    golden = _golden_rows()
    budget = next(s for s in summary if s["kind"] == "budget")
    assert budget["records"] == sum(1 for r in golden if r["kind"] == "budget")
    assert budget["total_yen"] == sum(int(r["amount_yen"]) for r in golden if r["kind"] == "budget")


def test_excel_csv_has_a_bom_and_crlf_and_reads_back(tmp_path: Path) -> None:
    out = tmp_path / "excel.csv"
    assert main(["extract", str(TEXT), "-o", str(out), "--excel"]) == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    frame = pd.read_csv(out, encoding="utf-8-sig")
    assert list(frame.columns) == list(COLUMNS)
    pd.testing.assert_frame_equal(read_records(out), to_dataframe(extract_file(TEXT)))


def test_an_unknown_extension_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.xml"
    assert main(["extract", str(TEXT), "-o", str(out)]) == 2
    assert capsys.readouterr().err.startswith(f"yosan: error: {out}: cannot tell the format from the name")
    assert not out.exists()
    assert main(["extract", str(TEXT), "-o", str(out), "--format", "jsonl", "-q"]) == 0  # unless told
    assert len(out.read_text(encoding="utf-8").splitlines()) == 197


def test_a_binary_format_is_not_sent_to_a_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "_isatty", lambda stream: True)
    assert main(["extract", str(TEXT), "--format", "parquet"]) == 2
    assert "parquet is binary" in capsys.readouterr().err


# --- the readable table -------------------------------------------------------------------


def test_show_prints_sections_amounts_and_totals(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", str(TEXT)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("mext-r2-science-points.txt: 197 records")
    golden = _golden_rows()
    assert any("budget" in line and "2020" in line and line.endswith("48,514,000,000") for line in lines)
    for kind in ("budget", "previous", "supplementary"):
        count = sum(1 for r in golden if r["kind"] == kind)
        total = sum(int(r["amount_yen"]) for r in golden if r["kind"] == kind)
        assert any(
            line.startswith(kind) and f" {count} " in line and line.endswith(f"{total:,}") for line in lines
        )
    assert "\t" not in out


def test_show_reads_an_output_file_the_same(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", str(PDF)]) == 0
    direct = capsys.readouterr().out
    for fmt in ("csv", "xlsx"):
        out = tmp_path / f"pr.{fmt}"
        assert main(["extract", str(PDF), "-o", str(out)]) == 0
        assert main(["show", str(out)]) == 0
        assert capsys.readouterr().out == direct


def test_extract_on_a_terminal_prints_the_table(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "_isatty", lambda stream: True)
    assert main(["extract", str(PDF)]) == 0
    out = capsys.readouterr().out
    assert "amount (yen)" in out and "1,732,000,000" in out and "source,page" not in out
    assert main(["extract", str(PDF), "--format", "csv"]) == 0  # unless a format is asked for
    assert capsys.readouterr().out.startswith("source,page,")


# --- messages -----------------------------------------------------------------------------


def test_warnings_name_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = tmp_path / "doc.txt"
    doc.write_text("令和2年度予算額(案) 1兆兆兆円\n令和2年度予算額(案) 48,514百万円\n", "utf-8")
    assert main(["extract", str(doc), "-o", str(tmp_path / "out.csv")]) == 0
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"yosan: warning: {doc}: line 1: amount '1兆兆兆円' not read: units out of order")
    assert main(["extract", str(doc), "-o", str(tmp_path / "out.csv"), "-q"]) == 0
    assert capsys.readouterr().err == ""
    assert main(["extract", str(doc), "-o", str(tmp_path / "out.csv"), "-v"]) == 0
    assert capsys.readouterr().err.splitlines()[-1].startswith(f"yosan: {doc}: 1 records, ")


def test_name_warning() -> None:
    assert (
        name_warning("in/scan.pdf", "page 7: OCR amount '5.' fails")
        == "in/scan.pdf: page 7: OCR amount '5.' fails"
    )
    assert name_warning("in/scan.pdf", "scan.pdf: line 3: x") == "in/scan.pdf: line 3: x"
    assert name_warning("in/scan.pdf", "in/scan.pdf: page 2: y") == "in/scan.pdf: page 2: y"


def test_a_failed_input_leaves_no_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.csv"
    out.write_text("an older output\n")
    assert main(["extract", str(tmp_path / "missing.pdf"), "-o", str(out)]) == 1
    assert not out.exists()
    assert main(["extract", str(tmp_path / "missing.pdf")]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""  # no header before (or after) the error
    assert captured.err.splitlines()[-1] == f"yosan: error: {tmp_path / 'missing.pdf'}: no such file"


# --- progress -----------------------------------------------------------------------------


def test_page_events_come_from_a_pdf_and_from_ocr() -> None:
    events: list[str] = []

    def records(path: str, fd: int) -> int:
        return len(cli._records_of(path, cli.Options(jobs=1), fd))

    pdf = FIXTURES / "pdf" / "mext-r2-science-points.pdf"
    outcome = run_one(records, (str(pdf),), timeout=300, max_memory=None, events=events.append)
    assert outcome.value == 197
    said = [e for e in events if e]
    assert said.count("pages 43") >= 1 and said.count("page 1") == 43
    events.clear()
    outcome = run_one(
        records, (str(FIXTURES / "scans" / "mext-p13-scan.png"),), 300, None, events=events.append
    )
    assert outcome.error is None
    assert [e for e in events if e] == ["ocr 1", "ocrpage 1"]


def test_progress_lines_are_periodic_without_a_terminal() -> None:
    now = [0.0]
    stream = io.StringIO()
    progress = PageProgress("book.pdf", stream, bar=False, interval=10, clock=lambda: now[0])
    progress.event("pages 83")
    for k in range(83):
        now[0] = k * 0.5
        progress.event("page 1")
    progress.event("ocr 40")
    now[0] = 50.0
    progress.event("ocrpage 1")
    progress.event("")
    assert stream.getvalue().splitlines() == [
        "yosan: book.pdf: page 21 of 83 read, 10 s",
        "yosan: book.pdf: page 41 of 83 read, 20 s",
        "yosan: book.pdf: page 61 of 83 read, 30 s",
        "yosan: book.pdf: page 81 of 83 read, 40 s",
        "yosan: book.pdf: page 83 of 83 read, OCR 1 of 40 pages, 50 s",
    ]


def test_a_page_bar_on_a_terminal() -> None:
    stream = io.StringIO()
    progress = PageProgress("book.pdf", stream, bar=True)
    progress.event("pages 3")
    for _ in range(3):
        progress.event("page 1")
    assert progress.bar is not None and progress.bar.n == 3 and progress.bar.total == 3
    progress.event("ocr 2")
    progress.event("ocrpage 1")
    assert progress.bar.total == 2 and progress.bar.n == 1
    progress.close()
    assert "book.pdf: pages" in stream.getvalue() and "book.pdf: OCR" in stream.getvalue()


# --- help ---------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["extract", "show", "batch", "check", "layout", "validate", "link", "diff"])
def test_every_help_page_has_examples(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args([command, "--help"])
    assert exc.value.code == 0
    text = capsys.readouterr().out
    examples = text.split("examples:\n", 1)[1]
    assert 2 <= sum(1 for line in examples.splitlines() if line.startswith(f"  yosan {command} ")) <= 3
    if command in ("extract", "batch"):
        listed = text.split("columns:\n", 1)[1] if "columns:\n" in text else text.split("order:\n", 1)[1]
        names = [w for line in listed.splitlines() for w in line.split()[:4] if w in ALL_COLUMNS]
        assert set(names) == set(ALL_COLUMNS)
        assert all(cli.COLUMN_HELP.get(c) for c in ALL_COLUMNS if c not in ("top", "x1", "bottom"))


# --- golden workflow ----------------------------------------------------------------------


def _golden_copy(tmp_path: Path) -> tuple[Path, list[str]]:
    golden = tmp_path / "golden.csv"
    lines = (GOLDEN / "mext-r2-science-points.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    return golden, lines


def test_a_changed_amount_shows_as_changed_golden_to_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    golden, lines = _golden_copy(tmp_path)
    lines[1] = lines[1].replace(",48514000000,", ",48515000000,")
    golden.write_text("".join(lines), encoding="utf-8")
    assert main(["check", str(TEXT), "--golden", str(golden)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{golden}: 0 missing, 0 unexpected, 1 changed (golden → output)"
    assert out[1].startswith("~ changed     line 9 budget 48514000000")
    assert out[2] == "      amount_yen: '48515000000' → '48514000000'"


def test_update_prints_what_it_wrote(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    golden, lines = _golden_copy(tmp_path)
    edited = [lines[0], lines[1].replace(",48514000000,", ",1,"), *lines[3:]]
    edited.append(lines[-1].replace(",2053,", ",2054,"))
    golden.write_text("".join(edited), encoding="utf-8")
    assert main(["check", str(TEXT), "--golden", str(golden), "--update"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{golden}: wrote 197 records: 1 added, 1 removed, 1 changed (golden → output)"
    assert "- removed     line 2054 previous 354000000  気候変動適応技術社会実装プログラム" in out
    assert any(line.startswith("+ added       line 10 previous 47665000000") for line in out)
    assert "      amount_yen: '1' → '48514000000'" in out
    assert golden.read_text(encoding="utf-8") == "".join(lines)
    assert main(["check", str(TEXT), "--golden", str(golden)]) == 0


def test_goldens_saved_by_excel_are_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    golden, lines = _golden_copy(tmp_path)
    golden.write_bytes(b"\xef\xbb\xbf" + "".join(lines).replace("\n", "\r\n").encode("utf-8"))
    assert main(["check", str(TEXT), "--golden", str(golden)]) == 0
    assert capsys.readouterr().out == f"{golden}: ok (197 records)\n"


def test_check_knows_goldens_of_facts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fixture = FIXTURES / "layouts" / "three-col-reportlab.pdf"
    facts = GOLDEN / "layouts" / "three-col-reportlab.csv"
    assert main(["check", str(fixture)]) == 0
    assert capsys.readouterr().out.endswith(f"ok ({len(facts.read_text().splitlines()) - 1} facts)\n")
    golden = tmp_path / "facts.csv"
    rows = facts.read_text(encoding="utf-8").splitlines(keepends=True)
    golden.write_text("".join(rows[:-1]), encoding="utf-8")  # one fact less
    assert main(["check", str(fixture), "--golden", str(golden)]) == 1
    assert "0 missing, 1 unexpected, 0 changed" in capsys.readouterr().out
    assert main(["check", str(fixture), "--golden", str(golden), "--update"]) == 0
    assert "1 added, 0 removed, 0 changed" in capsys.readouterr().out
    assert golden.read_text(encoding="utf-8") == "".join(rows)  # the facts schema is kept


def test_the_yosan_golden_fixture(pytester: pytest.Pytester, tmp_path: Path) -> None:
    shutil.copy(TEXT, pytester.path / TEXT.name)
    good = GOLDEN / "mext-r2-science-points.csv"
    bad = pytester.path / "bad.csv"
    bad.write_text(good.read_text(encoding="utf-8").replace(",48514000000,", ",48515000000,"), "utf-8")
    pytester.makepyfile(
        f"""
        def test_good(yosan_golden):
            assert len(yosan_golden("mext-r2-science-points.txt", golden={str(good)!r})) == 197

        def test_bad(yosan_golden):
            yosan_golden("mext-r2-science-points.txt", golden="bad.csv")

        def test_new(yosan_golden):
            yosan_golden("mext-r2-science-points.txt", golden="new.csv")
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*bad.csv: 0 missing, 0 unexpected, 1 changed (golden → output)",
            "*amount_yen: '48515000000' → '48514000000'",
            "*new.csv: no golden file: run pytest --yosan-update to write it, then check it by hand",
        ]
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "--yosan-update", "-s")
    result.assert_outcomes(passed=3)
    assert (pytester.path / "new.csv").read_text(encoding="utf-8") == good.read_text(encoding="utf-8")
    assert pytester.runpytest("-p", "no:cacheprovider").ret == 0


def test_json_output_is_exact_integers(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    assert main(["extract", str(TEXT), "-o", str(out)]) == 0
    items = json.loads(out.read_text(encoding="utf-8"))
    assert [i["amount_yen"] for i in items] == [int(r["amount_yen"]) for r in _golden_rows()]
