"""The command line starts without importing the numerical stack it does not need."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

HEAVY = ("numpy", "xarray", "pandas", "numba", "pygfunction", "scipy")


def _imported_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return {m for m in out if m.split(".")[0] in HEAVY}


def test_importing_the_cli_imports_no_numerical_library():
    assert _imported_after("import gshp.cli") == set()
    assert _imported_after("import gshp") == set()


def test_check_and_version_do_not_import_xarray():
    code = (
        "import contextlib, io\n"
        "from gshp.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        "        main(['--version'])\n"
        "    except SystemExit:\n"
        "        pass\n"
        "    main(['check', '--reference'])\n"
        f"    assert main(['check', {str(ROOT / 'cases' / 'berlin.toml')!r}]) == 0\n"
    )
    heavy = _imported_after(code)
    assert not any(m.split(".")[0] in ("xarray", "pandas", "numba") for m in heavy), heavy


def test_lazy_package_attributes():
    import gshp

    assert gshp.__version__.count(".") >= 2
    from gshp.studies.sizing import size

    assert gshp.size is size
