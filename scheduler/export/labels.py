"""Words and names every exporter shares: the format labels, file-name slugs and the web-link test.

Kept in one place so the timetable, the feeds and the frab schedule name a format, cut a slug and
decide which links are clickable by the same rules.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_SLUG = 60
FEEDS_DIR = "feeds"  # the calendar feeds' folder under OUT


@dataclass(frozen=True)
class FormatWords:
    """How outputs name one event format."""

    label: str  # the one word people read everywhere: timetables, feeds' categories and titles, frab type
    slug: str  # the feed's file name under feeds/formats/ (a subscribed URL: never changes)
    detail: str  # the calendar description's ``Format:`` line
    adjective: str  # in a sentence: "no in-person or hybrid side events"


FORMAT_WORDS: dict[str, FormatWords] = {
    "in_person": FormatWords("In person", "in-person", "In person", "in-person"),
    "hybrid": FormatWords("Hybrid", "hybrid", "Hybrid (in the room and online)", "hybrid"),
    "virtual": FormatWords("Online", "online", "Online", "online"),
}

_WEB_URL = re.compile(r"^https?://[^/\s\"<>\\^`{|}][^\s\"<>\\^`{|}]*$", re.IGNORECASE)


def format_label(fmt: str) -> str:
    """The one word for a format in every output (``In person``, ``Hybrid``, ``Online``); unknown ones as they are."""
    words = FORMAT_WORDS.get(fmt)
    return words.label if words else fmt


def slugify(text: str, max_length: int = MAX_SLUG, *, whole_words: bool = False) -> str:
    """ASCII lowercase ``[a-z0-9-]`` form of ``text`` (accents dropped), at most ``max_length`` long; may be empty.

    ``whole_words`` cuts a long slug at the last hyphen that fits instead of mid-word.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    if len(slug) > max_length:
        cut = slug[:max_length]
        slug = cut.rsplit("-", 1)[0] if whole_words and "-" in cut else cut
    return slug.strip("-")


def is_web_url(text: str) -> bool:
    """True for an absolute http(s) URL with a host and no space, quote or angle bracket: the only
    links an output makes clickable or puts in a calendar's URL and CONFERENCE."""
    if not _WEB_URL.match(text):
        return False
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return bool(parts.netloc)
