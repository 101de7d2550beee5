"""Step Functions: the template's state machines run by the embedded AWS (moto's executor),
their Lambda tasks invoking the local functions through the gateway's Invoke API."""

from local.stepfunctions.bridge import (
    disable_local_executions,
    enable_local_executions,
    local_executions,
    local_executions_enabled,
)
from local.stepfunctions.provision import (
    STATE_MACHINE_TYPE,
    StateMachineSpec,
    provision_state_machines,
    state_machine_spec,
)

__all__ = [
    "STATE_MACHINE_TYPE",
    "StateMachineSpec",
    "disable_local_executions",
    "enable_local_executions",
    "local_executions",
    "local_executions_enabled",
    "provision_state_machines",
    "state_machine_spec",
]
