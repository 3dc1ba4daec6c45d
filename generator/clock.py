"""The build's date and time: from ``SOURCE_DATE_EPOCH`` when it is set, so builds are reproducible."""

from __future__ import annotations

import datetime as dt
import os


def epoch() -> int | None:
    """``SOURCE_DATE_EPOCH`` as seconds, or None when it is unset or not a whole number."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(value) if value.isdigit() else None


def today() -> dt.date:
    """The build date: the day of ``SOURCE_DATE_EPOCH`` (UTC) when set, else today."""
    seconds = epoch()
    if seconds is None:
        return dt.date.today()
    return dt.datetime.fromtimestamp(seconds, dt.UTC).date()


def created() -> str | None:
    """``SOURCE_DATE_EPOCH`` as an ISO 8601 time for document metadata, or None."""
    seconds = epoch()
    if seconds is None:
        return None
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
