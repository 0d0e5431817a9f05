"""timetable.html: escaped, self-contained, feed links; and in headless Chromium: every event shown,
filters work, a script title stays text, phone and print layouts. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path

import pytest

from scheduler.export.html import (
    EXPORTERS,
    feed_links_from_index,
    timetable_html,
)
from scheduler.export.ics import build_feeds
from scheduler.export.timetable import one_line
from scheduler.export.view import event_anchor
from tests.export.programme import (
    IMG_TITLE,
    PRIVATE_ORGANIZER,
    PRIVATE_TITLE,
    PRIVATE_TOPIC,
    PUBLIC_SCHEDULED,
    SCRIPT_TITLE,
    SECRET_EMAIL,
    sample_problem,
    sample_schedule,
    sample_view,
)

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")


class _Collector(HTMLParser):
    """Collects tags with their attributes and the text of each <script>."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._in_script: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = dict(attrs)
            self.scripts.append((self._in_script, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = None

    def handle_data(self, data: str) -> None:
        if self._in_script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)


def _parse(text: str) -> _Collector:
    collector = _Collector()
    collector.feed(text)
    return collector


# ---------------------------------------------------------------------------------------------- static checks


def test_every_text_is_escaped() -> None:
    text = timetable_html(sample_view())
    assert SCRIPT_TITLE not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert IMG_TITLE not in text and "&#34;&gt;&lt;img src=x onerror=alert(3)&gt; &amp; more" in text
    assert "NGO &lt;Alliance&gt;" in text and "Second line with &lt;b&gt;tags&lt;/b&gt;." in text
    assert "Test session &amp; friends" in text
    tags = _parse(text).tags
    assert not [t for t, a in tags if t == "img"]
    assert not [a for _, a in tags if any(name.startswith("on") for name in a)]  # no inline handlers


def test_page_is_self_contained_with_a_strict_policy() -> None:
    text = timetable_html(sample_view())
    parsed = _parse(text)
    assert not [a for t, a in parsed.tags if "src" in a or (t == "link" and "href" in a)]
    assert "@import" not in text and "url(" not in text
    policy = next(a["content"] for t, a in parsed.tags if t == "meta" and a.get("http-equiv") ==
                  "Content-Security-Policy")
    assert "default-src 'none'" in policy
    runnable = [body for attrs, body in parsed.scripts if attrs.get("type") != "application/json"]
    assert len(runnable) == 1
    digest = base64.b64encode(hashlib.sha256(runnable[0].encode("utf-8")).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in policy


def test_filter_data_comes_from_a_json_script_tag() -> None:
    parsed = _parse(timetable_html(sample_view()))
    data_tag = [body for attrs, body in parsed.scripts if attrs.get("id") == "programme-data"]
    assert len(data_tag) == 1
    assert "<" not in data_tag[0]  # |tojson escapes <, > and & inside the tag
    data = json.loads(data_tag[0])
    assert [e["id"] for e in data["events"]] == ["E01", "E02", "E03", "E08", "E04", "E07"]
    assert data["events"][1] == {"id": "E02", "topics": ["cybercrime"], "organizer": "UNODC", "format": "hybrid",
                                 "room": "R2"}
    indexes = sorted(int(a["data-index"]) for t, a in parsed.tags if t == "article")
    assert indexes == list(range(len(PUBLIC_SCHEDULED)))


def test_filters_list_public_values_only() -> None:
    parsed = _parse(timetable_html(sample_view()))
    options = [a.get("value") for t, a in parsed.tags if t == "option"]
    assert "cybercrime" in options and "UNODC" in options and "hybrid" in options and "V1" in options
    text = timetable_html(sample_view())
    for secret in (PRIVATE_TITLE, PRIVATE_ORGANIZER, PRIVATE_TOPIC, SECRET_EMAIL, "Waiting for a room"):
        assert secret not in text


def published_links(base_url: str | None = None):  # noqa: ANN201 - FeedLinks
    """The feed links of a real publication of the sample programme."""
    prob = sample_problem()
    files = build_feeds(prob, sample_schedule(prob), published_at=datetime(2022, 3, 20, 8, tzinfo=timezone.utc))
    return files, feed_links_from_index(files["index.json"], base_url=base_url)


def test_links_only_for_web_urls_and_feeds() -> None:
    parsed = _parse(timetable_html(sample_view(), feeds=published_links()[1]))
    hrefs = [a["href"] for t, a in parsed.tags if t == "a"]
    assert "https://meet.example.org/e02" in hrefs
    assert not [h for h in hrefs if h.startswith("javascript:")]
    assert "feeds/all.ics" in hrefs and "feeds/rooms/r2.ics" in hrefs and "feeds/index.html" in hrefs
    assert hrefs.count("feeds/rooms/r1.ics") == 1 + 2  # the room list, and each of E01 and E04
    assert hrefs.count("feeds/events/e01.ics") == 1  # E01's own "add to calendar"


def test_feed_links_from_a_real_publication_point_at_written_feeds() -> None:
    files, links = published_links()
    text = timetable_html(sample_view(), feeds=links)
    hrefs = {a["href"] for t, a in _parse(text).tags if t == "a" and a["href"].startswith("feeds/")}
    assert {href.removeprefix("feeds/") for href in hrefs} <= set(files)
    kinds = {href.split("/")[1] for href in hrefs if href.count("/") == 2}
    assert kinds == {"rooms", "organizers", "speakers", "topics", "events"}
    assert "subscription links" in text  # no base URL: the page says how to host the folder


def test_a_base_url_makes_every_feed_link_an_absolute_subscription() -> None:
    _, links = published_links("https://example.org/ccpcj")
    text = timetable_html(sample_view(), feeds=links)
    parsed = _parse(text)
    hrefs = [a["href"] for t, a in parsed.tags if t == "a"]
    assert "webcal://example.org/ccpcj/feeds/all.ics" in hrefs
    assert "https://example.org/ccpcj/feeds/events/e01.ics" in hrefs
    assert not [h for h in hrefs if h.startswith("feeds/") and h.endswith(".ics")]
    copies = [a["data-copy"] for t, a in parsed.tags if t == "button" and "data-copy" in a and a["data-copy"]]
    assert copies == ["https://example.org/ccpcj/feeds/all.ics"]
    assert "subscription links" not in text


def test_without_feeds_the_page_links_none() -> None:
    text = timetable_html(sample_view())
    hrefs = [a["href"] for t, a in _parse(text).tags if t == "a"]
    assert not [h for h in hrefs if ".ics" in h] and 'id="my-programme"' not in text


def test_exporter_is_deterministic() -> None:
    (exporter,) = EXPORTERS
    assert exporter.path == "timetable.html" and exporter.media_type.startswith("text/html")
    assert exporter.render(sample_view()) == exporter.render(sample_view())


# ---------------------------------------------------------------------------------------------- browser


@pytest.fixture(scope="module")
def browser():  # noqa: ANN201 - playwright Browser
    """Headless Chromium through Playwright (skipped when either is missing)."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed (apt-get install chromium); the browser test needs it")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (test extra)")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield chromium
        chromium.close()


def _visible_ids(page) -> list[str]:  # noqa: ANN001
    return page.eval_on_selector_all("article.event", "els => els.filter(e => !e.hidden && e.offsetParent !== null)"
                                                      ".map(e => e.id)")


def test_timetable_in_a_browser(browser, tmp_path: Path) -> None:  # noqa: ANN001
    view = sample_view()
    page_file = tmp_path / "timetable.html"
    page_file.write_text(timetable_html(view, feeds=published_links()[1]), encoding="utf-8")
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    dialogs: list[str] = []
    requests: list[str] = []
    errors: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(page_file.as_uri())

    anchors = {e.id: event_anchor(e.id) for e in view.events}
    assert sorted(_visible_ids(page)) == sorted(anchors.values())  # every public event is shown
    body = page.inner_text("main")
    for item in view.events:
        assert one_line(item.event.title) in body
    assert page.inner_text(f"#{anchors['E03']} .title") == SCRIPT_TITLE  # shown as text

    page.select_option("select[data-filter=topic]", "cybercrime")
    assert sorted(_visible_ids(page)) == sorted([anchors["E02"], anchors["E03"]])
    assert page.inner_text("#filter-count") == "2 of 6 events shown"
    page.screenshot(path=str(ARTIFACTS / "timetable-filtered.png"), full_page=True)
    page.select_option("select[data-filter=format]", "virtual")
    assert _visible_ids(page) == [anchors["E03"]]
    page.click("#filter-reset")
    assert len(_visible_ids(page)) == len(PUBLIC_SCHEDULED)
    page.select_option("select[data-filter=organizer]", "UNODC")
    assert sorted(_visible_ids(page)) == sorted([anchors["E02"], anchors["E07"]])
    page.select_option("select[data-filter=organizer]", "")
    page.select_option("select[data-filter=room]", "R1")
    assert sorted(_visible_ids(page)) == sorted([anchors["E01"], anchors["E04"]])
    page.click("#filter-reset")

    page.click(f"#{anchors['E02']} summary")
    details = page.inner_text(f"#{anchors['E02']}")
    assert "Kwame Mensah" in details and "join online" in details and "Boardroom B feed" in details
    page.screenshot(path=str(ARTIFACTS / "timetable.png"), full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.is_visible("select[data-filter=topic]")
    page.screenshot(path=str(ARTIFACTS / "timetable-phone.png"), full_page=True)

    page.emulate_media(media="print")
    assert page.is_hidden(".filters")
    assert page.is_visible(f"#{anchors['E03']} dd")  # details print even when closed
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(ARTIFACTS / "timetable-print.png"), full_page=True)

    assert dialogs == []  # no script from the data ran
    assert errors == []  # the inline script ran under the page's CSP without errors
    assert requests == [page_file.as_uri()]  # nothing fetched from anywhere
    assert re.search(r"ccpcj|Test session", page.title())
    page.close()
