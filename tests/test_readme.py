"""Every Python example in README.md and docs/ runs as written, from a folder laid out like the repository."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
EXAMPLES = [
    pytest.param(block, id=f"{document.name}-{number}")
    for document in DOCUMENTS
    for number, block in enumerate(re.findall(r"```python\n(.*?)```", document.read_text(encoding="utf-8"),
                                              flags=re.S), 1)
]


def test_the_documents_show_python_examples() -> None:
    assert any("README.md" in example.id for example in EXAMPLES)


@pytest.mark.parametrize("block", EXAMPLES)
def test_the_example_runs_as_written(block: str, tmp_path: Path) -> None:
    # the example's relative paths (data/ccpcj31, examples/...) resolve as in a clone; its outputs land in tmp_path
    for name in ("data", "examples"):
        (tmp_path / name).symlink_to(ROOT / name)
    script = tmp_path / "example.py"
    script.write_text(block, encoding="utf-8")
    result = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
