"""The README's Python examples run as written."""

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_readme_has_python_examples():
    assert len(BLOCKS) >= 2


@pytest.mark.parametrize("k", range(len(BLOCKS)))
def test_readme_python_block_runs(k, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples may write files
    namespace = {}
    for prior in BLOCKS[:k + 1]:  # later blocks may use names from earlier ones
        exec(compile(prior, f"README.md block {k}", "exec"), namespace)


def test_ci_runs_the_readme_commands():
    """``.ci/run`` runs exactly the README's two quick-start commands."""
    ci = (README.parent / ".ci" / "run").read_text()
    commands = re.findall(r"^(python -m pip install .*)$", README.read_text(), flags=re.M)
    assert len(commands) >= 2
    for command in commands[:2]:
        assert command in ci, f"README command not run by .ci/run: {command}"
