import pytest
from pydantic import ValidationError

from functions.cart.logic.money import price_text
from functions.cart.logic.shows import ShowDraft


def draft(**changes):
    return {
        "show_id": "spring",
        "title": "Spring drop",
        "starts_at": "2026-12-03T19:00:00+01:00",
    } | changes


def test_start_time_is_stored_in_utc():
    assert ShowDraft.model_validate(draft()).starts_at_utc == "2026-12-03T18:00:00+00:00"


@pytest.mark.parametrize("rule", ["FREQ=WEEKLY;BYDAY=TH", "FREQ=DAILY;COUNT=5", None])
def test_recurrence_rules_accepted(rule):
    assert ShowDraft.model_validate(draft(recurrence_rule=rule)).recurrence_rule == rule


@pytest.mark.parametrize(
    "changes",
    [
        {"recurrence_rule": "every thursday"},
        {"starts_at": "2026-12-03T19:00:00"},  # no time zone: ambiguous for viewers abroad
        {"title": ""},
        {"duration_minutes": 1},
        {"show_id": "has space"},
        {"unknown": "field"},
    ],
)
def test_invalid_drafts_are_refused(changes):
    with pytest.raises(ValidationError):
        ShowDraft.model_validate(draft(**changes))


def test_price_text_uses_minor_units():
    assert price_text(8990) == "89.90"
    assert price_text(5) == "0.05"
