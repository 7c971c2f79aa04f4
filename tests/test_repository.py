"""The repository's own promises: CI runs the README's test command."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _bash_blocks(text):
    return [b.strip() for b in re.findall(r"```bash\n(.*?)```", text, flags=re.S)]


def test_ci_runs_the_readme_test_command():
    blocks = _bash_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    test_cmd = [b for b in blocks if "pytest" in b]
    assert len(test_cmd) == 1, "README must show exactly one test command"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert test_cmd[0] in ci, ".ci/run must run the README's test command verbatim"


def test_readme_main_command_runs_the_reference_cases():
    blocks = _bash_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    assert any("cases/" in b and "pip install" in b for b in blocks)
