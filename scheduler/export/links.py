"""Subscription links: where a feed is published, how a calendar subscribes to it, what to copy.

A relative ``.ics`` link downloads a one-off copy that never updates; a calendar subscribes by URL.
With the publication's base URL each feed gets its absolute ``https://`` URL and a ``webcal://``
link (which desktop and phone calendars open as a subscription); without one the pages say how to host the folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

from ..errors import UsageError
from .labels import is_web_url


@dataclass(frozen=True)
class Subscribe:
    """One feed's links: ``href`` to open, ``url`` to copy, ``webcal`` to subscribe (None without a base URL)."""

    href: str
    url: str | None
    webcal: str | None


def base_url_of(value: str | None) -> str | None:
    """``--base-url`` as a folder URL ending in ``/``; UsageError unless it is an absolute http(s) URL."""
    if value is None:
        return None
    if not is_web_url(value):
        raise UsageError(f"--base-url: expected an absolute http(s) URL such as https://example.org/ccpcj31/, "
                         f"got {value!r}")
    return value if value.endswith("/") else value + "/"


def subscribe_link(path: str, base_url: str | None) -> Subscribe:
    """The links of the feed at ``path`` (relative to the publication's root), absolute under ``base_url``."""
    base = base_url_of(base_url)
    if base is None:
        return Subscribe(path, None, None)
    url = urljoin(base, path)
    parts = urlsplit(url)
    return Subscribe(url, url, urlunsplit(("webcal", *parts[1:])))
