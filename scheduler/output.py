"""Writing output files safely: to a temporary file beside the target, then an atomic rename.

So an interrupted run never leaves a half-written schedule or feed where a reader would find it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path


def write_atomic(path: Path | str, content: str | bytes) -> None:
    """Write ``content`` (text as UTF-8, bytes as is) to ``path`` via a temp file and rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_tree_atomic(directory: Path | str, files: Mapping[str, str | bytes]) -> None:
    """Write many files under ``directory`` (relative names) so that all appear or none do.

    The files are written to a temporary sibling folder first and moved in one by one only when
    every one of them was written.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=directory))
    try:
        for name, content in files.items():
            target = (staging / name).resolve()
            if staging.resolve() not in target.parents:
                raise ValueError(f"refusing to write outside the output folder: {name!r}")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        for name in files:
            final = directory / name
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / name, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
