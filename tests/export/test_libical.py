"""Every feed through libical's own parser and RFC 5545 restriction checker (Debian's gir1.2-ical-3.0,
driven by the system Python that has its bindings); skipped where it is not installed."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from scheduler.site import make_release, open_site, write_release
from tests.export.test_ics import sample, sample_files  # noqa: F401 - fixtures
from tests.site.test_history import STAMPS, programme

SYSTEM_PYTHON = Path("/usr/bin/python3")
CHECK = r"""
import json, sys
import gi
gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib as ICal
found = {}
for path in sys.argv[1:]:
    text = open(path, encoding="utf-8", newline="").read()
    component = ICal.Component.new_from_string(text)
    problems = []
    if component is None:
        problems.append("unparsable")
    else:
        if component.count_errors():
            problems.append(f"{component.count_errors()} parse errors")
        if not component.check_restrictions():
            problems.append("restriction check failed")
        lines = [line for line in component.as_ical_string().splitlines() if "X-LIC-ERROR" in line]
        problems += lines
    found[path] = problems
print(json.dumps(found))
"""


def libical_problems(paths: list[Path]) -> dict[str, list[str]]:
    """Path -> what libical reports for it (empty when clean)."""
    if not SYSTEM_PYTHON.exists():
        pytest.skip("no system Python with libical's bindings (apt-get install gir1.2-ical-3.0 python3-gi)")
    probe = subprocess.run([str(SYSTEM_PYTHON), "-c", "import gi; gi.require_version('ICalGLib', '3.0')"],
                           capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip("libical's bindings are not installed (apt-get install gir1.2-ical-3.0 python3-gi)")
    result = subprocess.run([str(SYSTEM_PYTHON), "-c", CHECK, *map(str, paths)], capture_output=True, text=True,
                            check=True, timeout=120)
    return json.loads(result.stdout)


def test_libical_reads_a_first_publication_without_a_restriction_warning(sample_files, tmp_path):  # noqa: F811
    paths = []
    for name, text in sample_files.items():
        if name.endswith(".ics"):
            path = tmp_path / name.replace("/", "__")
            path.write_bytes(text.encode("utf-8"))
            paths.append(path)
    problems = libical_problems(paths)
    assert len(problems) == len(paths)
    assert {path: found for path, found in problems.items() if found} == {}


def test_libical_reads_cancelled_copies_and_later_versions_without_a_restriction_warning(tmp_path):
    site = tmp_path / "site"
    for number in range(1, 6):
        problem, schedule = programme(number)
        write_release(site, make_release(problem, schedule, open_site(site, problem), published_at=STAMPS[number]))
    paths = sorted((site / "feeds").rglob("*.ics"))
    problems = libical_problems(paths)
    assert len(problems) == len(paths) > 15
    assert {path: found for path, found in problems.items() if found} == {}


def test_the_check_does_report_what_libical_rejects(sample_files, tmp_path):  # noqa: F811
    text = sample_files["all.ics"]
    broken = tmp_path / "broken.ics"  # a COMMENT inside STANDARD, and an event with two DTSTAMPs
    broken.write_bytes(text.replace("BEGIN:STANDARD\r\n", "BEGIN:STANDARD\r\nCOMMENT:x\r\n", 1)
                       .replace("BEGIN:VEVENT\r\n", "BEGIN:VEVENT\r\nDTSTAMP:20220101T000000Z\r\n", 1).encode())
    assert libical_problems([broken])[str(broken)] != []
