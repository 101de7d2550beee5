"""What invokes functions without a client asking, as AWS's services do: the event source
mappings' pollers, the delivery of rule targets, and the scheduler (schedule rules and
EventBridge Scheduler schedules), all read from the template."""

from dataclasses import dataclass, field

from functions.common import aws
from local.awslambda.invocation import Invoker
from local.cloudformation.template import Template
from local.event_sources.pollers import EventSourcePollers, PermissionCheck
from local.eventbridge import (
    Clock,
    LocalTarget,
    RealClock,
    RuleTargetDelivery,
    ScaledClock,
    Scheduler,
    TargetDispatcher,
)


@dataclass
class Triggers:
    template: Template
    invoker: Invoker
    rule_targets: list[LocalTarget]
    permission_check: PermissionCheck  # what Lambda's pollers check of a function's role
    clock_speed: float = 1.0  # >1 runs schedules faster (tests)
    clock: Clock = field(default_factory=RealClock, init=False)  # what schedules fire by
    event_sources: EventSourcePollers | None = field(default=None, init=False)
    rule_delivery: RuleTargetDelivery | None = field(default=None, init=False)
    scheduler: Scheduler | None = field(default=None, init=False)

    def start(self) -> None:
        template = self.template
        self.event_sources = EventSourcePollers(
            template, self.invoker, aws.client, permission_check=self.permission_check
        )
        self.event_sources.start()
        self.clock = clock = RealClock() if self.clock_speed == 1 else ScaledClock(self.clock_speed)
        dispatcher = TargetDispatcher(
            invoker=self.invoker,
            stepfunctions=aws.client("stepfunctions"),
            sqs=aws.client("sqs"),
            clock=clock,
        )
        self.rule_delivery = RuleTargetDelivery(
            self.rule_targets,
            sqs=aws.client("sqs"),
            dispatcher=dispatcher,
            account_id=template.account_id,
        )
        self.rule_delivery.start()
        self.scheduler = Scheduler(
            clock=clock,
            dispatcher=dispatcher,
            events=aws.client("events"),
            scheduler=aws.client("scheduler"),
            rule_targets=self.rule_targets,
            region=template.region,
            account_id=template.account_id,
        )
        self.scheduler.start()

    def stop(self) -> None:
        for trigger in (self.scheduler, self.rule_delivery, self.event_sources):
            if trigger is not None:
                trigger.stop()
        self.scheduler = self.rule_delivery = self.event_sources = None
