"""The exercise and review calendar as an iCalendar file (RFC 5545), for the team's calendars."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import TYPE_CHECKING, Any

from . import text

if TYPE_CHECKING:
    from icalendar import vText

    from .model import Handbook

#: What no calendar line may hold, even escaped: control characters but tab, LF and CR (which
#: the library writes as ``\\n``). The questionnaire refuses them already; this is the slot.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _text(value: str) -> vText:
    """A TEXT value (RFC 5545 3.3.11), which the library escapes: line breaks, ``;``, ``,``, ``\\``."""
    from icalendar import vText

    return vText(_CONTROL.sub("", value))


def ics(hb: Handbook, *, names: bool = True) -> bytes:
    """Every exercise of the calendar and the handbook's next review, as all-day events.

    The same handbook gives the same bytes: each event's UID comes from what it is, and the
    time stamp from the effective date, not the build's clock. ``names=False`` (a protected
    handbook, whose calendar stays in clear: calendar apps cannot decrypt) gives each owner's
    role without the person's name.
    """
    from icalendar import Calendar, Event

    s = text.strings(hb.language)["calendar"]
    calendar = Calendar()
    calendar.add("prodid", _text("-//crisisplan//crisis handbook calendar//EN"))
    calendar.add("version", _text("2.0"))
    calendar.add("x-wr-calname", _text(f"{hb.company.name}: {hb.title}"))
    stamp = dt.datetime.combine(hb.effective, dt.time(), dt.UTC)

    def owner(e: Any) -> str:
        if e.owner:
            return str(e.owner.label if names else e.owner.role)
        return str(e.role)

    entries = [(e.date, e.label, f"{e.what} ({owner(e)})") for e in hb.calendar]
    entries.append((hb.next_review, s["review"], s["review_what"]))
    for day, summary, description in entries:
        event = Event()
        uid = hashlib.sha256(f"{hb.company.name}|{day}|{summary}".encode()).hexdigest()[:24]
        event.add("uid", _text(f"{uid}@crisisplan"))
        event.add("dtstamp", stamp)
        event.add("dtstart", day)
        event.add("dtend", day + dt.timedelta(days=1))
        event.add("summary", _text(f"{summary}: {hb.company.name}"))
        event.add("description", _text(description))
        calendar.add_component(event)
    ical: bytes = calendar.to_ical()
    return ical
