"""Writing output files safely: to a temporary file beside the target, then an atomic rename.

So an interrupted run never leaves a half-written schedule or feed where a reader would find it.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import shutil
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from .errors import SchedulerError


class FolderBusy(SchedulerError):
    """Another run is writing the same output folder."""


_held: dict[Path, int] = {}  # folders this process holds, with the depth of nested holds
_held_guard = threading.Lock()


@contextmanager
def hold(directory: Path | str, *, wait: bool = True) -> Iterator[None]:
    """Hold the one-writer lock of an existing ``directory`` (re-entrant within this process).

    The lock is ``flock`` on the folder itself, so no lock file joins the output and a crashed
    run releases it with its process. ``wait=False`` raises ``FolderBusy`` instead of waiting.
    """
    folder = Path(directory).resolve()
    with _held_guard:
        if folder in _held:
            _held[folder] += 1
            nested = True
        else:
            nested = False
    if nested:
        try:
            yield
        finally:
            with _held_guard:
                _held[folder] -= 1
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise FolderBusy(f"{directory} is being written by another run; wait for it to finish, "
                             "or write to another folder") from None
        with _held_guard:
            _held[folder] = 1
        try:
            yield
        finally:
            with _held_guard:
                del _held[folder]
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def write_atomic(path: Path | str, content: str | bytes) -> None:
    """Write ``content`` (text as UTF-8, bytes as is) to ``path`` via a temp file and rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    fd, tmp = _new_file(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _new_file(path: Path) -> tuple[int, str]:
    """A new temporary file beside ``path``, open for writing, with the mode any new file gets (umask applied).

    Not ``tempfile.mkstemp``, whose files are private (0600) where every other output is readable.
    """
    while True:
        tmp = str(path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), tmp
        except FileExistsError:
            continue


def write_tree_atomic(directory: Path | str, files: Mapping[str, str | bytes]) -> None:
    """Write many files under ``directory`` (relative names) so that all appear or none do.

    The files are written to a temporary sibling folder first and moved in one by one only when
    every one of them was written, under the folder's one-writer lock, so two runs writing the same
    folder at once leave the whole set of one of them, never a mix.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    with hold(directory):
        _write_tree(directory, files)


def _write_tree(directory: Path, files: Mapping[str, str | bytes]) -> None:
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
