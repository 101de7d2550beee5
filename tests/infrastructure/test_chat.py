"""infra/chat: the WebSocket API (a route per action), its authorizer and stage, the fan-out's
stream and queues, the IVS stream-state target, and the chat's alarms and dashboard."""

import json
from typing import Any

import pytest
from aws_cdk.assertions import Match

from functions.chat.logic.frames import STAFF_ACTIONS, VIEWER_ACTIONS
from infra.chat.construct import DEFAULT_THROTTLE, ROUTE_THROTTLES
from local.apigateway.wiring import websocket_wiring
from local.cloudformation.template import Template
from local.event_sources.mappings import SourceKind, read_mappings
from tests.synthesized import Synthesized

pytestmark = pytest.mark.infra

CHAT = "functions.chat.handlers"
VIEWER_HANDLER = f"{CHAT}.viewer_actions.handler"
STAFF_HANDLER = f"{CHAT}.staff_actions.handler"
FANOUT_HANDLER = f"{CHAT}.fanout.handler"
SHARD_HANDLER = f"{CHAT}.fanout_shard.handler"
STREAM_STATE_HANDLER = f"{CHAT}.stream_state.handler"
HANDLERS = {
    "$connect": f"{CHAT}.connect.handler",
    "$disconnect": f"{CHAT}.disconnect.handler",
    "$default": f"{CHAT}.default.handler",
    **dict.fromkeys(VIEWER_ACTIONS, VIEWER_HANDLER),
    **dict.fromkeys(STAFF_ACTIONS, STAFF_HANDLER),
}
AUTHORIZER = f"{CHAT}.authorize.handler"
CHAT_FUNCTIONS = {
    AUTHORIZER,
    *HANDLERS.values(),
    FANOUT_HANDLER,
    SHARD_HANDLER,
    STREAM_STATE_HANDLER,
}
# The account's API Gateway budget, shared with every @connections post of the fan-out.
ACCOUNT_REQUESTS_PER_SECOND = 10_000


def _invokes(uri: dict[str, Any], function_id: str) -> bool:
    return {"Fn::GetAtt": [function_id, "Arn"]} in uri["Fn::Join"][1]


def _routes(synthesized: Synthesized) -> dict[str, dict[str, Any]]:
    return {
        route["Properties"]["RouteKey"]: route["Properties"]
        for route in synthesized.resources("AWS::ApiGatewayV2::Route").values()
    }


def _strings(value: Any) -> str:
    """The literal text of a template value (a Join's strings, concatenated)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(_strings(item) for item in value)
    if isinstance(value, dict) and "Fn::Join" in value:
        return _strings(value["Fn::Join"][1])
    return ""


# --- the WebSocket API ---------------------------------------------------------------------


def test_the_api_routes_on_the_action_field(default_stack: Synthesized) -> None:
    default_stack.template.has_resource_properties(
        "AWS::ApiGatewayV2::Api",
        {"ProtocolType": "WEBSOCKET", "RouteSelectionExpression": "$request.body.action"},
    )


def test_every_action_has_its_route_and_nothing_else_does(default_stack: Synthesized) -> None:
    assert VIEWER_ACTIONS
    assert STAFF_ACTIONS
    assert not VIEWER_ACTIONS & STAFF_ACTIONS
    assert set(_routes(default_stack)) == set(HANDLERS)


def test_each_route_invokes_the_function_that_owns_it(default_stack: Synthesized) -> None:
    integrations = default_stack.resources("AWS::ApiGatewayV2::Integration")
    routes = _routes(default_stack)

    for route_key, handler in HANDLERS.items():
        integration_id = routes[route_key]["Target"]["Fn::Join"][1][1]["Ref"]
        integration = integrations[integration_id]["Properties"]
        assert integration["IntegrationType"] == "AWS_PROXY"
        assert _invokes(integration["IntegrationUri"], default_stack.function_id(handler)), (
            route_key
        )
    # One integration per function, shared by its routes.
    assert len(integrations) == len(set(HANDLERS.values()))


def test_api_gateway_may_invoke_each_function_for_its_own_routes(
    default_stack: Synthesized,
) -> None:
    api = default_stack.logical_id("AWS::ApiGatewayV2::Api", "ChatApi")
    (authorizer,) = default_stack.resources("AWS::ApiGatewayV2::Authorizer")
    routes: dict[str, set[str]] = {}
    authorizers: set[str] = set()
    for permission in default_stack.resources("AWS::Lambda::Permission").values():
        properties = permission["Properties"]
        if properties["Principal"] != "apigateway.amazonaws.com":
            continue
        parts = properties["SourceArn"]["Fn::Join"][1]
        if {"Ref": api} not in parts:
            continue  # the REST API's
        function = properties["FunctionName"]["Fn::GetAtt"][0]
        if parts[-2:] == ["/authorizers/", {"Ref": authorizer}]:
            authorizers.add(function)
        else:
            routes.setdefault(parts[-1].removeprefix("/*"), set()).add(function)

    assert authorizers == {default_stack.function_id(AUTHORIZER)}
    assert routes == {
        route_key: {default_stack.function_id(handler)} for route_key, handler in HANDLERS.items()
    }


def test_only_connect_is_authorized_by_the_show_authorizer(default_stack: Synthesized) -> None:
    (authorizer_id,) = default_stack.resources("AWS::ApiGatewayV2::Authorizer")
    authorizer = default_stack.body["Resources"][authorizer_id]["Properties"]
    routes = _routes(default_stack)

    assert authorizer["AuthorizerType"] == "REQUEST"
    assert authorizer["IdentitySource"] == ["route.request.querystring.show"]
    assert _invokes(authorizer["AuthorizerUri"], default_stack.function_id(AUTHORIZER))
    assert routes["$connect"]["AuthorizationType"] == "CUSTOM"
    assert routes["$connect"]["AuthorizerId"] == {"Ref": authorizer_id}
    assert [key for key, route in routes.items() if "AuthorizerId" in route] == ["$connect"]


def test_the_local_gateway_reads_the_same_routes_from_the_template(
    default_stack: Synthesized,
) -> None:
    wiring = websocket_wiring(Template.load(default_stack.template_path))

    assert wiring is not None
    assert wiring.routes == {
        route_key: default_stack.function_id(handler) for route_key, handler in HANDLERS.items()
    }
    assert wiring.route_for_frame(json.dumps({"action": "chat", "text": "hi"})) == "chat"
    assert wiring.route_for_frame(json.dumps({"action": "ban_viewer"})) == "ban_viewer"
    assert wiring.route_for_frame(json.dumps({"action": "no_such_action"})) == "$default"
    assert wiring.route_for_frame("not json") == "$default"


# --- the stage -----------------------------------------------------------------------------


def _stage(synthesized: Synthesized) -> dict[str, Any]:
    return synthesized.resource("AWS::ApiGatewayV2::Stage", "ChatStage")


def test_the_stage_deploys_itself_and_logs_access(default_stack: Synthesized) -> None:
    access_logs = default_stack.logical_id("AWS::Logs::LogGroup", "ChatAccessLogs")

    default_stack.template.has_resource_properties(
        "AWS::ApiGatewayV2::Stage",
        {
            "StageName": "live",
            "AutoDeploy": True,
            "AccessLogSettings": {
                "DestinationArn": {"Fn::GetAtt": [access_logs, "Arn"]},
                "Format": Match.string_like_regexp(r"\$context\.connectionId"),
            },
        },
    )


def _route_limits(stage: dict[str, Any], route_keys: set[str]) -> dict[str, tuple[int, int]]:
    """Each route's (rate, burst): its RouteSettings, else the stage's default."""
    default = stage["Properties"]["DefaultRouteSettings"]
    overrides = stage["Properties"].get("RouteSettings", {})
    return {
        key: (
            overrides.get(key, default)["ThrottlingRateLimit"],
            overrides.get(key, default)["ThrottlingBurstLimit"],
        )
        for key in route_keys
    }


def test_every_route_is_throttled_and_the_busiest_routes_get_more(
    default_stack: Synthesized,
) -> None:
    stage = _stage(default_stack)
    limits = _route_limits(stage, set(HANDLERS))

    assert stage["Properties"]["DefaultRouteSettings"] == {
        "ThrottlingRateLimit": DEFAULT_THROTTLE[0],
        "ThrottlingBurstLimit": DEFAULT_THROTTLE[1],
    }
    assert set(stage["Properties"]["RouteSettings"]) == set(ROUTE_THROTTLES)
    assert set(ROUTE_THROTTLES) <= set(HANDLERS)  # API Gateway refuses unknown route keys
    assert all(0 < rate <= burst for rate, burst in limits.values())
    # A show start: every viewer connects and joins; a poll: every viewer answers.
    for route_key in ("$connect", "join", "answer_poll"):
        assert limits[route_key][0] >= 10 * DEFAULT_THROTTLE[0], route_key
    assert max(limits[action][0] for action in STAFF_ACTIONS) == DEFAULT_THROTTLE[0]


def test_all_routes_at_their_ceiling_leave_most_of_the_account_to_the_fan_out(
    default_stack: Synthesized,
) -> None:
    limits = _route_limits(_stage(default_stack), set(HANDLERS))

    inbound = sum(rate for rate, _ in limits.values())
    assert inbound <= 0.4 * ACCOUNT_REQUESTS_PER_SECOND, inbound


def test_the_stage_waits_for_the_routes_its_settings_name(default_stack: Synthesized) -> None:
    routes = {
        route["Properties"]["RouteKey"]: logical_id
        for logical_id, route in default_stack.resources("AWS::ApiGatewayV2::Route").items()
    }
    depends_on = set(_stage(default_stack).get("DependsOn", []))

    assert {routes[key] for key in ROUTE_THROTTLES} <= depends_on


# --- the fan-out ---------------------------------------------------------------------------


def _mapping(synthesized: Synthesized, handler: str) -> dict[str, Any]:
    function = {"Ref": synthesized.function_id(handler)}
    (mapping,) = (
        mapping["Properties"]
        for mapping in synthesized.resources("AWS::Lambda::EventSourceMapping").values()
        if mapping["Properties"]["FunctionName"] == function
    )
    return mapping


def test_the_fan_out_reads_the_event_log_stream_coalescing_and_in_order(
    default_stack: Synthesized,
) -> None:
    events = default_stack.logical_id("AWS::DynamoDB::Table", "DataEventsTable")
    failures = default_stack.logical_id("AWS::SQS::Queue", "ChatFanOutStreamFailures")
    mapping = _mapping(default_stack, FANOUT_HANDLER)

    assert mapping["EventSourceArn"] == {"Fn::GetAtt": [events, "StreamArn"]}
    assert mapping["StartingPosition"] == "LATEST"
    assert mapping["BatchSize"] == 1000
    assert mapping["MaximumBatchingWindowInSeconds"] == 1  # cdk.json's coalescing window
    assert mapping.get("ParallelizationFactor", 1) == 1  # a stream shard's events in order
    assert mapping["BisectBatchOnFunctionError"] is True
    assert 1 <= mapping["MaximumRetryAttempts"] <= 5
    assert 60 <= mapping["MaximumRecordAgeInSeconds"] <= 600
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["DestinationConfig"] == {
        "OnFailure": {"Destination": {"Fn::GetAtt": [failures, "Arn"]}}
    }


def test_the_coalescing_window_and_shard_size_come_from_the_context(
    default_stack: Synthesized, custom_stack: Synthesized
) -> None:
    def shard_size(synthesized: Synthesized) -> str:
        function = synthesized.function(FANOUT_HANDLER)
        return function["Properties"]["Environment"]["Variables"]["VITRINE_FANOUT_SHARD_SIZE"]

    assert _mapping(custom_stack, FANOUT_HANDLER)["MaximumBatchingWindowInSeconds"] == 3
    assert (shard_size(default_stack), shard_size(custom_stack)) == ("1000", "500")


def test_the_fan_out_posts_through_the_live_stage_callback_url(
    default_stack: Synthesized,
) -> None:
    api = default_stack.logical_id("AWS::ApiGatewayV2::Api", "ChatApi")
    for handler in (FANOUT_HANDLER, SHARD_HANDLER):
        variables = default_stack.function(handler)["Properties"]["Environment"]["Variables"]
        endpoint = variables["VITRINE_WEBSOCKET_ENDPOINT"]["Fn::Join"][1]
        # https://<api>.execute-api.<region>.<suffix>/live: @connections, not wss://
        assert endpoint[:3] == ["https://", {"Ref": api}, ".execute-api."], handler
        assert endpoint[-1] == "/live", handler


def test_the_fan_out_functions_have_a_vcpu_and_the_time_to_post(
    default_stack: Synthesized,
) -> None:
    fanout = default_stack.function(FANOUT_HANDLER)["Properties"]
    shard = default_stack.function(SHARD_HANDLER)["Properties"]

    assert (fanout["MemorySize"], fanout["Timeout"]) == (1769, 60)
    assert shard["MemorySize"] == 1769


def test_shards_are_queued_with_a_dead_letter_queue_and_consumed_in_parallel(
    default_stack: Synthesized,
) -> None:
    queue = default_stack.logical_id("AWS::SQS::Queue", "ChatFanOutShardQueue")
    dead_letters = default_stack.logical_id("AWS::SQS::Queue", "ChatFanOutShardDeadLetters")
    properties = default_stack.body["Resources"][queue]["Properties"]
    shard_timeout = default_stack.function(SHARD_HANDLER)["Properties"]["Timeout"]
    mapping = _mapping(default_stack, SHARD_HANDLER)

    assert properties["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": [dead_letters, "Arn"]},
        "maxReceiveCount": 3,
    }
    assert properties["VisibilityTimeout"] >= 6 * shard_timeout
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": [queue, "Arn"]}
    assert 1 <= mapping["BatchSize"] <= 10
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert 2 <= mapping["ScalingConfig"]["MaximumConcurrency"] <= 100
    variables = default_stack.function(FANOUT_HANDLER)["Properties"]["Environment"]["Variables"]
    assert variables["VITRINE_FANOUT_QUEUE_URL"] == {"Ref": queue}


def test_the_local_runtime_runs_both_mappings_as_declared(default_stack: Synthesized) -> None:
    template = Template.load(default_stack.template_path)
    # What provisioning would record: the stream's and the queues' ARNs.
    events = default_stack.logical_id("AWS::DynamoDB::Table", "DataEventsTable")
    template.provide(
        events, StreamArn="arn:aws:dynamodb:us-east-1:123456789012:table/events/stream/1"
    )
    for logical_id in default_stack.resources("AWS::SQS::Queue"):
        template.provide(logical_id, Arn=f"arn:aws:sqs:us-east-1:123456789012:{logical_id}")

    specs = {spec.function_logical_id: spec for spec in read_mappings(template)}

    stream = specs[default_stack.function_id(FANOUT_HANDLER)]
    assert (stream.kind, stream.batching_window_s, stream.bisect_on_error) == (
        SourceKind.DYNAMODB_STREAM,
        1,
        True,
    )
    failures = default_stack.logical_id("AWS::SQS::Queue", "ChatFanOutStreamFailures")
    assert stream.on_failure_destination == f"arn:aws:sqs:us-east-1:123456789012:{failures}"
    assert (stream.maximum_retry_attempts, stream.maximum_record_age_s) == (3, 300)
    shards = specs[default_stack.function_id(SHARD_HANDLER)]
    assert (shards.kind, shards.batch_size, shards.report_batch_item_failures) == (
        SourceKind.SQS,
        5,
        True,
    )
    assert shards.maximum_concurrency == 50


def test_every_queue_is_encrypted_and_refuses_plain_http(default_stack: Synthesized) -> None:
    queues = default_stack.resources("AWS::SQS::Queue")
    ssl_enforced = {
        queue["Ref"]
        for policy in default_stack.resources("AWS::SQS::QueuePolicy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement["Effect"] == "Deny"
        and statement.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}
        for queue in policy["Properties"]["Queues"]
    }

    assert len(queues) == 6  # the chat's four, the commerce holds and their dead letters
    assert all(queue["Properties"]["SqsManagedSseEnabled"] for queue in queues.values())
    assert ssl_enforced == set(queues)


def test_dead_letter_queues_keep_failures_for_two_weeks(default_stack: Synthesized) -> None:
    for prefix in ("ChatFanOutShardDeadLetters", "ChatFanOutStreamFailures", "ChatLifecycle"):
        queue = default_stack.resource("AWS::SQS::Queue", prefix)
        assert queue["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600, prefix


# --- IVS stream state ----------------------------------------------------------------------


def _stream_state_rule(synthesized: Synthesized) -> tuple[str, dict[str, Any]]:
    (found,) = (
        (logical_id, rule)
        for logical_id, rule in synthesized.resources("AWS::Events::Rule").items()
        if rule["Properties"]["EventPattern"].get("detail-type") == ["IVS Stream State Change"]
    )
    return found


def test_stream_state_changes_reach_the_function_with_retries_and_a_dead_letter_queue(
    default_stack: Synthesized,
) -> None:
    rule_id, rule = _stream_state_rule(default_stack)
    function = default_stack.function_id(STREAM_STATE_HANDLER)
    dead_letters = default_stack.logical_id("AWS::SQS::Queue", "ChatLifecycleDeadLetters")

    (target,) = (
        target
        for target in rule["Properties"]["Targets"]
        if target["Arn"] == {"Fn::GetAtt": [function, "Arn"]}
    )
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": [dead_letters, "Arn"]}}
    assert target["RetryPolicy"]["MaximumRetryAttempts"] >= 3
    assert target["RetryPolicy"]["MaximumEventAgeInSeconds"] <= 3600
    assert len(rule["Properties"]["Targets"]) == 2  # and the IVS events log group
    default_stack.template.has_resource_properties(
        "AWS::Lambda::Permission",
        {
            "Action": "lambda:InvokeFunction",
            "FunctionName": {"Fn::GetAtt": [function, "Arn"]},
            "Principal": "events.amazonaws.com",
            "SourceArn": {"Fn::GetAtt": [rule_id, "Arn"]},
        },
    )


def test_eventbridge_may_dead_letter_only_this_rules_events(default_stack: Synthesized) -> None:
    rule_id, _ = _stream_state_rule(default_stack)
    dead_letters = default_stack.logical_id("AWS::SQS::Queue", "ChatLifecycleDeadLetters")

    (statement,) = (
        statement
        for policy in default_stack.resources("AWS::SQS::QueuePolicy").values()
        if policy["Properties"]["Queues"] == [{"Ref": dead_letters}]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement["Effect"] == "Allow"
    )
    assert statement["Principal"] == {"Service": "events.amazonaws.com"}
    assert statement["Action"] == "sqs:SendMessage"
    assert statement["Condition"] == {
        "ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": [rule_id, "Arn"]}}
    }


def test_a_stream_state_the_function_failed_on_lands_in_the_same_queue(
    default_stack: Synthesized,
) -> None:
    function = default_stack.function_id(STREAM_STATE_HANDLER)
    dead_letters = default_stack.logical_id("AWS::SQS::Queue", "ChatLifecycleDeadLetters")

    default_stack.template.has_resource_properties(
        "AWS::Lambda::EventInvokeConfig",
        {
            "FunctionName": {"Ref": function},
            "DestinationConfig": {
                "OnFailure": {"Destination": {"Fn::GetAtt": [dead_letters, "Arn"]}}
            },
            "MaximumRetryAttempts": 2,
        },
    )


# --- alarms and the dashboard --------------------------------------------------------------


@pytest.mark.parametrize("handler", sorted(CHAT_FUNCTIONS))
def test_every_chat_function_alarms_on_its_first_error_and_throttle(
    default_stack: Synthesized, handler: str
) -> None:
    function = {"FunctionName": {"Ref": default_stack.function_id(handler)}}
    for metric in ("Errors", "Throttles"):
        alarm = default_stack.alarm_on("AWS/Lambda", metric, function)
        assert (alarm["Statistic"], alarm["Period"]) == ("Sum", 60), (handler, metric)
        assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
        assert alarm["Threshold"] == 1


@pytest.mark.parametrize(
    "prefix", ["ChatFanOutShardDeadLetters", "ChatFanOutStreamFailures", "ChatLifecycleDeadLetters"]
)
def test_every_dead_letter_queue_alarms_on_its_first_message(
    default_stack: Synthesized, prefix: str
) -> None:
    queue = {
        "QueueName": {
            "Fn::GetAtt": [default_stack.logical_id("AWS::SQS::Queue", prefix), "QueueName"]
        }
    }
    alarm = default_stack.alarm_on("AWS/SQS", "ApproximateNumberOfMessagesVisible", queue)

    assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
    assert alarm["Threshold"] == 0


def test_the_fan_out_alarms_when_viewers_would_see_the_chat_late(
    default_stack: Synthesized, custom_stack: Synthesized
) -> None:
    def iterator_age(synthesized: Synthesized) -> dict[str, Any]:
        function = {"FunctionName": {"Ref": synthesized.function_id(FANOUT_HANDLER)}}
        return synthesized.alarm_on("AWS/Lambda", "IteratorAge", function)

    queue_id = default_stack.logical_id("AWS::SQS::Queue", "ChatFanOutShardQueue")
    shards = default_stack.alarm_on(
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        {"QueueName": {"Fn::GetAtt": [queue_id, "QueueName"]}},
    )
    default, custom = iterator_age(default_stack), iterator_age(custom_stack)

    assert default["Statistic"] == "Maximum"
    # Milliseconds: the coalescing window (1 s, 3 s in the custom context) plus 5 seconds.
    assert (default["Threshold"], custom["Threshold"]) == (6000, 8000)
    assert default["ComparisonOperator"] == "GreaterThanThreshold"
    assert (shards["Statistic"], shards["Threshold"]) == ("Maximum", 5)  # seconds


def test_every_alarm_notifies_the_topic_and_ignores_quiet_hours(
    default_stack: Synthesized,
) -> None:
    topic = {"Ref": default_stack.logical_id("AWS::SNS::Topic", "MonitoringAlarmTopic")}
    alarms = default_stack.alarms()

    # Commerce adds seven: its two functions' errors and throttles, holds dead-lettered or
    # late, API 5xx.
    assert len(alarms) == 2 * len(CHAT_FUNCTIONS) + 3 + 2 + 7
    for alarm in alarms:
        assert alarm["AlarmActions"] == [topic]
        assert alarm["OKActions"] == [topic]
        assert alarm["TreatMissingData"] == "notBreaching"
        assert alarm["AlarmDescription"]


def test_this_accounts_alarms_may_publish_to_the_topic_over_tls_only(
    default_stack: Synthesized,
) -> None:
    topic = default_stack.logical_id("AWS::SNS::Topic", "MonitoringAlarmTopic")
    (policy,) = default_stack.resources("AWS::SNS::TopicPolicy").values()
    statements = policy["Properties"]["PolicyDocument"]["Statement"]

    assert policy["Properties"]["Topics"] == [{"Ref": topic}]
    (deny,) = (statement for statement in statements if statement["Effect"] == "Deny")
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    (allow,) = (statement for statement in statements if statement["Effect"] == "Allow")
    assert allow["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert allow["Action"] == "sns:Publish"
    assert allow["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    assert ":alarm:*" in _strings(allow["Condition"]["ArnLike"]["aws:SourceArn"])


def test_alarms_are_e_mailed_only_when_the_context_names_an_address(
    default_stack: Synthesized, custom_stack: Synthesized
) -> None:
    default_stack.template.resource_count_is("AWS::SNS::Subscription", 0)
    custom_stack.template.has_resource_properties(
        "AWS::SNS::Subscription", {"Protocol": "email", "Endpoint": "oncall@example.com"}
    )


def test_one_dashboard_shows_the_chat_functions_api_lag_and_queues(
    default_stack: Synthesized,
) -> None:
    (dashboard,) = default_stack.resources("AWS::CloudWatch::Dashboard").values()
    body = dashboard["Properties"]["DashboardBody"]
    text = _strings(body)
    named = json.dumps(body)

    for metric in ("Invocations", "Errors", "Throttles", "Duration", "IteratorAge"):
        assert f'"{metric}"' in text, metric
    for metric in ("MessageCount", "ConnectCount", "ApproximateNumberOfMessagesVisible"):
        assert f'"{metric}"' in text, metric
    for handler in CHAT_FUNCTIONS:
        assert default_stack.function_id(handler) in named, handler
    for queue in default_stack.resources("AWS::SQS::Queue"):
        assert queue in named, queue
    assert '"type":"alarm"' in text  # the chat's alarm states
