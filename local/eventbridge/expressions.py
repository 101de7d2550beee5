"""EventBridge schedule expressions: `rate(...)`, `cron(...)` and Scheduler's `at(...)`.

`next_fire` answers the one question a scheduler asks: after this instant, when next? Cron is
AWS's six-field dialect (minutes hours day-of-month month day-of-week year) with `?`, `L`, `W`
and `#`, day-of-week 1-7 where 1 is Sunday. Rules evaluate it in UTC; Scheduler evaluates it in
the schedule's time zone, skipping wall-clock times that a DST jump removes and firing once in
the hour it repeats, as EventBridge Scheduler does."""

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class InvalidExpression(ValueError):
    """A schedule expression EventBridge would refuse (ValidationException)."""


@dataclass(frozen=True, slots=True)
class Rate:
    every: timedelta


@dataclass(frozen=True, slots=True)
class At:
    wall_time: datetime  # naive: read in the schedule's time zone


@dataclass(frozen=True, slots=True)
class DayOfMonth:
    days: frozenset[int]  # plain days 1-31
    last: bool = False  # L
    nearest_weekday: int | None = None  # 15W (0 means LW: the last weekday)

    def matches(self, day: date) -> bool:
        last_day = calendar.monthrange(day.year, day.month)[1]
        if self.last and day.day == last_day:
            return True
        if self.nearest_weekday is not None:
            return day.day == _nearest_weekday(day.year, day.month, self.nearest_weekday)
        return day.day in self.days


@dataclass(frozen=True, slots=True)
class DayOfWeek:
    days: frozenset[int]  # AWS numbering: 1 = SUN ... 7 = SAT
    last_of_month: int | None = None  # 6L: the last Friday of the month
    nth: tuple[int, int] | None = None  # 3#2: (weekday, n), the second Tuesday

    def matches(self, day: date) -> bool:
        weekday = _aws_weekday(day)
        if self.last_of_month is not None:
            last_day = calendar.monthrange(day.year, day.month)[1]
            return weekday == self.last_of_month and day.day + 7 > last_day
        if self.nth is not None:
            wanted, n = self.nth
            return weekday == wanted and (day.day - 1) // 7 + 1 == n
        return weekday in self.days


@dataclass(frozen=True, slots=True)
class Cron:
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    day_of_month: DayOfMonth | None  # None: `?`
    months: frozenset[int]
    day_of_week: DayOfWeek | None  # None: `?`
    years: frozenset[int]

    def matches_day(self, day: date) -> bool:
        if day.year not in self.years or day.month not in self.months:
            return False
        if self.day_of_month is not None and not self.day_of_month.matches(day):
            return False
        return self.day_of_week is None or self.day_of_week.matches(day)


Expression = Rate | Cron | At

MONTHS = {name.upper(): number for number, name in enumerate(calendar.month_abbr) if name}
WEEKDAYS = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
RATE_UNITS = {"minute": 60, "hour": 3600, "day": 86400}
FIRST_YEAR, LAST_YEAR = 1970, 2199


@lru_cache(maxsize=1024)
def parse(expression: str) -> Expression:
    """`rate(5 minutes)`, `cron(0/15 * * * ? *)` or `at(2025-06-01T12:00:00)`."""
    match = re.fullmatch(r"\s*(rate|cron|at)\((.*)\)\s*", expression)
    if match is None:
        raise InvalidExpression(f"{expression!r}: expected rate(...), cron(...) or at(...)")
    kind, body = match.groups()
    if kind == "rate":
        return _rate(expression, body)
    if kind == "at":
        try:
            return At(datetime.strptime(body, "%Y-%m-%dT%H:%M:%S"))
        except ValueError:
            raise InvalidExpression(f"{expression!r}: at() wants yyyy-mm-ddThh:mm:ss") from None
    return _cron(expression, body)


def next_fire(
    expression: str | Expression,
    after: datetime,
    *,
    tz: str = "UTC",
    anchor: datetime | None = None,
) -> datetime | None:
    """The first time strictly after `after` (aware) at which the expression fires, in UTC;
    None when it never will again. A rate counts whole periods from `anchor` (default `after`):
    anchor, anchor + period, ..."""
    parsed = parse(expression) if isinstance(expression, str) else expression
    after = after.astimezone(UTC)
    if isinstance(parsed, Rate):
        start = (anchor or after).astimezone(UTC)
        if start > after:
            return start
        periods = (after - start) // parsed.every + 1
        return start + periods * parsed.every
    zone = time_zone(tz)
    if isinstance(parsed, At):
        when = _aware(parsed.wall_time, zone)
        return when if when is not None and when > after else None
    return _next_cron(parsed, after, zone)


def time_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidExpression(f"unknown time zone {name!r}") from None


def _rate(expression: str, body: str) -> Rate:
    match = re.fullmatch(r"(\d+) (minute|hour|day)(s?)", body.strip())
    if match is None:
        raise InvalidExpression(
            f"{expression!r}: expected rate(<n> minute[s]|hour[s]|day[s]), e.g. rate(5 minutes)"
        )
    value, unit, plural = int(match.group(1)), match.group(2), match.group(3)
    if value == 0:
        raise InvalidExpression(f"{expression!r}: the rate must be a positive number")
    # AWS refuses `rate(1 minutes)` and `rate(5 minute)`.
    if (value == 1) == bool(plural):
        wanted = unit if value == 1 else unit + "s"
        raise InvalidExpression(f"{expression!r}: with {value} the unit must be {wanted!r}")
    return Rate(timedelta(seconds=value * RATE_UNITS[unit]))


def _cron(expression: str, body: str) -> Cron:
    fields = body.split()
    if len(fields) != 6:
        raise InvalidExpression(
            f"{expression!r}: cron wants 6 fields (minutes hours day-of-month month "
            f"day-of-week year), got {len(fields)}"
        )
    minutes, hours, day_of_month, month, day_of_week, year = fields
    if (day_of_month == "?") == (day_of_week == "?"):
        raise InvalidExpression(
            f"{expression!r}: exactly one of day-of-month and day-of-week must be '?'"
        )
    try:
        return Cron(
            minutes=tuple(sorted(_values(minutes, 0, 59))),
            hours=tuple(sorted(_values(hours, 0, 23))),
            day_of_month=None if day_of_month == "?" else _day_of_month(day_of_month),
            months=frozenset(_values(month, 1, 12, MONTHS)),
            day_of_week=None if day_of_week == "?" else _day_of_week(day_of_week),
            years=frozenset(_values(year, FIRST_YEAR, LAST_YEAR)),
        )
    except ValueError as error:
        raise InvalidExpression(f"{expression!r}: {error}") from None


def _values(field: str, low: int, high: int, names: dict[str, int] | None = None) -> set[int]:
    """`*`, `5`, `1-5`, `0/15`, `*/10`, `10-40/5`, `JAN,MAR`, lists of these."""
    values: set[int] = set()
    for part in field.split(","):
        range_part, _, step_text = part.partition("/")
        step = _number(step_text, 1, high - low + 1) if step_text else 1
        if range_part == "*":
            first, last = low, high
        elif "-" in range_part:
            first_text, last_text = range_part.split("-", 1)
            first = _number(first_text, low, high, names)
            last = _number(last_text, low, high, names)
        else:
            first = _number(range_part, low, high, names)
            # `0/15` means from 0 every 15; a plain number is just itself.
            last = high if step_text else first
        if first > last:
            raise ValueError(f"range {range_part!r} runs backwards")
        values.update(range(first, last + 1, step))
    return values


def _number(text: str, low: int, high: int, names: dict[str, int] | None = None) -> int:
    upper = text.upper()
    if names and upper in names:
        return names[upper]
    if not text.isdigit():
        raise ValueError(f"{text!r} is not a value of this field")
    value = int(text)
    if not low <= value <= high:
        raise ValueError(f"{value} is outside {low}-{high}")
    return value


def _day_of_month(field: str) -> DayOfMonth:
    upper = field.upper()
    if upper == "L":
        return DayOfMonth(frozenset(), last=True)
    if upper == "LW":
        return DayOfMonth(frozenset(), nearest_weekday=0)
    if upper.endswith("W"):
        return DayOfMonth(frozenset(), nearest_weekday=_number(upper[:-1], 1, 31))
    return DayOfMonth(frozenset(_values(field, 1, 31)))


def _day_of_week(field: str) -> DayOfWeek:
    upper = field.upper()
    if upper == "L":  # the last day of the week: Saturday
        return DayOfWeek(frozenset({7}))
    if upper.endswith("L"):
        return DayOfWeek(frozenset(), last_of_month=_number(upper[:-1], 1, 7, WEEKDAYS))
    if "#" in upper:
        weekday, _, n = upper.partition("#")
        return DayOfWeek(frozenset(), nth=(_number(weekday, 1, 7, WEEKDAYS), _number(n, 1, 5)))
    return DayOfWeek(frozenset(_values(upper, 1, 7, WEEKDAYS)))


def _aws_weekday(day: date) -> int:
    return day.isoweekday() % 7 + 1  # isoweekday: Monday 1 ... Sunday 7


def _nearest_weekday(year: int, month: int, day: int) -> int:
    """The weekday (Mon-Fri) nearest `day` within the month; 0 means the month's last day."""
    last_day = calendar.monthrange(year, month)[1]
    day = last_day if day == 0 else min(day, last_day)
    weekday = date(year, month, day).weekday()  # Monday 0
    if weekday == 5:  # Saturday: Friday before, unless that leaves the month
        return day - 1 if day > 1 else day + 2
    if weekday == 6:  # Sunday: Monday after, unless that leaves the month
        return day + 1 if day < last_day else day - 2
    return day


def _aware(wall_time: datetime, zone: ZoneInfo) -> datetime | None:
    """The instant a wall-clock time names in `zone`; None for a time a DST jump skips.
    A repeated wall time (fold) is its first occurrence, so it fires once."""
    local = wall_time.replace(tzinfo=zone, fold=0)
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != wall_time:
        return None
    return instant


def _next_cron(cron: Cron, after: datetime, zone: ZoneInfo) -> datetime | None:
    local_after = after.astimezone(zone).replace(tzinfo=None)
    for year in sorted(y for y in cron.years if y >= local_after.year):
        for month in sorted(m for m in cron.months if (year, m) >= local_after.timetuple()[:2]):
            first_day = local_after.day if (year, month) == local_after.timetuple()[:2] else 1
            for day_number in range(first_day, calendar.monthrange(year, month)[1] + 1):
                day = date(year, month, day_number)
                if not cron.matches_day(day):
                    continue
                for hour in cron.hours:
                    for minute in cron.minutes:
                        instant = _aware(datetime(year, month, day_number, hour, minute), zone)
                        if instant is not None and instant > after:
                            return instant
    return None
