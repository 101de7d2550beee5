"""A small CDK stack that proves the local runtime's event-driven parts before any feature
uses them: a queue, a stream, a rule, a state machine and a schedule, each wired to functions
in `tests/lambda_fixtures/stack_handlers.py`, synthesized and run by the same runtime code
that `make dev` uses."""
