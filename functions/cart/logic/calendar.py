"""Add-to-calendar for a show: the .ics file, the Google Calendar link, the next dates.

Pure Python, no AWS. A recurring show repeats at the same wall-clock time in the brand's time
zone (`vitrine:timeZone`): a Thursday 19:00 show in Paris stays at 19:00 across a daylight
saving change. The .ics (TZID and its VTIMEZONE), the Google link (`ctz`) and
`next_occurrences` expand the rule in that zone, so they always agree on the same dates.
"""

import re
from datetime import UTC, datetime, timedelta
from typing import NamedTuple
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrule, rrulestr  # type: ignore[import-untyped]
from icalendar import Alarm, Calendar, Event, vRecur
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

PRODID = "-//Vitrine//Live shows//EN"
# The rule parts a show repeats by (the parsers check their values). Sub-daily rules are
# refused: expanding one from an old start takes millions of steps. One line of NAME=VALUE
# pairs, so no "RRULE:" prefix and no second line smuggling in an EXDATE or a DTSTART.
_DAY = r"[+-]?[1-5]?[A-Z]{2}"  # TH, or the 1st to 5th (-1: last) Thursday of a month
_PART = (
    r"(FREQ=(DAILY|WEEKLY|MONTHLY|YEARLY)|INTERVAL=[1-9][0-9]*|COUNT=[1-9][0-9]*"
    rf"|UNTIL=[0-9TZ]+|BYDAY={_DAY}(,{_DAY})*)"
)
_RULE_SHAPE = re.compile(f"{_PART}(;{_PART})*")
MAX_REMINDER_MINUTES = 7 * 24 * 60
_UTC_STAMP = "%Y%m%dT%H%M%SZ"
_LOCAL_STAMP = "%Y%m%dT%H%M%S"


def time_zone(name: str) -> ZoneInfo:
    """The IANA zone `name` (e.g. Europe/Paris); ValueError for a name the zone database lacks."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(
            f"unknown time zone {name!r}: use an IANA name like Europe/Paris"
        ) from error


class CalendarShow(BaseModel):
    """What a viewer's calendar needs to know about one show."""

    model_config = ConfigDict(frozen=True)

    show_id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    description: str
    host_name: str
    starts_at: AwareDatetime
    duration_minutes: int = Field(gt=0)
    recurrence_rule: str | None
    show_url: str  # the viewer page of the show: the link back from the calendar entry
    brand_name: str = Field(min_length=1)
    time_zone: str = "UTC"  # the brand's IANA zone: where the show repeats at the same hour

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        time_zone(name)
        return name

    @field_validator("show_url")
    @classmethod
    def _web_address(cls, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http(s) address with a host")
        return url

    @property
    def uid(self) -> str:
        # Stable per show, and distinct between brands: each brand serves its own domain.
        return f"{self.show_id}@{urlsplit(self.show_url).hostname}"

    @property
    def summary(self) -> str:
        return f"{self.brand_name} live: {self.title}"

    @property
    def details(self) -> str:
        hosted = f"Hosted by {self.host_name}" if self.host_name else ""
        parts = [self.description.strip(), hosted, f"Watch live: {self.show_url}"]
        return "\n\n".join(part for part in parts if part)

    @property
    def local_start(self) -> datetime:
        """The start on the brand's clock (UTC stays UTC, written with a Z)."""
        return self.starts_at.astimezone(
            UTC if self.time_zone == "UTC" else time_zone(self.time_zone)
        )

    @property
    def ends_at(self) -> datetime:
        return self.starts_at.astimezone(UTC) + timedelta(minutes=self.duration_minutes)


class _Rule(NamedTuple):
    """One checked rule, read twice: icalendar's reading writes the .ics, dateutil's expands it."""

    text: str
    recur: vRecur
    dates: rrule


def _parse_rule(rule: str, starts_at: datetime) -> _Rule:
    text = rule.strip().upper()
    names = [part.partition("=")[0] for part in text.split(";")]
    if not _RULE_SHAPE.fullmatch(text) or "FREQ" not in names or len(set(names)) < len(names):
        raise ValueError(
            f"recurrence rule {rule!r} is not supported: write FREQ=DAILY|WEEKLY|MONTHLY|YEARLY"
            " and at most once each INTERVAL, COUNT, UNTIL, BYDAY, e.g. FREQ=WEEKLY;BYDAY=TH"
        )
    if "COUNT" in names and "UNTIL" in names:
        raise ValueError(
            f"recurrence rule {rule!r} sets both COUNT and UNTIL (RFC 5545 forbids it)"
        )
    try:
        # dateutil repeats the wall-clock time of an aware DTSTART: in the brand's zone, the
        # same hour on both sides of a daylight saving change.
        return _Rule(text, vRecur.from_ical(text), rrulestr(text, dtstart=starts_at))
    except ValueError as error:
        raise ValueError(f"recurrence rule {rule!r} is invalid: {error}") from error


def calendar_file(
    show: CalendarShow, *, reminder_minutes: int = 15, now: datetime | None = None
) -> bytes:
    """An .ics with one event; adding it again updates the same entry (same UID)."""
    if not 0 <= reminder_minutes <= MAX_REMINDER_MINUTES:
        raise ValueError(f"reminder_minutes must be between 0 and {MAX_REMINDER_MINUTES}")
    stamp = (now or datetime.now(UTC)).astimezone(UTC)
    event = Event.new(
        uid=show.uid,
        stamp=stamp,
        start=show.local_start,
        end=show.local_start + timedelta(minutes=show.duration_minutes),
        summary=show.summary,
        description=show.details,
        location=show.show_url,  # clients that ignore URL (Google's import) still show the link
        url=show.show_url,
    )
    if show.recurrence_rule is not None:
        event.add("RRULE", _parse_rule(show.recurrence_rule, show.local_start).recur)
    reminder = Alarm.new_display(
        description=f"{show.summary} starts soon",
        trigger=timedelta(minutes=-reminder_minutes),
    )
    event.add_component(reminder)
    calendar = Calendar.new(
        prodid=PRODID, name=show.brand_name, uid=f"calendar-{show.uid}", subcomponents=[event]
    )
    calendar.add_missing_timezones()  # the zone's VTIMEZONE, which DTSTART;TZID refers to
    return bytes(calendar.to_ical())


def google_calendar_link(show: CalendarShow) -> str:
    """Google Calendar's "add event" page, prefilled with the show."""
    query = {
        "action": "TEMPLATE",
        "text": show.summary,
        "dates": f"{show.starts_at.astimezone(UTC):{_UTC_STAMP}}/{show.ends_at:{_UTC_STAMP}}",
        "details": show.details,
        "location": show.show_url,
    }
    if show.time_zone != "UTC":
        # Local times and `ctz`: Google then repeats the event at that hour in the zone.
        end = show.local_start + timedelta(minutes=show.duration_minutes)
        query["dates"] = f"{show.local_start:{_LOCAL_STAMP}}/{end:{_LOCAL_STAMP}}"
        query["ctz"] = show.time_zone
    if show.recurrence_rule is not None:
        query["recur"] = "RRULE:" + _parse_rule(show.recurrence_rule, show.local_start).text
    return "https://calendar.google.com/calendar/render?" + urlencode(query)


def next_occurrences(
    starts_at: datetime,
    recurrence_rule: str | None,
    *,
    after: datetime,
    count: int = 5,
    zone: str = "UTC",
) -> list[datetime]:
    """The next `count` start times strictly after `after`, in UTC, repeating at the same
    wall-clock time in `zone`."""
    if starts_at.tzinfo is None or after.tzinfo is None:
        raise ValueError("starts_at and after must carry a time zone")
    if count < 0:
        raise ValueError("count must be 0 or more")
    first = starts_at.astimezone(time_zone(zone))
    if recurrence_rule is None:
        return [first.astimezone(UTC)][:count] if first > after else []
    dates = _parse_rule(recurrence_rule, first).dates.xafter(after, count=count)
    return [date.astimezone(UTC) for date in dates]
