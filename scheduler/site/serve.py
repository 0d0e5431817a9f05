"""``scheduler serve``: a site over HTTP (Starlette on uvicorn), with the feed of a delegate's chosen events.

Static files come from Starlette's StaticFiles: media types from the extension (``text/calendar;
charset=utf-8`` for feeds), strong ETag and Last-Modified with 304 on If-None-Match /
If-Modified-Since, an index.html for a folder and never a listing, and no path outside the site.
``/feeds/select.ics?events=ID,ID`` is built from the current release's feed record (in an output
folder without history, from its all.ics): each chosen event as all.ics holds it, cancelled copies
included, so a personal subscription follows every release. Unknown ids are ignored and nothing of
the request is echoed back.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from threading import Lock

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from ..errors import LoadError
from ..export.feeds import ALL_PATH
from ..export.html import SELECT_PATH
from ..export.ics import MEDIA_TYPE, selection_feed
from ..export.labels import FEEDS_DIR
from ..export.ledger import read_ledger
from ..load.previous import PreviousEvent, read_feed
from ..model import Schedule
from .history import LEDGER, RELEASE_INDEX, RELEASES_DIR

MAX_SELECTED = 1000  # ids beyond this many are ignored: a selection, not the programme
CALENDAR_MEDIA_TYPE = f"{MEDIA_TYPE}; charset=utf-8"


class SiteFiles(StaticFiles):
    """StaticFiles that never serves a hidden file or folder (a writer's staging folder, say), and sends the
    root of an output folder (no index.html) to its timetable."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer 404 for any path with a part starting with a dot, else serve as StaticFiles does."""
        path = scope["path"]
        if any(part.startswith(".") for part in path.split("/") if part):
            await PlainTextResponse("Not Found", status_code=404)(scope, receive, send)
            return
        root = Path(str(self.directory))
        if path == "/" and not (root / "index.html").is_file() and (root / "timetable.html").is_file():
            await RedirectResponse("timetable.html", status_code=302)(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


@dataclass(frozen=True)
class _Current:
    """The current release's feed record and what the selection feed needs from the site."""

    key: tuple[int, int]  # release number (0: none), record's mtime (ns): reread when either changes
    versions: dict[str, PreviousEvent]  # UID -> its version in all.ics
    by_id: dict[str, str]  # event id -> UID
    timezones: dict[str, str]
    published_at: datetime | None
    name: str
    timezone: str


class Selection:
    """The ``select.ics`` endpoint over one site folder, with the current release's record cached."""

    def __init__(self, site: Path) -> None:
        self.site = site
        self._current: _Current | None = None
        self._lock = Lock()

    def current(self) -> _Current | None:
        """The current release's record (or, in an output folder without history, its all.ics), else None."""
        try:
            releases = json.loads((self.site / RELEASE_INDEX).read_text(encoding="utf-8"))["releases"]
            number = int(releases[-1]["number"])
            path = self.site / RELEASES_DIR / str(number) / LEDGER
        except (OSError, ValueError, KeyError, IndexError, TypeError):
            number, path = 0, self.site / FEEDS_DIR / ALL_PATH
        try:
            key = (number, path.stat().st_mtime_ns)
            with self._lock:
                if self._current is None or self._current.key != key:
                    self._current = self._read(key, path)
                return self._current
        except (OSError, ValueError, KeyError, TypeError, LoadError):
            return None

    def _read(self, key: tuple[int, int], path: Path) -> _Current:
        meeting = json.loads((self.site / FEEDS_DIR / "index.json").read_text(encoding="utf-8"))["meeting"]
        if key[0]:
            record = read_ledger(path, Schedule(()))
            versions = {uid: held[ALL_PATH] for uid, held in record.held.items() if ALL_PATH in held}
            published, zones = record.published_at, record.timezones
        else:  # the feed as published: what an output folder has
            events, zones = read_feed(path)
            versions = {event.uid: event for event in events}
            published = max((e.last_modified or e.dtstamp for e in events), default=None)
        return _Current(key, versions, {uid.rpartition("@")[0]: uid for uid in versions}, zones, published,
                        str(meeting["name"]), str(meeting["timezone"]))

    async def respond(self, request: Request) -> Response:
        """The feed of the chosen events, with a strong ETag and Last-Modified (304 when unchanged)."""
        current = self.current()
        if current is None:
            return PlainTextResponse("This folder holds no published feeds.", status_code=404)
        wanted: list[str] = []
        for value in request.query_params.getlist("events"):
            wanted += [item.strip() for item in value.split(",") if item.strip()]
        uids = list(dict.fromkeys(current.by_id[i] for i in wanted[:MAX_SELECTED] if i in current.by_id))
        body = selection_feed(f"My side events – {current.name}",
                              f"The side events I chose of {current.name}, kept up to date with the programme.",
                              current.timezone, [current.versions[uid] for uid in uids],
                              current.timezones).encode("utf-8")
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        published = current.published_at
        headers = {"ETag": etag, "Cache-Control": "no-cache"}
        if published is not None:
            headers["Last-Modified"] = format_datetime(published.astimezone(timezone.utc), usegmt=True)
        if _not_modified(request, etag, published):
            return Response(status_code=304, headers=headers)
        headers["Content-Disposition"] = 'inline; filename="my-side-events.ics"'
        return Response(body, media_type=CALENDAR_MEDIA_TYPE, headers=headers)


def _not_modified(request: Request, etag: str, published: datetime | None) -> bool:
    """RFC 9110: If-None-Match decides when present, else If-Modified-Since."""
    match = request.headers.get("if-none-match")
    if match is not None:
        return any(tag.strip().removeprefix("W/") in (etag, "*") for tag in match.split(","))
    since = request.headers.get("if-modified-since")
    if since and published is not None:
        try:
            return published.replace(microsecond=0) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


def create_app(site: Path | str) -> Starlette:
    """The ASGI application serving ``site``: its files, and the selection feed."""
    site = Path(site).resolve()
    return Starlette(routes=[
        Route(f"/{SELECT_PATH}", Selection(site).respond, methods=["GET", "HEAD"]),
        Mount("/", app=SiteFiles(directory=site, html=True)),
    ])


def run(site: Path | str, *, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve ``site`` until interrupted (uvicorn; honours X-Forwarded-* from a local reverse proxy)."""
    import uvicorn

    uvicorn.run(create_app(site), host=host, port=port, log_level="info", server_header=False)
