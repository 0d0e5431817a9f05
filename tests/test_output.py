"""Output folders: atomic trees and one writer at a time, checked with real processes."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from scheduler.output import FolderBusy, hold, write_atomic, write_tree_atomic

HOLDER = """
import sys, time
from scheduler.output import hold
with hold(sys.argv[1]):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def _holder(folder: Path, seconds: float) -> subprocess.Popen[str]:
    process = subprocess.Popen([sys.executable, "-c", HOLDER, str(folder), str(seconds)],
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdout.readline().strip() == "held"
    return process


def test_a_second_writer_is_told_the_folder_is_busy(tmp_path: Path) -> None:
    process = _holder(tmp_path, 30)
    try:
        with pytest.raises(FolderBusy, match="being written by another run"):
            with hold(tmp_path, wait=False):
                pass
    finally:
        process.kill()
        process.wait()
    with hold(tmp_path, wait=False):  # the killed holder's lock went with its process
        pass


def test_a_tree_waits_for_the_other_writer_and_is_then_written_whole(tmp_path: Path) -> None:
    process = _holder(tmp_path, 1.0)
    started = time.monotonic()
    write_tree_atomic(tmp_path, {"a.txt": "one", "sub/b.txt": "two"})
    waited = time.monotonic() - started
    process.wait()
    assert waited > 0.3, "the write did not wait for the holder"
    assert (tmp_path / "a.txt").read_text() == "one" and (tmp_path / "sub" / "b.txt").read_text() == "two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "sub"]  # no lock file, no staging left


def test_holds_nest_within_one_process(tmp_path: Path) -> None:
    with hold(tmp_path, wait=False):
        write_tree_atomic(tmp_path, {"x.txt": "x"})
        with hold(tmp_path, wait=False):
            pass
    assert (tmp_path / "x.txt").read_text() == "x"


def test_a_name_outside_the_folder_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="outside the output folder"):
        write_tree_atomic(tmp_path / "out", {"ok.txt": "fine", "../escape.txt": "no"})
    assert not (tmp_path / "escape.txt").exists() and not (tmp_path / "out" / "ok.txt").exists()


def test_solve_into_a_folder_another_run_is_writing_stops_with_a_message(tmp_path: Path, shipped_dir: Path) -> None:
    process = _holder(tmp_path, 30)
    try:
        result = subprocess.run([sys.executable, "-m", "scheduler", "solve", str(shipped_dir), "--out", str(tmp_path),
                                 "--time-limit", "5", "--quiet"], capture_output=True, text=True, timeout=60)
    finally:
        process.kill()
        process.wait()
    assert result.returncode == 2, result.stderr  # a usage conflict, like any other refused --out
    assert "being written by another run" in result.stderr and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []  # nothing of the refused run was written


def test_a_single_file_gets_the_mode_of_the_files_of_a_tree(tmp_path: Path) -> None:
    """write_atomic (convert's workbook, compare --html) and write_tree_atomic (solve) give the same mode."""
    import os
    import stat

    write_tree_atomic(tmp_path / "tree", {"a.txt": "one"})
    write_atomic(tmp_path / "single.xlsx", b"PK")
    mask = os.umask(0o022)
    os.umask(mask)
    tree_mode = stat.S_IMODE((tmp_path / "tree" / "a.txt").stat().st_mode)
    assert stat.S_IMODE((tmp_path / "single.xlsx").stat().st_mode) == tree_mode == 0o666 & ~mask
    assert sorted(p.name for p in tmp_path.iterdir()) == ["single.xlsx", "tree"]  # no temporary file left
