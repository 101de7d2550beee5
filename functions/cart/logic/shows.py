"""Show catalog rules: what a valid show is and how it is presented. Pure Python, no AWS."""

import re
from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, HttpUrl, field_validator

from functions.cart.logic.products import ProductView
from functions.common.events import Identifier

# The subset of RFC 5545 recurrence rules a brand schedules shows with.
_RRULE = re.compile(
    r"^FREQ=(DAILY|WEEKLY|MONTHLY)"
    r"(;(INTERVAL=\d{1,2}|COUNT=\d{1,3}|UNTIL=\d{8}T\d{6}Z|BYDAY=(MO|TU|WE|TH|FR|SA|SU)"
    r"(,(MO|TU|WE|TH|FR|SA|SU))*))*$"
)
RRULE_HELP = "must be an RFC 5545 RRULE such as FREQ=WEEKLY;BYDAY=TH"

Title = Annotated[str, Field(min_length=1, max_length=120)]
Description = Annotated[str, Field(max_length=2000)]
HostName = Annotated[str, Field(max_length=80)]
Duration = Annotated[int, Field(ge=5, le=480)]
Rule = Annotated[str, Field(max_length=200)]
Rundown = Annotated[list[Identifier], Field(max_length=100)]


def _check_rule(rule: str | None) -> str | None:
    if rule is not None and not _RRULE.match(rule):
        raise ValueError(RRULE_HELP)
    return rule


class ShowDraft(BaseModel):
    """The body of `POST /shows`."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    show_id: Annotated[Identifier, Field(max_length=64)]
    title: Title
    description: Description = ""
    host_name: HostName = ""
    starts_at: AwareDatetime
    duration_minutes: Duration = 40
    recurrence_rule: Rule | None = None
    cover_image_url: HttpUrl | None = None
    product_skus: Rundown = Field(default_factory=list)

    _valid_rule = field_validator("recurrence_rule")(_check_rule)

    @property
    def starts_at_utc(self) -> str:
        return utc_text(self.starts_at)


class ShowChanges(BaseModel):
    """The body of `PATCH /shows/{show_id}`: only the fields given change."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: Title | None = None
    description: Description | None = None
    host_name: HostName | None = None
    starts_at: AwareDatetime | None = None
    duration_minutes: Duration | None = None
    recurrence_rule: Rule | None = None
    cover_image_url: HttpUrl | Literal[""] | None = None  # "": the show has no cover any more
    clear_recurrence: bool = False  # a recurring show becomes a one-off

    _valid_rule = field_validator("recurrence_rule")(_check_rule)


class RundownChange(BaseModel):
    """The body of `PUT /shows/{show_id}/products`: the show's products in presentation order."""

    model_config = ConfigDict(extra="forbid")

    product_skus: Rundown

    @field_validator("product_skus")
    @classmethod
    def _once_each(cls, skus: list[str]) -> list[str]:
        if len(set(skus)) != len(skus):
            raise ValueError("lists a product twice")
        return skus


class PromoBanner(BaseModel):
    """The promo pushed to the room, for pages that load after the push."""

    code: str
    label: str  # e.g. "-20 %"
    expires_at: datetime


class ShowView(BaseModel):
    show_id: str
    title: str
    description: str
    host_name: str
    status: str
    starts_at: datetime
    duration_minutes: int
    recurrence_rule: str | None
    time_zone: str  # the brand's IANA zone, where the rule repeats at the same wall-clock time
    cover_image_url: str
    next_occurrences: list[datetime]  # the next start times (one for a one-off show to come)
    promo: PromoBanner | None = None
    products: list[ProductView]


class ShowList(BaseModel):
    shows: list[ShowView]


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")
