"""Which messages of a batch the SQS poller deletes after an invocation."""

from local.awslambda.invocation import FunctionError, Invocation
from local.event_sources.mappings import MappingSpec, SourceKind
from local.event_sources.sqs import messages_to_delete

IDS = ["m1", "m2", "m3"]


def spec(*, report: bool) -> MappingSpec:
    return MappingSpec(
        logical_id="M",
        function="fn",
        function_logical_id=None,
        source_arn="arn:aws:sqs:us-east-1:123456789012:q",
        kind=SourceKind.SQS,
        batch_size=10,
        report_batch_item_failures=report,
    )


def test_success_deletes_the_whole_batch():
    assert messages_to_delete(spec(report=False), Invocation("fn", None), IDS) == set(IDS)


def test_a_function_error_deletes_nothing():
    failed = Invocation("fn", None, error=FunctionError("ValueError", "bad"))
    assert messages_to_delete(spec(report=True), failed, IDS) == set()
    assert messages_to_delete(spec(report=False), failed, IDS) == set()


def test_reported_failures_stay_and_the_rest_is_deleted():
    payload = {"batchItemFailures": [{"itemIdentifier": "m2"}]}
    assert messages_to_delete(spec(report=True), Invocation("fn", payload), IDS) == {"m1", "m3"}


def test_a_bad_identifier_keeps_the_whole_batch():
    payload = {"batchItemFailures": [{"itemIdentifier": "nope"}]}
    assert messages_to_delete(spec(report=True), Invocation("fn", payload), IDS) == set()


def test_without_report_batch_item_failures_the_response_is_ignored():
    payload = {"batchItemFailures": [{"itemIdentifier": "m2"}]}
    assert messages_to_delete(spec(report=False), Invocation("fn", payload), IDS) == set(IDS)
