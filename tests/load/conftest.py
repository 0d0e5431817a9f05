"""Fixtures of the loader tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from .meeting_files import MeetingFiles


@pytest.fixture
def files(tmp_path: Path) -> MeetingFiles:
    """The base meeting, ready to be edited and written."""
    return MeetingFiles(tmp_path)
