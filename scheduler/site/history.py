"""A publication site: a history of immutable releases, with the current one at stable paths.

Delegates subscribe to the feeds at stable paths; every release continues the feed record of the
one before it (``releases/<n>/feeds.json``, written by this program), so an event that ever appeared
in a feed stays there, CANCELLED once it leaves for any reason, and nothing edited into a published
file by hand is carried on. Layout::

    SITE/index.html, timetable.*, schedule.csv, feeds/, frab/   the current release
    SITE/changelog.md                                           every release's changes, newest first
    SITE/releases/index.json                                    every release: number, time, counts
    SITE/releases/<n>/                                          schedule.csv, schedule.json, feeds.json,
                                                                changes.json, changes.md, release.json
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..errors import LoadError, SourceLocation, UsageError
from ..export.feeds import ALL_PATH
from ..export.labels import FEEDS_DIR
from ..export.ledger import read_ledger
from ..export.links import subscribe_link
from ..export.registry import Files
from ..export.templating import environment
from ..export.view import build_view
from ..load.previous import PreviousPublication, load_previous
from ..load.schedule import read_schedule
from ..model import Problem, Schedule
from ..output import hold, write_tree_atomic
from ..publication import feeds_unchanged, now, publish, same_on_disk
from ..scenario import Scenario
from .changes import Changes, changes_between

RELEASES_DIR = "releases"
RELEASE_INDEX = f"{RELEASES_DIR}/index.json"
LEDGER = "feeds.json"
CHANGELOG = "changelog.md"
LANDING = "index.html"
# Files of a release that may differ although the public programme did not change (solver figures).
_NOT_CONTENT = frozenset({"schedule.json"})


@dataclass(frozen=True)
class ReleaseInfo:
    """One release as the release index lists it."""

    number: int
    published_at: datetime
    events: int
    changes: dict[str, int]
    files: tuple[str, ...] = ()  # the stable paths it wrote (read for the latest release only)

    def json(self, *, files: bool = False) -> dict[str, Any]:
        """As releases/index.json holds it (and, with ``files``, the release's own release.json)."""
        return {"number": self.number, "published_at": _stamp(self.published_at), "events": self.events,
                "changes": self.changes, **({"files": list(self.files)} if files else {})}


@dataclass(frozen=True)
class Site:
    """A site folder as it is before a release: its releases, and the latest one's record and schedule."""

    folder: Path
    releases: tuple[ReleaseInfo, ...]
    current: PreviousPublication | None  # what the next release continues (None: a first release)

    @property
    def next_number(self) -> int:
        """The number the next release gets."""
        return self.releases[-1].number + 1 if self.releases else 1


@dataclass(frozen=True)
class Release:
    """A new release: its number, time, changes, and the whole tree to write into the site."""

    number: int
    published_at: datetime
    changes: Changes
    files: Files
    stale: tuple[str, ...]  # stable paths of the previous release that this one no longer has


def open_site(folder: Path | str, problem: Problem, *, adopt: bool = False) -> Site:
    """Read a site folder for the next release: empty or new for a first release, else its history.

    A folder that holds files but no history is refused, since a release written over it would
    forget what its subscribers hold; with ``adopt`` an earlier output folder's feeds are continued.
    """
    folder = Path(folder)
    index = folder / RELEASE_INDEX
    if index.is_file():
        releases = _read_index(index, folder)
        if not releases:
            return Site(folder, (), None)
        latest = folder / RELEASES_DIR / str(releases[-1].number)
        schedule_path = latest / "schedule.csv"
        schedule = read_schedule(schedule_path, problem, ignore_unknown=True, name=str(schedule_path))
        return Site(folder, releases, read_ledger(latest / LEDGER, schedule, folder))
    if not folder.exists() or not any(not p.name.startswith(".") for p in folder.iterdir()):
        return Site(folder, (), None)
    if adopt:
        return Site(folder, (), load_previous(folder, problem))
    raise UsageError(f"{folder} holds files but no release history ({index}); a release written over it would "
                     "forget what its subscribers hold. Publish into a new or empty folder, or pass --adopt to "
                     "continue this output folder's feeds as release 1")


def make_release(problem: Problem, schedule: Schedule, site: Site, *, published_at: datetime | None = None,
                 base_url: str | None = None, scenario: Scenario | None = None) -> Release | None:
    """The next release of ``site``, or None when the public programme and its outputs are unchanged.

    Stamped ``published_at``, else now (``SOURCE_DATE_EPOCH`` where set; never earlier than the release before).
    """
    current = site.current
    if current is not None and current.published_at is not None and site.releases and feeds_unchanged(
            problem, schedule, current, base_url):
        same = publish(problem, schedule, previous=current, published_at=current.published_at, base_url=base_url,
                       scenario=scenario)
        if _unchanged(site.folder, same, site.releases[-1]):
            return None
    stamp = published_at or now(not_before=current.published_at if current is not None else None)
    number = site.next_number
    folder = f"{RELEASES_DIR}/{number}"
    files = publish(problem, schedule, previous=current, published_at=stamp, base_url=base_url, scenario=scenario,
                    ledger=f"{folder}/{LEDGER}")
    stable = sorted(name for name in files if not name.startswith(f"{RELEASES_DIR}/"))
    view = build_view(problem, schedule)
    changes = changes_between(current if site.releases else None, problem, view)
    info = ReleaseInfo(number, stamp, len(view.events), changes.summary(), (*stable, LANDING, CHANGELOG))
    releases = (*site.releases, info)
    entry = changes.markdown(number, _stamp(stamp))
    files[f"{folder}/schedule.csv"] = files["schedule.csv"]
    files[f"{folder}/schedule.json"] = files["schedule.json"]
    files[f"{folder}/changes.json"] = json.dumps({"release": number, "published_at": _stamp(stamp),
                                                  **changes.json()}, indent=2, ensure_ascii=False) + "\n"
    files[f"{folder}/changes.md"] = entry
    files[f"{folder}/release.json"] = json.dumps(info.json(files=True), indent=2, ensure_ascii=False) + "\n"
    files[RELEASE_INDEX] = json.dumps({"meeting": problem.meeting.id, "releases": [r.json() for r in releases]},
                                      indent=2, ensure_ascii=False) + "\n"
    files[CHANGELOG] = _changelog(site, problem, entry)
    files[LANDING] = _landing(problem, releases, base_url)
    stale = tuple(sorted(set(site.releases[-1].files) - set(files))) if site.releases else ()
    return Release(number, stamp, changes, files, stale)


def write_release(folder: Path | str, release: Release) -> None:
    """Write a release into the site (all files or none) and remove the stable files it no longer has."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with hold(folder):
        write_tree_atomic(folder, release.files)
        for name in release.stale:
            (folder / name).unlink(missing_ok=True)


def _unchanged(folder: Path, files: Files, latest: ReleaseInfo) -> bool:
    """True when ``files`` (built as the latest release) are what the site holds at its stable paths."""
    if set(files) | {LANDING, CHANGELOG} != set(latest.files):
        return False
    return same_on_disk({name: content for name, content in files.items() if name not in _NOT_CONTENT}, folder)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _read_index(path: Path, folder: Path) -> tuple[ReleaseInfo, ...]:
    """The releases an index lists, the latest with the stable files it wrote (from its release.json)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        releases = [ReleaseInfo(int(item["number"]), datetime.fromisoformat(item["published_at"]),
                                int(item["events"]), dict(item["changes"])) for item in document["releases"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise LoadError(SourceLocation(str(path)), f"not a release index of this program: {exc}") from None
    if [r.number for r in releases] != list(range(1, len(releases) + 1)):
        raise LoadError(SourceLocation(str(path)), "releases are not numbered 1, 2, 3 ... in order")
    if releases:
        own = folder / RELEASES_DIR / str(releases[-1].number) / "release.json"
        try:
            files = tuple(str(name) for name in json.loads(own.read_text(encoding="utf-8"))["files"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise LoadError(SourceLocation(str(own)), f"not a release record of this program: {exc}") from None
        releases[-1] = replace(releases[-1], files=files)
    return tuple(releases)


def _changelog(site: Site, problem: Problem, entry: str) -> str:
    """changelog.md: the meeting's name, then every release's changes, newest first.

    Read from each release's changes.json, so an event private now goes unnamed in every entry."""
    hidden = frozenset(event.id for event in problem.events if not event.is_public)
    older = []
    for info in reversed(site.releases):
        path = site.folder / RELEASES_DIR / str(info.number) / "changes.json"
        try:
            changes = Changes.from_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise LoadError(SourceLocation(str(path)), f"not a changes record of this program: {exc}") from None
        older.append(changes.markdown(info.number, _stamp(info.published_at), hidden))
    return "\n".join([f"# Changes to the side events of {problem.meeting.name}\n", entry, *older])


def _landing(problem: Problem, releases: tuple[ReleaseInfo, ...], base_url: str | None) -> str:
    """The site's index.html: the programme, the feeds to subscribe to, and every release."""
    latest = releases[-1]
    return environment().get_template("site_index.html").render(
        meeting=problem.meeting, latest=latest, stamp=_words(latest.published_at),
        releases=[{"info": r, "stamp": _words(r.published_at)} for r in reversed(releases)],
        all_feed=subscribe_link(f"{FEEDS_DIR}/{ALL_PATH}", base_url),
    )


def _words(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
