"""Packaging: the installed name `yosan`, `python -m yosan`, a wheel built without warnings,
`py.typed`, and dependencies declared exactly as imported."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

from conftest import FIXTURES, ROOT

PACKAGE = ROOT / "extract"
# This machine's pip configuration names index folders that do not exist; pip says so for
# every package it looks up.  That is the machine, not the project.
MACHINE_NOISE = re.compile(r"WARNING: Location '[^']*' is ignored: it is neither a file nor a directory\.")


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False, timeout=300)


def test_a_wheel_builds_without_warnings_and_holds_the_package(tmp_path: Path) -> None:
    done = _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    said = MACHINE_NOISE.sub("", done.stdout + done.stderr)
    assert "warning" not in said.lower(), said
    (wheel,) = tmp_path.glob("yosan_extract-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in (
        "yosan/__init__.py",
        "yosan/__main__.py",
        "yosan/py.typed",
        "yosan/data/ja.toml",
        "yosan/layout/__init__.py",
        "yosan/pytest_plugin.py",
    ):
        assert name in names
    assert not [n for n in names if n.startswith("extract/")]  # only the folder is called that
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "yosan = yosan.cli:main" in text
    assert "yosan = yosan.pytest_plugin" in text


def test_a_users_own_extract_py_breaks_nothing(tmp_path: Path) -> None:
    (tmp_path / "extract.py").write_text("raise ImportError('the user module, not the toolkit')\n")
    fixture = FIXTURES / "mext-r2-science-points.txt"
    done = _run([sys.executable, "-m", "yosan", "--version"], tmp_path)
    assert (done.returncode, done.stdout) == (0, "yosan-extract 0.1.0\n"), done.stderr
    code = f"from yosan import extract_file; print(len(extract_file({str(fixture)!r})))"
    done = _run([sys.executable, "-c", code], tmp_path)
    assert (done.returncode, done.stdout) == (0, "197\n"), done.stderr
    script = Path(sys.executable).with_name("yosan")
    done = _run([str(script), "extract", str(fixture), "--format", "jsonl", "-q"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 197


def test_cli_py_runs_the_checkout_under_the_name_yosan(tmp_path: Path) -> None:
    done = _run(
        [sys.executable, str(ROOT / "cli.py"), "extract", str(FIXTURES / "mext-r2-science-points.txt")],
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("source,page,line,")


def _imported_modules() -> set[str]:
    found = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"__future__"}


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_imported_dependency_is_declared_and_nothing_else() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {_canonical(re.split(r"[<>=!~ \[;]", spec, maxsplit=1)[0]) for spec in project["dependencies"]}
    # the pytest plugin runs inside pytest: its dependency is the extra `pytest`; tesserocr is the
    # extra `ocr`, imported where it is installed (else OCR runs the tesseract command)
    declared |= {
        _canonical(re.split(r"[<>=!~ \[;]", s, maxsplit=1)[0])
        for extra in ("pytest", "ocr")
        for s in project["optional-dependencies"][extra]
    }
    distributions = importlib.metadata.packages_distributions()
    imported = set()
    for module in _imported_modules():
        assert module in distributions, f"{module} is imported but not installed"
        imported.update(_canonical(d) for d in distributions[module])
    assert imported == declared


def test_the_package_is_typed_and_make_test_runs_mypy() -> None:
    assert (PACKAGE / "py.typed").exists()
    test_recipe = (ROOT / "Makefile").read_text(encoding="utf-8").split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "$(BIN)/mypy" in test_recipe
