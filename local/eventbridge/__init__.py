"""EventBridge locally: rule targets moto does not deliver, rule schedules and EventBridge
Scheduler schedules, all delivered to the local functions, state machines and queues.

    targets = provision_rules(template, events, sqs)
    provision_schedules(template, scheduler)
    dispatcher = TargetDispatcher(invoker=..., stepfunctions=..., sqs=sqs, clock=RealClock())
    delivery = RuleTargetDelivery(targets, sqs=sqs, dispatcher=dispatcher)
    schedules = Scheduler(clock=..., dispatcher=dispatcher, events=events,
                          scheduler=scheduler, rule_targets=targets)
    delivery.start(); schedules.start()  ...  schedules.stop(); delivery.stop()
"""

from local.eventbridge.clock import Clock, ManualClock, RealClock, ScaledClock
from local.eventbridge.rules import (
    LocalTarget,
    RuleTargetDelivery,
    TargetDispatcher,
    provision_rules,
)
from local.eventbridge.scheduler import Scheduler, provision_schedules

__all__ = [
    "Clock",
    "LocalTarget",
    "ManualClock",
    "RealClock",
    "RuleTargetDelivery",
    "ScaledClock",
    "Scheduler",
    "TargetDispatcher",
    "provision_rules",
    "provision_schedules",
]
