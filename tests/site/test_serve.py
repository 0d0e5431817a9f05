"""``scheduler serve`` as a real process on a free port: media types, ETag / Last-Modified and 304, no
listing, nothing outside the site, the selection feed with cancellations; and in headless Chromium a
delegate stars two events in timetable.html and subscribes to exactly those."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import vobject

from scheduler.output import write_tree_atomic
from scheduler.publication import publish
from scheduler.site import make_release, open_site, write_release
from tests.export.test_html import browser  # noqa: F401 - fixture
from tests.export.test_ics import ical_events
from tests.site.test_history import STAMPS, programme

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A site of three releases (D dropped in the third), served by ``scheduler serve`` in its own process."""
    site = tmp_path_factory.mktemp("served") / "site"
    for number in range(1, 4):
        problem, schedule = programme(number)
        write_release(site, make_release(problem, schedule, open_site(site, problem), published_at=STAMPS[number]))
    (site / ".hidden-notes").write_text("not for the public", encoding="utf-8")
    yield from serving(site)


def serving(site: Path):
    """Run ``scheduler serve site`` on a free port until the test is done; yields (base URL, site)."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "scheduler", "serve", str(site), "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ})
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/", timeout=1).close()
            break
        except (urllib.error.URLError, ConnectionError):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"scheduler serve did not start: {process.stdout.read().decode(errors='replace')}")
            time.sleep(0.1)
    yield base, site
    process.terminate()
    process.wait(timeout=10)


def test_an_output_folder_without_history_is_served_with_its_selection_feed(tmp_path):
    problem, schedule = programme(2)
    out = tmp_path / "out"
    write_tree_atomic(out, publish(problem, schedule, published_at=STAMPS[2]))
    for base, _ in serving(out):
        status, headers, body = get(base + "/feeds/select.ics?events=B,C,Z")
        assert status == 200 and headers["content-type"] == "text/calendar; charset=utf-8"
        assert sorted(str(e["UID"]) for e in ical_events(body.decode("utf-8"))) == ["B@test.example.org",
                                                                                    "C@test.example.org"]
        status, headers, _ = get(base + "/")  # no landing page: the root leads to the timetable
        assert status == 200 and headers["content-type"].startswith("text/html")


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (lower-case names) and body of a GET, errors included."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def raw_status(base: str, path: str) -> int:
    """The status of a request for ``path`` sent exactly as written (no client-side normalising)."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.putrequest("GET", path, skip_host=False, skip_accept_encoding=True)
    connection.endheaders()
    status = connection.getresponse().status
    connection.close()
    return status


def test_a_feed_is_served_as_text_calendar_with_validators_and_304(server):
    base, site = server
    status, headers, body = get(base + "/feeds/all.ics")
    assert status == 200 and headers["content-type"] == "text/calendar; charset=utf-8"
    assert body == (site / "feeds/all.ics").read_bytes()
    etag = headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert get(base + "/feeds/all.ics", {"If-None-Match": etag})[0] == 304
    assert get(base + "/feeds/all.ics", {"If-Modified-Since": headers["last-modified"]})[0] == 304
    assert get(base + "/feeds/all.ics", {"If-None-Match": '"something-else"'})[0] == 200
    status, headers, _ = get(base + "/")
    assert status == 200 and headers["content-type"].startswith("text/html")


def test_no_listing_and_nothing_outside_the_site(server):
    base, _ = server
    assert get(base + "/releases/")[0] == 404  # a folder without index.html: no listing
    assert get(base + "/feeds/events/")[0] == 404
    assert get(base + "/.hidden-notes")[0] == 404
    for path in ("/../../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/feeds/..%2f..%2f..%2fetc/passwd",
                 "/feeds/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/hostname"):
        assert raw_status(base, path) in (400, 404), path


def test_the_selection_feed_holds_the_chosen_events_cancellations_included(server):
    base, _ = server
    status, headers, body = get(base + "/feeds/select.ics?events=A,D,%3Cscript%3Ealert(1)%3C/script%3E,NOPE,A")
    assert status == 200 and headers["content-type"] == "text/calendar; charset=utf-8"
    text = body.decode("utf-8")
    assert "script" not in text and "NOPE" not in text  # nothing of the request is echoed
    events = {str(e["UID"]).split("@")[0]: (str(e["STATUS"]), int(e["SEQUENCE"])) for e in ical_events(text)}
    assert events == {"A": ("CONFIRMED", 0), "D": ("CANCELLED", 1)}
    assert sorted(e.uid.value for e in vobject.readOne(text).vevent_list) == ["A@test.example.org",
                                                                           "D@test.example.org"]
    assert get(base + "/feeds/select.ics?events=A,D", {"If-None-Match": headers["etag"]})[0] == 304
    assert get(base + "/feeds/select.ics?events=A", {"If-None-Match": headers["etag"]})[0] == 200
    status, _, body = get(base + "/feeds/select.ics")
    assert status == 200 and ical_events(body.decode("utf-8")) == []


def test_a_new_release_is_served_at_once(server, tmp_path):
    base, site = server
    _, before, _ = get(base + "/feeds/select.ics?events=B")
    problem, schedule = programme(3)
    moved = schedule.__class__(tuple(a if a.event_id != "B" else a.__class__("B", "R1", a.start, a.end)
                                     for a in schedule.assignments))
    release = make_release(problem, moved, open_site(site, problem), published_at=STAMPS[4])
    write_release(site, release)
    status, after, body = get(base + "/feeds/select.ics?events=B", {"If-None-Match": before["etag"]})
    assert status == 200 and after["etag"] != before["etag"]
    (event,) = ical_events(body.decode("utf-8"))
    assert int(event["SEQUENCE"]) == 2 and "Room M1" in str(event["LOCATION"])


# ---------------------------------------------------------------------------------------------- browser


def test_a_delegate_stars_two_events_and_subscribes_to_exactly_those(server, browser):  # noqa: F811
    base, _ = server
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(base + "/timetable.html")
    assert page.is_visible("#my-programme") and not page.is_visible("#my-subscribe")
    page.click("button[data-star='A']")
    page.click("button[data-star='C']")
    assert page.get_attribute("button[data-star='A']", "aria-pressed") == "true"
    assert page.inner_text("#starred-count") == "2 events starred"
    url = page.input_value("#my-url")
    assert url == f"{base}/feeds/select.ics?events=A,C"
    assert page.get_attribute("#my-webcal", "href") == url.replace("http:", "webcal:", 1)
    page.select_option("select[data-filter=starred]", "yes")
    shown = page.eval_on_selector_all("article.event", "els => els.filter(e => !e.hidden).map(e => e.dataset.index)")
    assert len(shown) == 2
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "timetable-starred.png"), full_page=True)
    page.reload()  # the choice stays in this browser
    assert page.input_value("#my-url") == url
    status, headers, body = get(url)
    assert status == 200 and headers["content-type"] == "text/calendar; charset=utf-8"
    uids = sorted(str(e["UID"]) for e in ical_events(body.decode("utf-8")))
    assert uids == ["A@test.example.org", "C@test.example.org"]
    assert errors == []
    context.close()
