"""Run the ``yosan`` command from a checkout: ``python cli.py extract FILE``.

The checkout's ``extract/`` folder is loaded as the package ``yosan`` (the name it is
installed under), so this runs this checkout's code whether or not it is installed.
"""

import importlib.util
import sys
from pathlib import Path

FOLDER = Path(__file__).resolve().parent / "extract"


def _load() -> None:
    spec = importlib.util.spec_from_file_location(
        "yosan", FOLDER / "__init__.py", submodule_search_locations=[str(FOLDER)]
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["yosan"] = module
    spec.loader.exec_module(module)


if __name__ == "__main__":
    _load()
    from yosan.cli import main

    sys.exit(main())
