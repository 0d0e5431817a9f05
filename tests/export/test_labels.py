"""The words and names all exporters share: format labels, slugs and the one web-link test."""

from __future__ import annotations

from scheduler.export.labels import FORMAT_WORDS, format_label, is_web_url, slugify
from scheduler.model import FORMATS


def test_every_format_has_a_label_a_slug_and_a_detail_line() -> None:
    assert set(FORMAT_WORDS) == set(FORMATS)
    assert [FORMAT_WORDS[fmt].slug for fmt in FORMATS] == ["in-person", "hybrid", "online"]
    assert format_label("virtual") == "Online" and format_label("other") == "other"


def test_slugs_cut_hard_or_at_a_word_boundary() -> None:
    assert slugify("Alpha beta gamma", 12) == "alpha-beta-g"
    assert slugify("Alpha beta gamma", 12, whole_words=True) == "alpha-beta"
    assert slugify("Alphabetagamma", 5, whole_words=True) == "alpha"
    assert slugify("  --Côte d'Ivoire--  ") == "cote-d-ivoire"


def test_one_web_link_test_for_every_output() -> None:
    assert is_web_url("https://meet.example.org/x?a=1")
    assert is_web_url("HTTP://meet.example.org")
    for text in ("javascript:alert(1)", "meet.example.org/x", " https://padded.example.org",
                 "https://meet.example.org/a b", 'https://meet.example.org/"x"', "https://<host>/", "http://?x",
                 "https:///path", "ftp://files.example.org/"):
        assert not is_web_url(text), text
