"""Show catalog rules: what a valid show is and how it is presented. Pure Python, no AWS."""

import re
from datetime import UTC, datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from functions.common.events import Identifier

# The subset of RFC 5545 recurrence rules a brand schedules shows with.
_RRULE = re.compile(
    r"^FREQ=(DAILY|WEEKLY|MONTHLY)"
    r"(;(INTERVAL=\d{1,2}|COUNT=\d{1,3}|UNTIL=\d{8}T\d{6}Z|BYDAY=(MO|TU|WE|TH|FR|SA|SU)"
    r"(,(MO|TU|WE|TH|FR|SA|SU))*))*$"
)


class ShowDraft(BaseModel):
    """The body of `POST /shows`."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    show_id: Annotated[Identifier, Field(max_length=64)]
    title: str = Field(min_length=1, max_length=120)
    description: str = Field(default="", max_length=2000)
    host_name: str = Field(default="", max_length=80)
    starts_at: AwareDatetime
    duration_minutes: int = Field(default=40, ge=5, le=480)
    recurrence_rule: str | None = Field(default=None, max_length=200)
    product_skus: list[Identifier] = Field(default_factory=list, max_length=100)

    @field_validator("recurrence_rule")
    @classmethod
    def _valid_rrule(cls, rule: str | None) -> str | None:
        if rule is not None and not _RRULE.match(rule):
            raise ValueError("must be an RFC 5545 RRULE such as FREQ=WEEKLY;BYDAY=TH")
        return rule

    @property
    def starts_at_utc(self) -> str:
        return self.starts_at.astimezone(UTC).isoformat(timespec="seconds")


class ProductView(BaseModel):
    sku: str
    name: str
    description: str
    price: str  # decimal string in major units, e.g. "49.90"
    currency: str
    in_stock: bool
    image_url: str
    product_url: str


class ShowView(BaseModel):
    show_id: str
    title: str
    description: str
    host_name: str
    status: str
    starts_at: datetime
    duration_minutes: int
    recurrence_rule: str | None
    products: list[ProductView]


def price_text(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"
