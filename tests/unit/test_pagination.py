"""Keyset cursors: round trips, and refusal of malformed input."""

from datetime import UTC, datetime

from newsroom.pagination import Cursor


def test_cursor_round_trips_to_the_microsecond():
    cursor = Cursor(datetime(2024, 1, 24, 10, 30, 5, 123456, tzinfo=UTC), 42)
    assert Cursor.parse(str(cursor)) == cursor


def test_malformed_cursors_are_ignored():
    for text in (
        "",
        "abc",
        "1-",
        "-1",
        "1.5-2",
        "1-2-3",
        "9" * 60 + "-1",
        "99999999999999999999-1",
    ):
        assert Cursor.parse(text) is None, text
