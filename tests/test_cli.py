"""The ``yosan`` command: output, errors (one line, exit status) and golden checks."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, GOLDEN, ROOT

from yosan.cli import build_parser, main
from yosan.model import COLUMNS

FIXTURE = FIXTURES / "mext-r2-science-points.txt"


def test_extract_prints_csv(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", str(FIXTURE)]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert tuple(rows[0]) == COLUMNS
    assert len(rows) == len(list(csv.DictReader((GOLDEN / "mext-r2-science-points.csv").open())))
    assert rows[0]["amount_yen"] == "48514000000"


@pytest.mark.parametrize("fmt", ["jsonl", "json"])
def test_extract_json_formats(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"out.{fmt}"
    assert main(["extract", str(FIXTURE), "--format", fmt, "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    items = json.loads(text) if fmt == "json" else [json.loads(line) for line in text.splitlines()]
    assert items[0]["amount_yen"] == 48514000000  # an integer, not a float
    assert items[0]["program"].startswith("5. Society 5.0を")  # not \\u-escaped
    assert "令和" in text
    assert not list(tmp_path.glob(".*.tmp"))


def test_bad_inputs_are_one_line_each_and_good_ones_still_complete(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    out = tmp_path / "all.csv"
    code = main(["extract", str(empty), str(tmp_path / "missing.txt"), str(FIXTURE), "-o", str(out)])
    err = capsys.readouterr().err.splitlines()
    assert code == 1
    assert err == [
        f"yosan: error: {empty}: empty file",
        f"yosan: error: {tmp_path / 'missing.txt'}: no such file",
    ]
    assert len(out.read_text(encoding="utf-8").splitlines()) > 100


def test_a_file_without_amounts_is_a_warning_not_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prose = tmp_path / "cover.txt"
    prose.write_text("令和2年度予算(案)主要事項\n\n文部科学省\n", "utf-8")
    assert main(["extract", str(prose)]) == 0
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [f"yosan: warning: {prose}: no amounts found"]
    assert captured.out.splitlines() == [",".join(COLUMNS)]  # the header: an empty table, still a table


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["extract", str(FIXTURE), "--format", "xml"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["extract", str(FIXTURE), "--fiscal-year", "next"])
    assert exc.value.code == 2


def test_fiscal_year_override(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = tmp_path / "summary.txt"
    doc.write_text(
        "官民地域パートナーシップによる次世代放射光施設の推進\n\n1,732百万円(1,326百万円)\n", "utf-8"
    )
    assert main(["extract", str(doc)]) == 0  # no label names the year
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["fiscal_year"] for r in rows] == ["", ""]
    assert main(["extract", str(doc), "--fiscal-year", "2021"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["kind"], r["fiscal_year"]) for r in rows] == [("budget", "2021"), ("previous", "2020")]


def test_unwritable_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["extract", str(FIXTURE), "-o", str(blocker / "out.csv")]) == 1
    assert capsys.readouterr().err.startswith(f"yosan: error: {blocker / 'out.csv'}: cannot write")


def test_check_passes_on_the_bundled_fixture(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(FIXTURE)]) == 0
    assert "ok (197 records)" in capsys.readouterr().out


def test_check_shows_a_readable_diff(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    golden = tmp_path / "golden.csv"
    lines = (GOLDEN / "mext-r2-science-points.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    # drop the first record, alter the second's programme, add a fake one
    lines = [lines[0], lines[2].replace("5. Society", "5. Sociey"), *lines[3:]]
    lines.append(lines[-1].replace(",2053,", ",2054,"))
    golden.write_text("".join(lines), encoding="utf-8")
    assert main(["check", str(FIXTURE), "--golden", str(golden)]) == 1
    out = capsys.readouterr().out
    assert "1 missing, 1 unexpected, 1 changed" in out
    assert "- missing     line 2054 previous 354000000" in out
    assert "+ unexpected  line 9 budget 48514000000" in out
    assert "~ changed     line 10 previous 47665000000" in out
    assert "program: '5. Sociey" in out


def test_check_update_rewrites_and_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fixtures = tmp_path / "fixtures"
    fixtures.mkdir()
    shutil.copy(FIXTURE, fixtures / FIXTURE.name)
    assert main(["check", str(fixtures / FIXTURE.name)]) == 1  # no golden yet
    assert "no golden file" in capsys.readouterr().err
    assert main(["check", str(fixtures / FIXTURE.name), "--update"]) == 0
    assert "wrote 197 records: 197 added, 0 removed, 0 changed" in capsys.readouterr().out
    assert (tmp_path / "golden" / "mext-r2-science-points.csv").exists()
    assert main(["check", str(fixtures / FIXTURE.name)]) == 0


def test_every_command_has_help() -> None:
    parser = build_parser()
    for command in ("extract", "check"):
        with pytest.raises(SystemExit) as exc:
            parser.parse_args([command, "--help"])
        assert exc.value.code == 0


def test_cli_py_runs_from_a_checkout() -> None:
    done = subprocess.run(
        [sys.executable, "cli.py", "--version"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert done.stdout.startswith("yosan-extract ")


def test_no_traceback_without_debug(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(bytes(range(0x80, 0x100)) * 4)
    done = subprocess.run(
        [sys.executable, "cli.py", "extract", str(bad)], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr
