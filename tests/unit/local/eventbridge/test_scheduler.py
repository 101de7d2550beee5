"""The scheduler's firing rules, stepped by hand on a manual clock against in-memory clients."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from local.eventbridge.clock import ManualClock
from local.eventbridge.rules import Destination, LocalTarget, TargetDispatcher
from local.eventbridge.scheduler import Scheduler
from local.eventbridge.transform import InputTransformer, TargetInput
from tests.unit.local.eventbridge.fakes import (
    ACCOUNT,
    FakeEvents,
    FakeInvoker,
    FakeScheduler,
    FakeSqs,
    FakeStepFunctions,
)

START = datetime(2025, 5, 1, 10, 0, 30, tzinfo=UTC)
FUNCTION = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:expire"
RULE_ARN = f"arn:aws:events:us-east-1:{ACCOUNT}:rule/tick"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def invoker() -> FakeInvoker:
    return FakeInvoker()


@pytest.fixture
def api() -> FakeScheduler:
    return FakeScheduler()


@pytest.fixture
def events() -> FakeEvents:
    return FakeEvents()


def scheduler_for(clock, invoker, api, events, rule_targets=()) -> Scheduler:
    dispatcher = TargetDispatcher(
        invoker=invoker, stepfunctions=FakeStepFunctions(), sqs=FakeSqs(), clock=clock
    )
    return Scheduler(
        clock=clock,
        dispatcher=dispatcher,
        events=events,
        scheduler=api,
        rule_targets=list(rule_targets),
    )


def wall(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def test_one_time_schedule_fires_once_at_its_time(clock, invoker, api, events):
    scheduler = scheduler_for(clock, invoker, api, events)
    scheduler.tick()
    api.add("hold", f"at({wall(START + timedelta(minutes=2))})", FUNCTION, payload='{"h": 1}')
    clock.advance(timedelta(minutes=1))
    assert scheduler.tick() == []
    clock.advance(timedelta(minutes=1))
    (firing,) = scheduler.tick()
    assert firing.scheduled_time == START + timedelta(minutes=2)
    clock.advance(timedelta(minutes=1))
    assert scheduler.tick() == []
    assert invoker.calls == [(FUNCTION, {"h": 1})]
    assert "hold" in api.schedules  # no ActionAfterCompletion: kept, as AWS keeps it


def test_one_time_schedule_with_delete_is_deleted_after_firing(clock, invoker, api, events):
    scheduler = scheduler_for(clock, invoker, api, events)
    scheduler.tick()
    api.add("hold", f"at({wall(START)})", FUNCTION, ActionAfterCompletion="DELETE")
    assert len(scheduler.tick()) == 1  # created while running, already due: fires at once
    assert api.deleted == ["hold"]
    assert invoker.calls == [(FUNCTION, {})]  # no Input: an empty object


def test_past_one_time_schedule_found_at_startup_fires_only_if_it_deletes(
    clock, invoker, api, events
):
    api.add("kept", f"at({wall(START - timedelta(hours=1))})", FUNCTION)
    api.add("held", f"at({wall(START - timedelta(hours=1))})", FUNCTION,
            ActionAfterCompletion="DELETE")  # fmt: skip
    fired = scheduler_for(clock, invoker, api, events).tick()
    assert [f.source_arn.rsplit("/", 1)[1] for f in fired] == ["held"]


def test_one_time_schedule_reads_its_time_zone(clock, invoker, api, events):
    scheduler = scheduler_for(clock, invoker, api, events)
    scheduler.tick()
    # 12:30 in Paris (UTC+2 in May) is 10:30 UTC
    api.add("paris", "at(2025-05-01T12:30:00)", FUNCTION,
            ScheduleExpressionTimezone="Europe/Paris")  # fmt: skip
    clock.advance(timedelta(minutes=29))
    assert scheduler.tick() == []
    clock.advance(timedelta(minutes=1))
    assert [f.scheduled_time for f in scheduler.tick()] == [
        datetime(2025, 5, 1, 10, 30, tzinfo=UTC)
    ]


def test_cron_fires_each_missed_occurrence_once(clock, invoker, api, events):
    scheduler = scheduler_for(clock, invoker, api, events)
    api.add("every5", "cron(0/5 * * * ? *)", FUNCTION)
    assert scheduler.tick() == []
    clock.advance(timedelta(minutes=11))
    times = [f.scheduled_time.strftime("%H:%M") for f in scheduler.tick()]
    assert times == ["10:05", "10:10"]
    assert scheduler.tick() == []


def test_rate_starts_at_its_start_date_and_stops_after_its_end_date(clock, invoker, api, events):
    scheduler = scheduler_for(clock, invoker, api, events)
    start, end = START + timedelta(minutes=10), START + timedelta(minutes=25)
    api.add("window", "rate(10 minutes)", FUNCTION, StartDate=start, EndDate=end,
            ActionAfterCompletion="DELETE")  # fmt: skip
    scheduler.tick()
    clock.advance(timedelta(minutes=9))
    assert scheduler.tick() == []
    clock.advance(timedelta(minutes=30))
    assert [f.scheduled_time for f in scheduler.tick()] == [start, start + timedelta(minutes=10)]
    assert api.deleted == ["window"]  # past its end date: complete


def test_disabled_schedule_does_not_fire_nor_catch_up(clock, invoker, api, events):
    scheduler = scheduler_for(clock, invoker, api, events)
    scheduler.tick()
    api.add("hold", f"at({wall(START + timedelta(minutes=1))})", FUNCTION, State="DISABLED")
    clock.advance(timedelta(minutes=2))
    assert scheduler.tick() == []
    api.schedules["hold"] |= {"State": "ENABLED", "LastModificationDate": clock.now()}
    assert scheduler.tick() == []
    assert invoker.calls == []


def test_rate_rule_fires_scheduled_events_to_its_transformed_targets(clock, invoker, api, events):
    target = LocalTarget(
        rule_name="tick",
        rule_arn=RULE_ARN,
        event_bus="default",
        target_id="Kpis",
        destination=Destination(FUNCTION),
        input=TargetInput(
            transformer=InputTransformer('{"at": <t>}', {"t": "$.time"}),
        ),
        schedule_expression="rate(5 minutes)",
    )
    scheduler = scheduler_for(clock, invoker, api, events, [target])
    scheduler.tick()
    clock.advance(timedelta(minutes=5))
    (firing,) = scheduler.tick()
    assert firing.source_arn == RULE_ARN
    assert invoker.calls == [(FUNCTION, {"at": "2025-05-01T10:05:30Z"})]
    events.states["tick"] = "DISABLED"
    clock.advance(timedelta(minutes=5))
    scheduler.tick()
    assert len(invoker.calls) == 1


def test_scheduled_event_shape(clock, invoker, api, events):
    target = LocalTarget("tick", RULE_ARN, "default", "Kpis", Destination(FUNCTION),
                         TargetInput(), schedule_expression="cron(0/5 * * * ? *)")  # fmt: skip
    scheduler = scheduler_for(clock, invoker, api, events, [target])
    scheduler.tick()
    clock.advance(timedelta(minutes=5))
    scheduler.tick()
    ((_, event),) = invoker.calls
    assert set(event) == {
        "version", "id", "detail-type", "source", "account", "time", "region", "resources",
        "detail",
    }  # fmt: skip
    assert event | {"id": "x"} == {
        "version": "0",
        "id": "x",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT,
        "time": "2025-05-01T10:05:00Z",
        "region": "us-east-1",
        "resources": [RULE_ARN],
        "detail": {},
    }
    assert json.dumps(event)  # JSON all the way down


def test_a_schedule_that_cannot_fire_stops_no_other(clock, invoker, api, events):
    """moto stores expressions AWS would refuse: the scheduler logs it and fires the rest."""
    scheduler = scheduler_for(clock, invoker, api, events)
    scheduler.tick()
    api.add("broken", "rate(1 minutes)", FUNCTION, payload='{"b": 1}')  # AWS: "1 minute"
    api.add("hold", f"at({wall(START + timedelta(minutes=1))})", FUNCTION, payload='{"h": 1}')
    clock.advance(timedelta(minutes=1))
    scheduler.tick()
    assert invoker.calls == [(FUNCTION, {"h": 1})]


def test_a_schedules_input_gets_schedulers_context_attributes(clock, invoker, api, events):
    scheduler = scheduler_for(clock, invoker, api, events)
    scheduler.tick()
    payload = '{"at": "<aws.scheduler.scheduled-time>", "arn": "<aws.scheduler.schedule-arn>"}'
    arn = api.add("hold", f"at({wall(START + timedelta(minutes=1))})", FUNCTION, payload=payload)
    clock.advance(timedelta(minutes=1))
    scheduler.tick()
    (call,) = invoker.calls
    scheduled = (START + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert call == (FUNCTION, {"at": scheduled, "arn": arn})
