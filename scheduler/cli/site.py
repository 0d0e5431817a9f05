"""Commands of a publication site: publish a release, serve the site."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..errors import BrokenSchedule, UsageError
from ..load.inputs import load_schedule
from . import options as opt
from .base import cli, handle_errors
from .schedules import schedule_meeting

if TYPE_CHECKING:
    from ..model import Problem, Schedule
    from ..scenario import Scenario
    from ..site import Release, Site


def release_report(site_path: Path, site: Site, release: Release | None) -> str:
    """The line that says what a release did: its number, time and changes, or that nothing changed."""
    if release is None:
        latest = site.releases[-1]
        return (f"no change since release {latest.number} ({latest.published_at:%Y-%m-%d %H:%M UTC}): "
                f"nothing written to {site_path}")
    counts = ", ".join(f"{n} {kind}" for kind, n in release.changes.summary().items() if n) or "no change"
    return (f"release {release.number} published {release.published_at:%Y-%m-%d %H:%M UTC} ({counts}): "
            f"open {site_path / 'index.html'}")


def release_into(site_path: Path, problem: Problem, schedule: Schedule, *, published_at: datetime | None,
                 base_url: str | None, scenario: Scenario | None, adopt: bool = False) -> str:
    """Publish ``schedule`` as the next release of the site at ``site_path`` (one writer at a time); a report line."""
    from ..export.links import base_url_of
    from ..output import hold
    from ..site import make_release, open_site, write_release

    base = base_url_of(base_url)
    if site_path.exists() and not site_path.is_dir():
        raise UsageError(f"{site_path} is a file; a site is a folder")
    site_path.mkdir(parents=True, exist_ok=True)
    with hold(site_path, wait=False):
        site = open_site(site_path, problem, adopt=adopt)
        release = make_release(problem, schedule, site, published_at=published_at, base_url=base, scenario=scenario)
        if release is not None:
            write_release(site_path, release)
    return release_report(site_path, site, release)


@cli.command()
@opt.meeting_argument
@opt.schedule_argument
@click.option("--site", "site_path", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="The site folder: its release history, and the current release at stable paths.")
@opt.scenario_option
@click.option("--published-at", callback=opt.instant, help="Publication time of this release (ISO); default: now.")
@click.option("--base-url", help="Where the site is served (https://...): absolute feed links, webcal:// "
                                 "subscriptions, copy buttons.")
@click.option("--adopt", is_flag=True, help="Start the history from an earlier output folder at SITE, continuing "
                                            "its feeds.")
@handle_errors
def publish(data: Path, schedule_csv: Path, site_path: Path, scenario_path: Path | None,
            published_at: datetime | None, base_url: str | None, adopt: bool) -> None:
    """Publish a schedule as the next release of a site that delegates subscribe to.

    Each release is kept under SITE/releases/<n>/ with its schedule, feed record and changelog; the
    current feeds and pages stay at stable paths. Every event that ever appeared in a feed stays in it,
    CANCELLED once it leaves. A schedule whose public programme did not change makes no new release.

    Example: scheduler publish data/ccpcj31 out/schedule.csv --site site --base-url https://example.org/ccpcj31/
    """
    from ..check import check_schedule

    problem, scenario = schedule_meeting(data, scenario_path, schedule_csv)
    schedule = load_schedule(problem, schedule_csv)
    violations = check_schedule(problem, schedule, allow_unscheduled=True)
    if violations:
        raise BrokenSchedule(f"{schedule_csv} breaks {len(violations)} hard rule(s) (first: {violations[0]}); "
                         f"see `scheduler check`. Nothing was published")
    click.echo(release_into(site_path, problem, schedule, published_at=published_at, base_url=base_url,
                            scenario=scenario, adopt=adopt))


@cli.command()
@click.argument("site_path", metavar="SITE", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port (0: any free).")
@handle_errors
def serve(site_path: Path, host: str, port: int) -> None:
    """Serve a site (or an output folder) over HTTP, with the feed of chosen events at /feeds/select.ics.

    For a local preview, or behind a reverse proxy. Feeds are text/calendar with ETag and
    Last-Modified (304 when unchanged); no folder listing; nothing outside SITE is served.

    Example: scheduler serve site --port 8000
    """
    from ..site.serve import run

    run(site_path, host=host, port=port)
