"""Every example of the README runs, and prints what the README says it prints.

Each ``console`` block runs in one scratch folder (``fixtures/`` and ``tests/keys/``
linked, ``golden/`` copied, ``budget/`` made as the README describes it, ``.venv``
linked to this Python's environment, and ``../shared`` beside it as beside the
checkout), one ``$`` command at a time, stdout and
stderr together, and the lines below a command are what it must print.  Times
(``0.2 s``, ``"seconds": 0.175``), dates and the trailing spaces of table
lines are the only things that may differ; a line ``…`` alone stands for any
lines (an excerpt).  ``python`` blocks must run; the
``json`` block of report.json must equal the report the batch example wrote.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, GOLDEN, ROOT, SHARED

README = ROOT / "README.md"
BLOCK = re.compile(r"^```(console|python|json)\n(.*?)^```", re.M | re.S)
BLOCKS = [
    (m[1], m[2], README.read_text(encoding="utf-8")[: m.start()].count("\n") + 1)
    for m in BLOCK.finditer(README.read_text(encoding="utf-8"))
]


# Progress lines come every 10 s of a long document: how many depends on the machine's load.
PROGRESS = re.compile(
    r"^yosan: [^\n]*: (page \d+ of \d+ read|OCR \d+ of \d+ pages|reading)[^\n]*, \d+ s\n", re.M
)


def _normal(text: str) -> list[str]:
    text = re.sub(r"\b\d+\.\d+ s\b", "N s", text)
    text = re.sub(r'"seconds": [\d.]+', '"seconds": N', text)
    text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", "DATE", text)
    return [line.rstrip() for line in text.rstrip("\n").splitlines()]


def _excerpt_of(actual: list[str], expected: list[str]) -> bool:
    """Whether ``expected`` is ``actual`` with runs of lines left out, each shown as a line ``…``."""
    pieces = [list(lines) for gap, lines in itertools.groupby(expected, lambda x: x == "…") if not gap]
    at = 0
    for k, piece in enumerate(pieces):
        last = len(actual) - len(piece)
        found = [i for i in range(at, last + 1) if actual[i : i + len(piece)] == piece]
        if k == 0 and expected[0] != "…":
            found = [i for i in found if i == 0]
        if k == len(pieces) - 1 and expected[-1] != "…":
            found = [i for i in found if i == last]
        if not found:
            return False
        at = found[0] + len(piece)
    return True


def _commands(block: str) -> list[tuple[str, str]]:
    """(command, what it prints) pairs of a console block."""
    pairs: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            pairs.append((line[2:], []))
        elif pairs:
            pairs[-1][1].append(line)
    return [(command, "\n".join(out)) for command, out in pairs]


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("readme")
    folder = base / "yosan-extract"
    (folder / "tests").mkdir(parents=True)
    if SHARED.is_dir():  # the corpus whose PDFs give the answer keys' page counts (--documents)
        (base / "shared").symlink_to(SHARED)
    (folder / "fixtures").symlink_to(FIXTURES)
    (folder / "tests" / "keys").symlink_to(ROOT / "tests" / "keys")
    shutil.copytree(GOLDEN, folder / "golden")
    (folder / ".venv").symlink_to(Path(sys.prefix))
    # budget/: the bundled text fixture, the two one-page PDFs and an HTML page saved as .pdf
    (folder / "budget" / "pdf").mkdir(parents=True)
    shutil.copy(FIXTURES / "mext-r2-science-points.txt", folder / "budget")
    for name in ("pr-sheet.pdf", "two-column.pdf"):
        shutil.copy(FIXTURES / "pdf" / name, folder / "budget" / "pdf")
    (folder / "budget" / "pdf" / "download.pdf").write_text(
        "<!DOCTYPE html>\n<html><body>Not found</body></html>\n", encoding="utf-8"
    )
    return folder


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def test_the_readme_has_examples() -> None:
    kinds = [kind for kind, _, _ in BLOCKS]
    assert kinds.count("console") >= 6 and "python" in kinds and "json" in kinds


@pytest.mark.parametrize(("kind", "body", "line"), BLOCKS, ids=[f"{k}-line-{n}" for k, _, n in BLOCKS])
def test_readme_example(scratch: Path, kind: str, body: str, line: int) -> None:
    if "../shared/corpus" in body and not (SHARED / "corpus").is_dir():
        pytest.skip("../shared/corpus is absent: the answer keys' page counts come from its PDFs")
    if kind == "python":
        script = scratch / f"example_{line}.py"
        script.write_text(body, encoding="utf-8")
        done = subprocess.run(
            [sys.executable, script.name],
            cwd=scratch,
            env=_env(),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return
    if kind == "json":
        if '"toolkit": "yosan-extract"' not in body:
            pytest.skip("not a report")
        report = json.loads((scratch / "out" / "report.json").read_text(encoding="utf-8"))
        shown = json.loads(body)
        assert _normal(json.dumps(report, indent=2, sort_keys=True, ensure_ascii=False)) == _normal(
            json.dumps(shown, indent=2, sort_keys=True, ensure_ascii=False)
        )
        return
    status = 0
    for command, expected in _commands(body):
        if command == "echo $?":
            output = f"{status}\n"
        else:
            done = subprocess.run(
                ["bash", "-c", command],
                cwd=scratch,
                env=_env(),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                text=True,
                timeout=600,
                check=False,
            )
            status, output = done.returncode, done.stdout
        got, shown = _normal(PROGRESS.sub("", output)), _normal(expected)
        if not ("…" in shown and _excerpt_of(got, shown)):
            assert got == shown, f"README line {line}: $ {command}"
