"""timetable.html of the shipped meeting read as people read it, in headless Chromium: at 1280x800 every
event of a filtered format lies within the window's width, the search box finds an event by a speaker's
name, filters live in the address, blocked periods show as bands, and print to PDF gives an agenda of
every public event's title in at most two A4 pages per day. Screenshots go to test-artifacts/."""

from __future__ import annotations

import re
import unicodedata
from io import BytesIO
from pathlib import Path

import pytest

from scheduler.export.view import build_view
from scheduler.load import load_problem
from scheduler.publication import publish
from scheduler.solver import SolveOptions, solve
from tests.export.test_html import CHROMIUM, browser  # noqa: F401 - fixture

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="module")
def shipped_page(shipped_dir, tmp_path_factory):
    """The shipped meeting solved briefly and published; the path of its timetable.html and its view."""
    problem = load_problem(shipped_dir)
    schedule = solve(problem, SolveOptions(time_limit=4, workers=1))
    folder = tmp_path_factory.mktemp("shipped-html")
    for name, content in publish(problem, schedule, published_at=__import__("datetime").datetime(
            2022, 5, 1, tzinfo=__import__("datetime").timezone.utc), only=("ics", "html")).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return folder / "timetable.html", build_view(problem, schedule)


def visible_events(page) -> list[dict]:  # noqa: ANN001
    """Every shown event card or agenda row with its box (x, width) in the window."""
    return page.eval_on_selector_all(
        "[data-index]", "els => els.filter(e => !e.hidden && e.offsetParent !== null).map(e => {"
        " const r = e.getBoundingClientRect(); return {index: e.dataset.index, left: r.left, right: r.right}; })")


@pytest.mark.parametrize("fmt", ["virtual", "hybrid", "in_person"])
def test_every_event_of_a_filtered_format_lies_within_the_window(browser, shipped_page, fmt):  # noqa: F811
    path, view = shipped_page
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(path.as_uri())
    page.select_option("#view-switch", "grid")
    page.select_option("select[data-filter=format]", fmt)
    expected = sum(1 for e in view.events if e.event.format == fmt)
    shown = visible_events(page)
    assert len({e["index"] for e in shown}) == expected > 0
    assert all(0 <= e["left"] and e["right"] <= 1280 for e in shown), [e for e in shown if e["right"] > 1280][:3]
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.screenshot(path=str(ARTIFACTS / f"timetable-1280-{fmt}.png"))
    page.close()


def test_unfiltered_grids_fit_the_window_and_blocked_periods_show(browser, shipped_page):  # noqa: F811
    path, view = shipped_page
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(path.as_uri())
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    right = page.eval_on_selector_all("table.grid th", "els => Math.max(...els.map(e => e.getBoundingClientRect()"
                                                       ".right))")
    assert right <= 1280  # every room and channel header is on screen
    bands = page.inner_text("main")
    for period in view.problem.blocked:
        assert period.reason in bands
    assert page.locator("table.grid tr.blocked").count() > 0
    page.screenshot(path=str(ARTIFACTS / "timetable-1280.png"))
    page.close()


def test_the_search_box_finds_an_event_by_a_speakers_name_and_the_address_keeps_it(browser, shipped_page):  # noqa: F811
    path, view = shipped_page
    target = next(e for e in view.events if e.speakers)
    name = target.speakers[0].name
    expected = {str(i) for i, e in enumerate(view.events) if any(s.name == name for s in e.speakers)}
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(path.as_uri())
    page.fill("input[data-filter=q]", name.upper())  # any case
    assert {e["index"] for e in visible_events(page)} == expected
    assert target.event.title.split()[0] in page.inner_text("main")
    # a link with the filter in its address opens filtered, in the agenda view
    page.goto(path.as_uri() + "?q=" + re.sub(r"\s+", "+", name) + "&view=agenda")
    assert page.input_value("input[data-filter=q]") == name.replace("+", " ")
    assert page.is_visible("table.agenda") and page.is_hidden("table.grid")
    assert {e["index"] for e in visible_events(page)} == expected
    page.close()


def test_a_day_and_a_speaker_filter(browser, shipped_page):  # noqa: F811
    path, view = shipped_page
    day = view.days[1].day
    speaker = next(s for e in view.events for s in e.speakers)
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(path.as_uri())
    page.select_option("select[data-filter=day]", day.isoformat())
    assert {e["index"] for e in visible_events(page)} == {
        str(i) for i, e in enumerate(view.events) if e.day == day}
    page.select_option("select[data-filter=day]", "")
    page.select_option("select[data-filter=speaker]", speaker.id)
    assert {e["index"] for e in visible_events(page)} == {
        str(i) for i, e in enumerate(view.events) if speaker in e.speakers}
    page.close()


def test_print_gives_every_public_title_in_at_most_two_pages_a_day(browser, shipped_page):  # noqa: F811
    pypdf = pytest.importorskip("pypdf", reason="pypdf is not installed (test extra)")
    path, view = shipped_page
    page = browser.new_page()
    page.goto(path.as_uri())
    pdf = page.pdf(format="A4", print_background=True)
    page.close()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "timetable-print.pdf").write_bytes(pdf)
    reader = pypdf.PdfReader(BytesIO(pdf))
    days = len({e.day for e in view.events})
    assert len(reader.pages) <= 2 * days, f"{len(reader.pages)} pages for {days} days"
    def squeeze(value: str) -> str:  # ligatures as letters, and no line breaks or spaces to differ in
        return "".join(unicodedata.normalize("NFKC", value).split())

    text = squeeze(" ".join(p.extract_text() for p in reader.pages))
    missing = [e.event.title for e in view.events if squeeze(e.event.title) not in text]
    assert missing == []
    for event in view.events:  # each with its room, organizer and link written out
        assert squeeze(event.room.name) in text and squeeze(event.event.organizer) in text
        if event.web_link:
            assert squeeze(event.web_link) in text
    assert squeeze(view.problem.meeting.name) in text
