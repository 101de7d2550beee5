from datetime import UTC, datetime, timedelta

import pytest

from local.eventbridge.expressions import InvalidExpression, next_fire


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def fires(expression: str, after: datetime, count: int, **kwargs) -> list[datetime]:
    times = []
    for _ in range(count):
        after = next_fire(expression, after, **kwargs)
        times.append(after)
    return times


@pytest.mark.parametrize(
    ("expression", "after", "expected"),
    [
        ("cron(0/15 * * * ? *)", utc(2025, 5, 1, 10, 7), utc(2025, 5, 1, 10, 15)),
        ("cron(0/15 * * * ? *)", utc(2025, 5, 1, 10, 15), utc(2025, 5, 1, 10, 30)),
        ("cron(*/20 * * * ? *)", utc(2025, 5, 1, 10, 41), utc(2025, 5, 1, 11, 0)),
        ("cron(5,10 8 * * ? *)", utc(2025, 5, 1, 8, 6), utc(2025, 5, 1, 8, 10)),
        ("cron(0 9-11 * * ? *)", utc(2025, 5, 1, 11, 0), utc(2025, 5, 2, 9, 0)),
        ("cron(10-40/15 * * * ? *)", utc(2025, 5, 1, 8, 26), utc(2025, 5, 1, 8, 40)),
        ("cron(0 0 1 JAN,JUL ? *)", utc(2025, 2, 1), utc(2025, 7, 1)),
        ("cron(0 0 1 FEB-MAR ? *)", utc(2025, 2, 1), utc(2025, 3, 1)),
        ("cron(0 12 L * ? *)", utc(2024, 2, 3), utc(2024, 2, 29, 12)),
        # 15 Feb 2025 is a Saturday, 1 Mar a Saturday (the nearest weekday stays in March)
        ("cron(0 12 15W * ? *)", utc(2025, 2, 1), utc(2025, 2, 14, 12)),
        ("cron(0 12 1W * ? *)", utc(2025, 2, 28, 13), utc(2025, 3, 3, 12)),
        # 30 Nov 2025 is a Sunday: the last weekday is Friday 28
        ("cron(0 12 LW * ? *)", utc(2025, 11, 1), utc(2025, 11, 28, 12)),
        # day-of-week 1 is Sunday: 4 May 2025
        ("cron(0 8 ? * 1 *)", utc(2025, 5, 1), utc(2025, 5, 4, 8)),
        ("cron(0 8 ? * MON-FRI *)", utc(2025, 5, 3), utc(2025, 5, 5, 8)),
        ("cron(0 8 ? * L *)", utc(2025, 5, 1), utc(2025, 5, 3, 8)),
        ("cron(0 8 ? * 6L *)", utc(2025, 5, 1), utc(2025, 5, 30, 8)),
        ("cron(0 8 ? * 3#2 *)", utc(2025, 5, 1), utc(2025, 5, 13, 8)),
        ("cron(0 8 ? * 1#1 *)", utc(2025, 9, 1), utc(2025, 9, 7, 8)),  # the 7th is still 1st
        ("cron(0 8 ? * TUE#5 *)", utc(2025, 5, 1), utc(2025, 7, 29, 8)),  # May, June have 4
        ("cron(0 0 1 1 ? 2027-2030)", utc(2025, 5, 1), utc(2027, 1, 1)),
    ],
)
def test_cron_fields(expression, after, expected):
    assert next_fire(expression, after) == expected


def test_cron_ends_when_its_years_are_over():
    assert next_fire("cron(0 0 1 1 ? 2024)", utc(2024, 1, 1)) is None


def test_cron_repeats_its_steps():
    assert fires("cron(0/15 * * * ? *)", utc(2025, 5, 1, 23, 50), 3) == [
        utc(2025, 5, 2, 0, 0),
        utc(2025, 5, 2, 0, 15),
        utc(2025, 5, 2, 0, 30),
    ]


def test_cron_in_a_time_zone_follows_its_wall_clock():
    # 08:00 in Paris is 06:00 UTC in summer, 07:00 UTC in winter
    assert next_fire("cron(0 8 * * ? *)", utc(2025, 7, 1), tz="Europe/Paris") == utc(2025, 7, 1, 6)
    assert next_fire("cron(0 8 * * ? *)", utc(2025, 12, 1), tz="Europe/Paris") == utc(
        2025, 12, 1, 7
    )


def test_cron_skips_a_time_that_spring_forward_removes():
    # New York skips 02:00-02:59 on 9 March 2025
    after = utc(2025, 3, 9, 5)
    assert next_fire("cron(30 2 * * ? *)", after, tz="America/New_York") == utc(2025, 3, 10, 6, 30)


def test_cron_fires_once_in_the_hour_fall_back_repeats():
    # New York repeats 01:00-01:59 on 2 November 2025 (05:00-05:59 UTC, then 06:00-06:59 UTC)
    times = fires("cron(30 1 * * ? *)", utc(2025, 11, 2, 4), 2, tz="America/New_York")
    assert times == [utc(2025, 11, 2, 5, 30), utc(2025, 11, 3, 6, 30)]


@pytest.mark.parametrize(
    "expression",
    [
        "cron(0 8 * * * *)",  # neither day field is ?
        "cron(0 8 ? * ? *)",  # both are
        "cron(0 8 * * ?)",  # five fields
        "cron(60 8 * * ? *)",
        "cron(0 24 * * ? *)",
        "cron(0 8 ? * 8 *)",  # day-of-week is 1-7
        "cron(0 8 ? * FUNDAY *)",
        "cron(0 8 32 * ? *)",
        "cron(0 8 ? 13 ? *)",
        "cron(30-10 8 * * ? *)",
    ],
)
def test_invalid_cron_is_refused(expression):
    with pytest.raises(InvalidExpression, match="cron"):
        next_fire(expression, utc(2025, 1, 1))


@pytest.mark.parametrize(
    ("expression", "period"),
    [
        ("rate(1 minute)", timedelta(minutes=1)),
        ("rate(5 minutes)", timedelta(minutes=5)),
        ("rate(1 hour)", timedelta(hours=1)),
        ("rate(12 hours)", timedelta(hours=12)),
        ("rate(1 day)", timedelta(days=1)),
        ("rate(7 days)", timedelta(days=7)),
    ],
)
def test_rate_fires_every_period_from_its_anchor(expression, period):
    anchor = utc(2025, 5, 1, 10)
    assert next_fire(expression, anchor, anchor=anchor) == anchor + period
    assert next_fire(expression, anchor + period * 2.5, anchor=anchor) == anchor + period * 3


def test_rate_fires_at_an_anchor_still_ahead():
    assert next_fire("rate(1 hour)", utc(2025, 5, 1), anchor=utc(2025, 5, 2)) == utc(2025, 5, 2)


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("rate(1 minutes)", "must be 'minute'"),
        ("rate(5 minute)", "must be 'minutes'"),
        ("rate(2 hour)", "must be 'hours'"),
        ("rate(0 minutes)", "positive"),
        ("rate(5 seconds)", "expected rate"),
        ("rate(-1 minutes)", "expected rate"),
        ("rate(five minutes)", "expected rate"),
        ("every(5 minutes)", "expected rate"),
    ],
)
def test_invalid_rate_is_refused_with_the_reason(expression, reason):
    with pytest.raises(InvalidExpression, match=reason):
        next_fire(expression, utc(2025, 1, 1))


def test_at_fires_once_at_its_wall_time_in_its_time_zone():
    expression = "at(2025-06-01T12:00:00)"
    assert next_fire(expression, utc(2025, 6, 1), tz="Europe/Paris") == utc(2025, 6, 1, 10)
    assert next_fire(expression, utc(2025, 6, 1, 10), tz="Europe/Paris") is None
    assert next_fire(expression, utc(2025, 6, 1)) == utc(2025, 6, 1, 12)


@pytest.mark.parametrize("expression", ["at(2025-06-01 12:00:00)", "at(2025-06-01T12:00)"])
def test_invalid_at_is_refused(expression):
    with pytest.raises(InvalidExpression, match=r"at\(\)"):
        next_fire(expression, utc(2025, 1, 1))


def test_unknown_time_zone_is_refused():
    with pytest.raises(InvalidExpression, match="time zone"):
        next_fire("cron(0 8 * * ? *)", utc(2025, 1, 1), tz="Mars/Olympus")
