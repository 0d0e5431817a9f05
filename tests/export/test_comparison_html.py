"""The compare page: escaped, the terminal's figures, differences marked, names beside ids, re-plans' reasons;
and in headless Chromium: no sideways scrolling on a phone or a desktop, tables within A4 portrait on paper.
Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

from scheduler.compare import PLACED_ROW, TOTAL_ROW, Comparison, build_comparison, format_comparison
from scheduler.export.comparison import comparison_html, comparison_page
from scheduler.model import Assignment, Problem, Schedule, Unavailability, event_end
from tests.export.programme import DAY1, DAY2, IMG_TITLE, SCRIPT_TITLE, sample_problem, sample_schedule
from tests.export.test_html import ARTIFACTS, CHROMIUM, browser  # noqa: F401 - fixture
from tests.factory import at

FIRST = "as published"
CLOSED = "room-closed-on-friday-for-informal-consultations"  # a long name, as sweep's folders have
HOSTILE = "b<&>"
WIDE = ("sweep/late-requests-with-extra-events", "sweep/weights-people-first")
LONG_TITLE = "Unbroken" + "x" * 150  # no place to break a line
ROOM_NAME = "Boardroom <B> & co"
CLOSURE = "Informal consultations <draft>"
A4_WIDTH = 703  # CSS px between the 12 mm margins of an A4 portrait page (186 mm at 96 px per inch)


def _problem() -> Problem:
    base = sample_problem()
    return replace(base, events=tuple(replace(e, title=LONG_TITLE) if e.id == "E06" else e for e in base.events),
                   rooms=tuple(replace(r, name=ROOM_NAME) if r.id == "R2" else r for r in base.rooms))


def _closed(problem: Problem) -> Problem:
    """R1 closed all of the first day."""
    closure = Unavailability("room", "R1", at("00:00", DAY1), at("00:00", DAY1 + timedelta(days=1)), CLOSURE)
    return replace(problem, unavailability=(closure,))


def _move(problem: Problem, schedule: Schedule, event_id: str, room: str, day, hhmm: str) -> Schedule:  # noqa: ANN001
    start = at(hhmm, day)
    placed = Assignment(event_id, room, start, event_end(start, problem.event(event_id).duration))
    return Schedule(tuple(placed if a.event_id == event_id else a for a in schedule.assignments))


def _comparison() -> Comparison:
    """Five schedules of the sample programme, re-planned from the first; one with R1 closed on day one."""
    problem = _problem()
    first = sample_schedule(problem)
    closed = _move(problem, first, "E01", "R2", DAY2, "11:00")  # room, day and time
    hostile = _move(problem, first, "E03", "V1", DAY1, "11:00")  # time only
    hostile = _move(problem, hostile, "E08", "R1", DAY2, "10:00")  # room only
    hostile = _move(problem, hostile, "E06", "R1", DAY1, "12:00")  # placed
    later = _move(problem, first, "E04", "R1", DAY2, "12:00")
    schedules = {FIRST: first, CLOSED: closed, HOSTILE: hostile, WIDE[0]: later, WIDE[1]: first}
    return build_comparison(problem, schedules, problems={CLOSED: _closed(problem)}, previous=first)


def _row(page: str, event_id: str) -> str:
    found = re.search(rf'<tr data-event="{event_id}">(.*?)</tr>', page.split('id="differences"')[1], re.S)
    assert found, event_id
    return found.group(1)


def _cell(row: str, name: str) -> str:
    found = re.search(rf'<td data-label="[^"]*" data-schedule="{re.escape(html.escape(name))}"[^>]*>(.*?)</td>',
                      row, re.S)
    assert found, name
    return found.group(1)


class _Tags(HTMLParser):
    """Every start tag with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


# ---------------------------------------------------------------------------------------------- static checks


def test_hostile_text_stays_text_and_the_page_runs_no_script() -> None:
    comparison = _comparison()
    page = comparison_html(comparison, title="Wed <plan>")
    assert page.startswith("<!DOCTYPE html>") and "<title>Wed &lt;plan&gt;</title>" in page
    assert SCRIPT_TITLE not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert IMG_TITLE not in page and "&#34;&gt;&lt;img src=x onerror=alert(3)&gt; &amp; more" in page
    assert HOSTILE not in page and "b&lt;&amp;&gt;" in page
    assert ROOM_NAME not in page and "Boardroom &lt;B&gt; &amp; co" in page
    assert CLOSURE not in page and "Informal consultations &lt;draft&gt;" in page
    parser = _Tags()
    parser.feed(page)
    names = {tag for tag, _ in parser.tags}
    assert not names & {"script", "img", "iframe", "object", "link", "form"}
    assert not [a for _, attrs in parser.tags for a in attrs if a.startswith("on")]
    (policy,) = [attrs["content"] for tag, attrs in parser.tags if attrs.get("http-equiv") == "Content-Security-Policy"]
    assert policy is not None and "default-src 'none'" in policy and "script-src" not in policy
    assert page == comparison_html(_comparison(), title="Wed <plan>")  # deterministic


def test_every_figure_is_the_terminals_and_differing_cells_are_marked() -> None:
    comparison = _comparison()
    page = comparison_html(comparison)
    table = comparison.table
    rows = re.findall(r'<tr[^>]* data-measure="([^"]*)">(.*?)</tr>', page, re.S)
    assert [html.unescape(m) for m, _ in rows] == list(table.index)
    for measure, row in rows:
        cells = re.findall(r'<td class="num( \w+)?" data-schedule="([^"]*)"><span class="value">(-?\d+)</span>', row)
        measure = html.unescape(measure)
        assert [html.unescape(n) for _, n, _ in cells] == list(comparison.names)
        assert [int(v) for _, _, v in cells] == table.loc[measure].tolist()
        first = int(table.loc[measure].iloc[0])
        for state, _, value in cells:
            delta = int(value) - first
            assert bool(state) == bool(delta), (measure, value)
            if delta and measure in (TOTAL_ROW, PLACED_ROW):
                better = delta > 0 if measure == PLACED_ROW else delta < 0
                assert state.strip() == ("better" if better else "worse")
    total = next(line for line in format_comparison(comparison).splitlines() if line.startswith(TOTAL_ROW))
    assert [int(x) for x in total.split()[2:]] == table.loc[TOTAL_ROW].tolist()  # as the terminal prints it
    assert 'class="legend"' in page and "worse than as published" in page


def test_the_changed_room_and_time_are_marked_per_schedule() -> None:
    page = comparison_html(_comparison())
    e01 = _row(page, "E01")
    assert "<mark>" not in _cell(e01, FIRST)
    closed = _cell(e01, CLOSED)
    assert '<mark><span class="id">R2</span> <span class="name">Boardroom &lt;B&gt; &amp; co</span></mark>' in closed
    assert '<span class="when"><mark><span>2022-03-28</span> <span>11:00–11:50</span></mark>' in closed
    assert "<mark>" not in _cell(e01, HOSTILE)  # E01 did not move there
    e08 = _row(page, "E08")
    assert '<mark><span class="id">R1</span>' in _cell(e08, HOSTILE)  # room only
    assert '<span class="when"><span>' in _cell(e08, HOSTILE)
    e03 = _row(page, "E03")
    assert '<span class="room"><span class="id">V1</span>' in _cell(e03, HOSTILE)  # time only
    assert "<mark><span>2022-03-25</span> <span>11:00–11:50</span></mark>" in _cell(e03, HOSTILE)
    e06 = _row(page, "E06")
    assert '<span class="status">unscheduled</span>' in _cell(e06, FIRST)
    assert _cell(e06, HOSTILE).count("<mark>") == 2  # placed: the whole placement
    assert 'class="changed"' in e06 and ">placed<" in e06


def test_names_stand_beside_ids() -> None:
    comparison = _comparison()
    page = comparison_html(comparison)
    assert '<span class="id">E01</span> <span class="title">Opening, with commas; and &#34;quotes&#34;</span>' in page
    assert f'<span class="id">E06</span> <span class="title">{LONG_TITLE}</span>' in page
    assert '<span class="id">R1</span> <span class="name">Room M1</span>' in page
    assert '<span class="id">S1</span> <span class="name">Ana Pérez</span>' in page  # events changed per speaker
    assert '<td data-label="organizer"><div class="who">Government of Austria</div></td>' in page
    assert "Civil | Society" in page


def test_each_moved_event_shows_its_reason() -> None:
    comparison = _comparison()
    reason = "its room R1 closed on 2022-03-25: Informal consultations &lt;draft&gt;"
    page = comparison_html(comparison)
    assert f'<span class="why">Why:</span> {reason}' in _cell(_row(page, "E01"), CLOSED)
    moves = page.split('id="replans"')[1]
    assert f"<h3>{CLOSED}: 1 event moved</h3>" in moves and f"<h3>{FIRST}: 0 events moved</h3>" in moves
    room = '<span class="names"><span class="id">R1</span> Room M1</span>'  # the ids it names, named
    assert f'<td data-label="why" class="reason-cell">{reason}{room}</td>' in moves
    assert f'<span class="why">Why:</span> {reason}</span>{room}' in _cell(_row(page, "E01"), CLOSED)
    plans = {plan.name: plan for plan in comparison_page(comparison).replans}
    assert [(m.event_id, m.kind) for m in plans["b<&>"].moves] == [("E03", "time"), ("E08", "room")]
    assert plans["b<&>"].moves[0].reason == "moved to lower the total score"


def test_violations_name_their_events_and_rooms() -> None:
    problem = _problem()
    first = sample_schedule(problem)
    clash = _move(problem, first, "E08", "R2", DAY2, "09:00")  # onto E05
    page = comparison_html(build_comparison(problem, {"a": first, "clash": clash}))
    listed = page.split('id="violations"')[1]
    assert "<h3>clash: 1</h3>" in listed and "room_clash: events E05 and E08 are both in room R2" in listed
    assert ('<span class="names"><span class="id">E05</span> Closed-door briefing · <span class="id">E08</span> '
            'Line one\nline two &#34;&gt;&lt;img src=x onerror=alert(3)&gt; &amp; more · <span class="id">R2</span> '
            'Boardroom &lt;B&gt; &amp; co</span>') in listed


def test_a_re_plans_recorded_reasons_show_without_previous() -> None:
    problem = _problem()
    first = sample_schedule(problem)
    moved = _move(problem, first, "E01", "R2", DAY2, "11:00")
    record = {"event_id": "E01", "before": {"room": "R1", "start": "2022-03-25T09:00:00+01:00",
                                            "end": "2022-03-25T09:50:00+01:00"},
              "after": {"room": "R2", "start": "2022-03-28T11:00:00+02:00", "end": "2022-03-28T11:50:00+02:00"},
              "kind": "day", "reason": "its room R1 closed on 2022-03-25"}
    replanned = Schedule(moved.assignments, {"moves": [record]})
    page = comparison_html(build_comparison(problem, {"v1": first, "v2": replanned}))
    assert "As each re-plan's schedule.json records them." in page and "<h3>v2: 1 event moved</h3>" in page
    assert '<span class="why">Why:</span> its room R1 closed on 2022-03-25' in _cell(_row(page, "E01"), "v2")
    assert "v1: 0 events moved" not in page  # v1 is no re-plan


def test_one_schedule_alone() -> None:
    problem = _problem()
    page = comparison_html(build_comparison(problem, {"only": sample_schedule(problem)}))
    assert 'id="scores"' in page and 'id="differences"' not in page and 'class="legend"' not in page
    assert "worse" not in page.split("</style>")[1]


# ---------------------------------------------------------------------------------------------- browser


def test_the_page_fits_a_phone_a_desktop_and_a4_paper(browser, tmp_path: Path) -> None:  # noqa: ANN001, F811
    page_file = tmp_path / "compare.html"
    page_file.write_text(comparison_html(_comparison(), title="Test session & friends: schedule comparison"),
                         encoding="utf-8")
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 390, "height": 844})
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(page_file.as_uri())
    tables_right = "Math.max(...[...document.querySelectorAll('table')].map(t => t.getBoundingClientRect().right))"
    scroll_right = ("Math.max(...[...document.querySelectorAll('.scroll')]"
                    ".map(s => s.getBoundingClientRect().right))")

    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # a phone
    assert page.evaluate(scroll_right) <= 390  # wide tables scroll inside their own box
    assert page.is_visible(f"tr[data-event=E06] >> text={LONG_TITLE}")
    assert page.locator("table.differences mark").count() > 0
    page.screenshot(path=str(ARTIFACTS / "compare-phone.png"), full_page=True)

    page.set_viewport_size({"width": 1280, "height": 800})  # a desktop
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert page.evaluate(scroll_right) <= 1280
    assert page.inner_text("tr[data-measure='total score'] td[data-schedule='as published'] .value") == str(
        int(_comparison().table.loc[TOTAL_ROW, FIRST]))
    page.screenshot(path=str(ARTIFACTS / "compare.png"), full_page=True)

    page.emulate_media(media="print")
    page.set_viewport_size({"width": A4_WIDTH, "height": 1000})  # the width of A4 portrait within its margins
    assert page.evaluate("document.documentElement.scrollWidth") <= A4_WIDTH
    assert page.evaluate(tables_right) <= A4_WIDTH
    assert page.is_hidden("nav.toc")
    page.screenshot(path=str(ARTIFACTS / "compare-print.png"), full_page=True)
    page.pdf(path=str(ARTIFACTS / "compare.pdf"), format="A4")

    assert errors == []
    assert requests == [page_file.as_uri()]  # nothing fetched from anywhere
