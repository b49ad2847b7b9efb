"""`yosan validate`, `link` and `diff` from the command line, and records read back from files (issue 13)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from conftest import FIXTURES, GOLDEN, ROOT, SHARED

from yosan.cli import main
from yosan.keys import main as keys_main
from yosan.keys import read_key
from yosan.output import FORMATS, encode
from yosan.recordfile import read_record_file

KEYS = ROOT / "tests" / "keys" / "dev"
RODO = KEYS / "fuji_r8_saishutsu05_rodo.csv"
CORPUS = SHARED / "corpus"


def documents() -> list[str]:
    return ["--documents", str(CORPUS)] if CORPUS.is_dir() else []


def test_validate_a_key_passes_with_its_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(RODO), *documents()]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and out[0].startswith("yosan: validate: ")
    assert " 0 failed; " in out[0] and "covered by at least one check" in out[0]


def test_validate_flags_a_changed_figure_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = list(csv.DictReader(RODO.open(encoding="utf-8")))
    for row in rows:
        if row["program"] == "労政費" and row["kind"] == "previous":
            row["amount_yen"] = "114434000"  # 114,424千円 misread
    changed = tmp_path / "fuji_r8_saishutsu05_rodo.csv"
    with changed.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    out_records = tmp_path / "checked.csv"
    assert main(["validate", str(changed), "-o", str(out_records)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        "failed 本年度−前年度=比較  fuji_r8_saishutsu05_rodo.pdf p.1  歳出 一般会計 > 5 労働費 > 1 労働費 > "
        "1 労政費 [FY2026]: 本年度−前年度 17,775,000 vs 比較 17,785,000, difference -10,000"
    )
    assert lines[-1].startswith("yosan: validate: ") and " 1 failed; " in lines[-1]
    checked = list(csv.DictReader(out_records.open(encoding="utf-8")))
    flagged = [r for r in checked if r["check"] == "failed"]
    assert {(r["program"], r["kind"]) for r in flagged} == {("労政費", "budget"), ("労政費", "previous"),
                                                             ("労政費", "difference")}  # fmt: skip
    assert {r["confidence"] for r in flagged} == {"0.5"}


def test_validate_json_lists_every_check(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(RODO), "--format", "json", *documents()]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["summary"]["failed"] == 0 and data["summary"]["checks"] == len(data["checks"])
    row = next(c for c in data["checks"] if c["rule"] == "財源内訳計=本年度" and c["pages"] == [1])
    assert (row["left_yen"], row["right_yen"], row["difference_yen"]) == (132_209_000, 132_209_000, 0)
    assert {"rule", "status", "subject", "value", "left", "right", "pages", "tolerance_yen"} <= set(row)
    assert all(s["reason"] for s in data["skipped"])


def test_validate_all_and_mutate(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(RODO), "--all", "--mutate", *documents()]) == 0
    out = capsys.readouterr().out.splitlines()
    assert any(line.startswith("passed 細節計=節") for line in out)
    assert any(line.startswith("skipped 節計=目") and "page 2 not in the input" in line for line in out)
    assert out[-1].startswith("yosan: mutations: ") and "0 false alarms" in out[-1]


def test_validate_a_document_extracts_it_first(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(FIXTURES / "mext-r2-science-points.txt")]) == 0
    assert capsys.readouterr().out == (
        "yosan: validate: 52 checks, 52 passed, 0 failed; 121 of 197 figures (61.4%) covered by at least "
        "one check; 2 groups not checked (--all says why)\n"
    )


def test_validate_a_file_that_is_not_records(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "notes.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    assert main(["validate", str(bad)]) == 1
    assert capsys.readouterr().err == f"yosan: error: {bad}: not a record file: no column kind, amount_yen\n"


@pytest.mark.parametrize("fmt", FORMATS)
def test_records_read_back_as_written(tmp_path: Path, fmt: str) -> None:
    records, _ = read_key(RODO)
    path = tmp_path / f"rodo.{fmt}"
    path.write_bytes(encode(records, fmt))  # as `yosan extract -o rodo.FMT` writes it
    again, coverage = read_record_file(path)
    assert coverage == {}  # an output file covers its documents whole
    assert again == records


def test_keys_converter_writes_record_csv(tmp_path: Path) -> None:
    out = tmp_path / "rodo.records.csv"
    assert keys_main([str(RODO), "-o", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) == 60
    first = rows[0]
    assert (first["source"], first["level"], first["code"], first["program"], first["kind"]) == (
        "fuji_r8_saishutsu05_rodo.pdf", "款", "5", "労働費", "budget"
    )  # fmt: skip
    assert (first["amount_yen"], first["unit"], first["note"]) == ("159963000", "千円", "printed page 371")
    assert rows[-11]["repeat"] == "" and any(r["repeat"] == "1" for r in rows)


def test_link_r7_r8_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inputs = [str(p) for p in sorted(KEYS.glob("fuji_r[78]_*.csv"))]
    assert main(["link", *inputs]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == (
        "yosan: link: FY2025->FY2026: 42 前年度 figures; 29 pairs with FY2025's programme, 29 equal its 本年度 "
        "(100.0%), 0 mismatches (目: 5 of 5 equal); 13 without a FY2025 figure"
    )
    series = tmp_path / "series.csv"
    assert main(["link", *inputs, "--format", "csv", "-o", str(series)]) == 0
    rows = list(csv.DictReader(series.open(encoding="utf-8")))
    kojin = next(r for r in rows if r["path"] == "一般会計 > 1 市税 > 1 市民税 > 1 個人")
    assert (kojin["FY2025"], kojin["FY2026"]) == ("15840700000", "16203500000")


def test_link_exits_1_on_a_mismatch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    r8 = KEYS / "fuji_r8_sainyu01_shizei.csv"
    text = r8.read_text(encoding="utf-8").replace(
        ",previous,,2025,15840700000,", ",previous,,2025,15840000000,"
    )
    changed = tmp_path / r8.name
    changed.write_text(text, encoding="utf-8")
    assert main(["link", str(KEYS / "fuji_r7_sainyu01_shizei.csv"), str(changed)]) == 1
    out = capsys.readouterr().out
    assert "mismatch  歳入 一般会計 > 1 市税 > 1 市民税 > 1 個人: FY2026 前年度 15,840,000,000" in out


def test_diff_prints_tables(capsys: pytest.CaptureFixture[str]) -> None:
    inputs = [str(p) for p in sorted(KEYS.glob("fuji_r[78]_*.csv"))]
    assert main(["diff", *inputs, "--top", "2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("FY2025 -> FY2026: 14 programmes in both (13 changed), 1 new, 1 ended")
    assert "Largest decreases (yen), top 2:" in out and "勤労者総合福祉センター費" in out
    assert main(["diff", str(KEYS / "fuji_r8_gaiyo.csv")]) == 1
    assert "diff needs two editions" in capsys.readouterr().err


def test_golden_mext_validates(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(GOLDEN / "mext-r2-science-points.csv")]) == 0


def test_link_and_diff_json_are_json_with_nulls(capsys: pytest.CaptureFixture[str]) -> None:
    inputs = [str(KEYS / "fuji_r7_sainyu01_shizei.csv"), str(KEYS / "fuji_r8_sainyu01_shizei.csv")]
    assert main(["link", *inputs, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    kojin = next(x for x in data["links"] if x["path"] == "一般会計 > 1 市税 > 1 市民税 > 1 個人")
    assert (kojin["new_previous_yen"], kojin["old_budget_yen"], kojin["old_revised_yen"]) == (
        15_840_700_000, 15_840_700_000, None
    )  # fmt: skip
    assert main(["diff", *inputs, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["what"] for r in rows} >= {"changed"} and all(
        isinstance(r["change_yen"], int | None) for r in rows
    )



@pytest.mark.parametrize("command", ["validate", "link", "diff"])
def test_verbose_and_quiet_as_on_every_command(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    text = FIXTURES / "mext-r2-science-points.txt"
    main([command, "-v", str(text)])
    assert f"yosan: {text}: 197 records, " in capsys.readouterr().err
    if command == "validate":
        main([command, "-q", str(text)])
        assert capsys.readouterr().err == ""
