from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import ics
import pytest
from icalendar import Calendar, Event, vRecur
from pydantic import ValidationError

from functions.cart.logic.calendar import (
    CalendarShow,
    calendar_file,
    google_calendar_link,
    next_occurrences,
)

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
FIRST = datetime(2026, 12, 3, 18, 0, tzinfo=UTC)  # a Thursday: the show's first start
URL = "https://shop.maison-lune.example/shows/spring"


def show(**changes: object) -> CalendarShow:
    fields: dict[str, object] = {
        "show_id": "spring",
        "title": "Spring drop; linen, cotton & été",
        "description": "Twelve new pieces, live from the atelier. " * 4,
        "host_name": "Ana",
        "starts_at": "2026-12-03T19:00:00+01:00",  # a Thursday, 18:00 UTC
        "duration_minutes": 40,
        "recurrence_rule": None,
        "show_url": URL,
        "brand_name": "Maison Lune",
    }
    return CalendarShow.model_validate(fields | changes)


def event_of(data: bytes) -> Event:
    (event,) = Calendar.from_ical(data).events
    return event


def test_icalendar_reads_back_the_show():
    data = calendar_file(show(), now=NOW)
    calendar = Calendar.from_ical(data)
    event = event_of(data)

    assert event.start == datetime(2026, 12, 3, 18, 0, tzinfo=UTC)
    assert event.end == datetime(2026, 12, 3, 18, 40, tzinfo=UTC)
    assert event.DTSTAMP == NOW
    assert event["SUMMARY"] == "Maison Lune live: Spring drop; linen, cotton & été"
    assert event["URL"] == URL
    assert event["LOCATION"] == URL
    description = event["DESCRIPTION"]
    assert description.startswith("Twelve new pieces, live from the atelier.")
    assert "Hosted by Ana" in description
    assert URL in description
    assert "Vitrine" in calendar["PRODID"]
    assert calendar["X-WR-CALNAME"] == "Maison Lune"


# ics 0.7.3 itself calls re.split the way Python 3.13 deprecates.
@pytest.mark.filterwarnings("ignore:'maxsplit' is passed:DeprecationWarning")
def test_ics_package_reads_back_the_show():
    calendar = ics.Calendar(
        calendar_file(show(recurrence_rule="FREQ=WEEKLY;BYDAY=TH"), now=NOW).decode()
    )
    (event,) = calendar.events

    assert event.begin == datetime(2026, 12, 3, 18, 0, tzinfo=UTC)
    assert event.end == datetime(2026, 12, 3, 18, 40, tzinfo=UTC)
    assert event.name == "Maison Lune live: Spring drop; linen, cotton & été"
    assert event.url == URL
    assert event.uid == "spring@shop.maison-lune.example"
    assert "Hosted by Ana" in event.description
    (alarm,) = event.alarms
    assert alarm.trigger == timedelta(minutes=-15)
    assert [line.value for line in event.extra if line.name == "RRULE"] == ["FREQ=WEEKLY;BYDAY=TH"]
    assert [line.value for line in calendar.extra if line.name == "X-WR-CALNAME"] == ["Maison Lune"]


def test_times_are_written_in_utc():
    data = calendar_file(show(), now=NOW)  # starts at 19:00+01:00
    assert b"\r\nDTSTART:20261203T180000Z\r\n" in data
    assert b"\r\nDTEND:20261203T184000Z\r\n" in data
    assert b"TZID" not in data


def test_lines_end_with_crlf_and_are_folded():
    data = calendar_file(show(), now=NOW)
    assert data.endswith(b"\r\n")
    assert data.count(b"\n") == data.count(b"\r\n")
    assert max(len(line) for line in data.split(b"\r\n")) <= 75


def test_uid_is_stable_so_adding_again_updates_the_entry():
    first = event_of(calendar_file(show(), now=NOW))["UID"]
    again = event_of(calendar_file(show(title="Spring drop, moved"), now=NOW + timedelta(days=1)))
    assert again["UID"] == first == "spring@shop.maison-lune.example"
    assert event_of(calendar_file(show(show_id="summer"), now=NOW))["UID"] != first
    # Another brand's deployment serves another domain: its "spring" show is another entry.
    other_brand = show(show_url="https://other.example/shows/spring")
    assert event_of(calendar_file(other_brand, now=NOW))["UID"] != first


def test_recurring_show_carries_its_rule():
    data = calendar_file(show(recurrence_rule="FREQ=WEEKLY;BYDAY=TH;COUNT=6"), now=NOW)
    assert event_of(data)["RRULE"] == vRecur(FREQ="WEEKLY", BYDAY="TH", COUNT=6)


@pytest.mark.parametrize("rule", [" freq=weekly;byday=th ", "BYDAY=TH;FREQ=WEEKLY"])
def test_rule_is_read_case_and_order_free(rule):
    data = calendar_file(show(recurrence_rule=rule), now=NOW)
    assert event_of(data)["RRULE"] == vRecur(FREQ="WEEKLY", BYDAY="TH")
    after = datetime(2026, 12, 4, tzinfo=UTC)
    assert next_occurrences(FIRST, rule, after=after, count=1) == [FIRST + timedelta(weeks=1)]


def test_one_off_show_has_no_rule():
    assert "RRULE" not in event_of(calendar_file(show(), now=NOW))


@pytest.mark.parametrize(("minutes", "trigger"), [(15, "-PT15M"), (60, "-PT1H"), (0, "P0D")])
def test_reminder_fires_before_the_show(minutes, trigger):
    data = calendar_file(show(), reminder_minutes=minutes, now=NOW)
    (alarm,) = event_of(data).walk("VALARM")
    assert alarm["ACTION"] == "DISPLAY"
    assert alarm["TRIGGER"].dt == timedelta(minutes=-minutes)
    assert alarm["TRIGGER"].to_ical().decode() == trigger
    assert "Spring drop" in alarm["DESCRIPTION"]


@pytest.mark.parametrize("minutes", [-1, 7 * 24 * 60 + 1])
def test_reminder_out_of_range_is_refused(minutes):
    with pytest.raises(ValueError, match="reminder_minutes"):
        calendar_file(show(), reminder_minutes=minutes, now=NOW)


def test_stamp_defaults_to_the_current_time():
    before = datetime.now(UTC).replace(microsecond=0)
    stamp = event_of(calendar_file(show())).DTSTAMP
    assert before <= stamp <= datetime.now(UTC)


def test_google_link_carries_the_show():
    link = urlsplit(google_calendar_link(show(recurrence_rule="FREQ=WEEKLY;BYDAY=TH;COUNT=6")))
    query = parse_qs(link.query, strict_parsing=True)

    assert (link.scheme, link.netloc, link.path) == (
        "https",
        "calendar.google.com",
        "/calendar/render",
    )
    assert query["action"] == ["TEMPLATE"]
    assert query["text"] == ["Maison Lune live: Spring drop; linen, cotton & été"]
    assert query["dates"] == ["20261203T180000Z/20261203T184000Z"]
    assert query["location"] == [URL]
    (details,) = query["details"]
    assert "Twelve new pieces" in details
    assert "Hosted by Ana" in details
    assert URL in details
    assert query["recur"] == ["RRULE:FREQ=WEEKLY;BYDAY=TH;COUNT=6"]


def test_google_link_of_a_one_off_show_has_no_recurrence():
    query = parse_qs(urlsplit(google_calendar_link(show())).query)
    assert "recur" not in query
    assert query["dates"] == ["20261203T180000Z/20261203T184000Z"]


def test_details_leave_out_a_missing_host():
    query = parse_qs(urlsplit(google_calendar_link(show(host_name=""))).query)
    assert "Hosted by" not in query["details"][0]


def test_weekly_show_on_two_days():
    dates = next_occurrences(
        FIRST, "FREQ=WEEKLY;BYDAY=TH,SA", after=datetime(2026, 12, 4, tzinfo=UTC), count=4
    )
    assert dates == [
        datetime(2026, 12, 5, 18, 0, tzinfo=UTC),
        datetime(2026, 12, 10, 18, 0, tzinfo=UTC),
        datetime(2026, 12, 12, 18, 0, tzinfo=UTC),
        datetime(2026, 12, 17, 18, 0, tzinfo=UTC),
    ]


def test_occurrences_are_strictly_after_and_in_utc():
    paris = datetime.fromisoformat("2026-12-03T19:00:00+01:00")
    dates = next_occurrences(paris, "FREQ=WEEKLY;BYDAY=TH", after=FIRST, count=2)
    assert dates == [FIRST + timedelta(weeks=1), FIRST + timedelta(weeks=2)]
    assert all(date.tzinfo == UTC for date in dates)
    (one_off,) = next_occurrences(paris, None, after=FIRST - timedelta(days=1))
    assert (one_off, one_off.tzinfo) == (FIRST, UTC)


def test_every_other_week():
    dates = next_occurrences(FIRST, "FREQ=WEEKLY;INTERVAL=2", after=FIRST, count=2)
    assert dates == [FIRST + timedelta(weeks=2), FIRST + timedelta(weeks=4)]


def test_monthly_show_on_the_last_friday():
    dates = next_occurrences(FIRST, "FREQ=MONTHLY;BYDAY=-1FR", after=FIRST, count=2)
    assert dates == [
        datetime(2026, 12, 25, 18, 0, tzinfo=UTC),
        datetime(2027, 1, 29, 18, 0, tzinfo=UTC),
    ]


def test_count_is_exhausted():
    rule = "FREQ=DAILY;COUNT=3"
    assert next_occurrences(FIRST, rule, after=FIRST - timedelta(days=1)) == [
        FIRST,
        FIRST + timedelta(days=1),
        FIRST + timedelta(days=2),
    ]
    assert next_occurrences(FIRST, rule, after=FIRST + timedelta(days=1)) == [
        FIRST + timedelta(days=2)
    ]
    assert next_occurrences(FIRST, rule, after=FIRST + timedelta(days=2)) == []


def test_until_ends_the_series():
    rule = "FREQ=WEEKLY;UNTIL=20261217T180000Z"  # UNTIL is inclusive
    dates = next_occurrences(FIRST, rule, after=FIRST, count=5)
    assert dates == [FIRST + timedelta(weeks=1), FIRST + timedelta(weeks=2)]


def test_one_off_show_in_the_future_or_past():
    assert next_occurrences(FIRST, None, after=FIRST - timedelta(seconds=1)) == [FIRST]
    assert next_occurrences(FIRST, None, after=FIRST) == []
    assert next_occurrences(FIRST, None, after=FIRST + timedelta(days=1)) == []
    assert next_occurrences(FIRST, None, after=FIRST - timedelta(days=1), count=0) == []


def test_count_limits_the_answer():
    assert len(next_occurrences(FIRST, "FREQ=DAILY", after=FIRST, count=7)) == 7
    assert next_occurrences(FIRST, "FREQ=DAILY", after=FIRST, count=0) == []


@pytest.mark.parametrize(
    "rule",
    [
        "",
        "every thursday",
        "RRULE:FREQ=WEEKLY",
        "FREQ=DAILY\nEXDATE:20261204T180000Z",
        "FREQ=WEEKLY;BYDAY=XX",
        "FREQ=FORTNIGHTLY",
        "FREQ=HOURLY",
        "COUNT=3",
        "FREQ=DAILY;COUNT=abc",
        "FREQ=DAILY;COUNT=0",
        "FREQ=DAILY;INTERVAL=0",
        "FREQ=DAILY;COUNT=2;UNTIL=20261231T000000Z",
        "FREQ=DAILY;UNTIL=20261231",
        "FREQ=DAILY;COLOR=RED",
        "FREQ=DAILY;BYMONTH=13",
        "FREQ=DAILY;COUNT=-1",
        "FREQ=DAILY;INTERVAL=-2",
        "FREQ=DAILY;COUNT=1;COUNT=2",
        "FREQ=WEEKLY;BYDAY=TH,,SA",
        "FREQ=MONTHLY;BYDAY=+9MO",  # dateutil would fail while expanding it
        "FREQ=MONTHLY;BYDAY=0MO",
    ],
)
def test_malformed_rule_is_refused_everywhere(rule):
    with pytest.raises(ValueError, match="recurrence rule"):
        next_occurrences(FIRST, rule, after=FIRST)
    with pytest.raises(ValueError, match="recurrence rule"):
        calendar_file(show(recurrence_rule=rule), now=NOW)
    with pytest.raises(ValueError, match="recurrence rule"):
        google_calendar_link(show(recurrence_rule=rule))


@pytest.mark.parametrize(
    "changes",
    [
        {"starts_at": "2026-12-03T19:00:00"},  # no time zone
        {"duration_minutes": 0},
        {"show_url": "javascript:alert(1)"},
        {"show_url": "/shows/spring"},
        {"title": ""},
    ],
)
def test_invalid_show_is_refused(changes):
    with pytest.raises(ValidationError):
        show(**changes)


def test_show_is_frozen():
    with pytest.raises(ValidationError):
        show().title = "changed"  # type: ignore[misc]


def test_times_without_zone_are_refused():
    with pytest.raises(ValueError, match="time zone"):
        next_occurrences(FIRST, None, after=datetime(2026, 12, 1))
    with pytest.raises(ValueError, match="count"):
        next_occurrences(FIRST, None, after=FIRST, count=-1)


# --- The brand's time zone: a weekly show keeps its hour across a daylight saving change ------

PARIS_AUTUMN = "2026-10-22T19:00:00+02:00"  # a Thursday, CEST; Europe/Paris goes to CET on the 25th


def test_a_weekly_show_keeps_its_local_hour_across_the_clock_change():
    after = datetime(2026, 10, 1, tzinfo=UTC)
    starts = datetime.fromisoformat(PARIS_AUTUMN)

    dates = next_occurrences(
        starts, "FREQ=WEEKLY;BYDAY=TH", after=after, count=2, zone="Europe/Paris"
    )
    in_utc = next_occurrences(starts, "FREQ=WEEKLY;BYDAY=TH", after=after, count=2)

    assert dates == [
        datetime(2026, 10, 22, 17, 0, tzinfo=UTC),
        datetime(2026, 10, 29, 18, 0, tzinfo=UTC),
    ]
    assert in_utc[1] == datetime(2026, 10, 29, 17, 0, tzinfo=UTC)  # 18:00 in Paris: an hour early


@pytest.mark.filterwarnings("ignore:'maxsplit' is passed:DeprecationWarning")
def test_the_ics_names_the_zone_and_both_parsers_repeat_the_local_hour():
    data = calendar_file(
        show(
            starts_at=PARIS_AUTUMN, recurrence_rule="FREQ=WEEKLY;BYDAY=TH", time_zone="Europe/Paris"
        ),
        now=NOW,
    )
    text = data.decode()

    assert "DTSTART;TZID=Europe/Paris:20261022T190000" in text
    assert "BEGIN:VTIMEZONE" in text
    assert "TZID:Europe/Paris" in text
    event = event_of(data)
    assert event.start.utcoffset() == timedelta(hours=2)
    (parsed,) = ics.Calendar(text).events
    assert parsed.begin.datetime == datetime.fromisoformat(PARIS_AUTUMN)


def test_the_google_link_gives_local_times_and_the_zone():
    link = google_calendar_link(
        show(
            starts_at=PARIS_AUTUMN, recurrence_rule="FREQ=WEEKLY;BYDAY=TH", time_zone="Europe/Paris"
        )
    )
    query = parse_qs(urlsplit(link).query)

    assert query["dates"] == ["20261022T190000/20261022T194000"]
    assert query["ctz"] == ["Europe/Paris"]
    assert query["recur"] == ["RRULE:FREQ=WEEKLY;BYDAY=TH"]


def test_an_unknown_time_zone_is_refused():
    with pytest.raises(ValidationError, match="unknown time zone"):
        show(time_zone="Mars/Olympus")
    with pytest.raises(ValueError, match="unknown time zone"):
        next_occurrences(FIRST, None, after=NOW, zone="Europe/Pariss")
