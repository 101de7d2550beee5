"""infra/functions: every Vitrine function's runtime, code, layer, environment and grants."""

import ast
import importlib
import importlib.util
import inspect
import json
import platform
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from functions.common.settings import Env
from infra import REPO_ROOT
from infra.functions import BundlingError, UvLayerBundling, compile_bytecode
from tests.synthesized import Synthesized

pytestmark = pytest.mark.infra

POWERTOOLS = {"POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE", "LOG_LEVEL"}

CHAT = "functions.chat.handlers"

# handler -> {Env variable: the logical-id prefix of the resource it names}
ENVIRONMENTS: dict[str, dict[Env, str]] = {
    f"{CHAT}.authorize.handler": {
        Env.USER_POOL_ID: "IdentityStaffPool",
        Env.USER_POOL_CLIENT_ID: "IdentityStaffPoolWebConsole",
    },
    f"{CHAT}.connect.handler": {
        Env.CATALOG_TABLE: "DataCatalogTable",
        Env.CONNECTIONS_TABLE: "DataConnectionsTable",
        Env.EVENTS_TABLE: "DataEventsTable",
        Env.CHAT_TABLE: "DataChatTable",
    },
    f"{CHAT}.disconnect.handler": {
        Env.CONNECTIONS_TABLE: "DataConnectionsTable",
        Env.EVENTS_TABLE: "DataEventsTable",
        Env.CHAT_TABLE: "DataChatTable",
    },
    f"{CHAT}.default.handler": {},
    f"{CHAT}.viewer_actions.handler": {
        Env.CATALOG_TABLE: "DataCatalogTable",
        Env.CONNECTIONS_TABLE: "DataConnectionsTable",
        Env.EVENTS_TABLE: "DataEventsTable",
        Env.CHAT_TABLE: "DataChatTable",
    },
    f"{CHAT}.staff_actions.handler": {
        Env.CATALOG_TABLE: "DataCatalogTable",
        Env.CONNECTIONS_TABLE: "DataConnectionsTable",
        Env.EVENTS_TABLE: "DataEventsTable",
        Env.CHAT_TABLE: "DataChatTable",
        Env.CHANNEL_ARN: "StreamingChannel",
    },
    f"{CHAT}.fanout.handler": {
        Env.CATALOG_TABLE: "DataCatalogTable",
        Env.CONNECTIONS_TABLE: "DataConnectionsTable",
        Env.CHAT_TABLE: "DataChatTable",
        Env.WEBSOCKET_ENDPOINT: "ChatApi",
        Env.FANOUT_QUEUE_URL: "ChatFanOutShardQueue",
        Env.FANOUT_SHARD_SIZE: "",  # a value, not a resource
        Env.VIEWER_COUNT_SECONDS: "",
    },
    f"{CHAT}.fanout_shard.handler": {
        Env.CONNECTIONS_TABLE: "DataConnectionsTable",
        Env.WEBSOCKET_ENDPOINT: "ChatApi",
        Env.FANOUT_QUEUE_URL: "ChatFanOutShardQueue",
        Env.FANOUT_SHARD_SIZE: "",
    },
    f"{CHAT}.stream_state.handler": {
        Env.CHANNEL_ARN: "StreamingChannel",
        Env.CATALOG_TABLE: "DataCatalogTable",
        Env.EVENTS_TABLE: "DataEventsTable",
        Env.CHAT_TABLE: "DataChatTable",
    },
    "functions.cart.app.app": {
        Env.BRAND_NAME: "",
        Env.TIME_ZONE: "",
        Env.CATALOG_TABLE: "DataCatalogTable",
        Env.CARTS_TABLE: "DataCartsTable",
        Env.EVENTS_TABLE: "DataEventsTable",
        Env.IDEMPOTENCY_TABLE: "CartIdempotencyTable",
        Env.HOLDS_QUEUE_URL: "CartHoldsQueue",
        Env.HOLD_SECONDS: "",
        Env.CHECKOUT_ADAPTER: "",
        Env.CHECKOUT_URL: "",
        Env.CHECKOUT_OPENS_IN: "",
        Env.STOREFRONT_SECRET_ARN: "CartStorefrontSecret",
        Env.USER_POOL_ID: "IdentityStaffPool",
        Env.USER_POOL_CLIENT_ID: "IdentityStaffPoolWebConsole",
        Env.ALLOWED_ORIGINS: "",
        Env.CHANNEL_ARN: "StreamingChannel",
        Env.STREAM_KEY_ARN: "StreamingStreamKey",
        Env.SITE_URL: "WebDistribution",
    },
    "functions.cart.handlers.hold_expiry.handler": {
        Env.CATALOG_TABLE: "DataCatalogTable",
        Env.CARTS_TABLE: "DataCartsTable",
        Env.EVENTS_TABLE: "DataEventsTable",
        Env.HOLDS_QUEUE_URL: "CartHoldsQueue",
    },
}

# What a role may do on a table, in the words of CDK's grants: read (grant_read_data), write
# (grant_write_data: puts, updates and deletes), update alone, and stream (the table's stream).
READ, UPDATE, STREAM = frozenset({"read"}), frozenset({"update"}), frozenset({"stream"})
WRITE = frozenset({"put", "update", "delete"})
READ_WRITE = READ | WRITE

# handler -> {table (logical-id prefix): what the role may do on it}; nothing else.
TABLE_ACCESS: dict[str, dict[str, frozenset[str]]] = {
    f"{CHAT}.authorize.handler": {},
    f"{CHAT}.connect.handler": {
        "DataCatalogTable": READ,
        "DataConnectionsTable": WRITE,
        "DataEventsTable": WRITE,
        "DataChatTable": READ_WRITE,  # the ban check, the viewer count
    },
    f"{CHAT}.disconnect.handler": {
        "DataConnectionsTable": READ_WRITE,
        "DataEventsTable": WRITE,
        "DataChatTable": WRITE,
    },
    f"{CHAT}.default.handler": {},
    f"{CHAT}.viewer_actions.handler": {
        "DataCatalogTable": READ,
        "DataConnectionsTable": READ | UPDATE,  # who is speaking; a viewer's new name
        "DataEventsTable": WRITE,
        "DataChatTable": READ_WRITE,
    },
    f"{CHAT}.staff_actions.handler": {
        "DataCatalogTable": READ_WRITE,  # the show's status
        "DataConnectionsTable": READ,  # a banned viewer's (closed through @connections)
        "DataEventsTable": WRITE,
        "DataChatTable": READ_WRITE,
    },
    f"{CHAT}.fanout.handler": {
        "DataEventsTable": STREAM,
        "DataCatalogTable": READ,
        "DataConnectionsTable": READ | UPDATE,  # the audience; connections marked gone
        "DataChatTable": READ_WRITE,
    },
    f"{CHAT}.fanout_shard.handler": {"DataConnectionsTable": UPDATE},
    f"{CHAT}.stream_state.handler": {
        "DataCatalogTable": READ_WRITE,
        "DataEventsTable": WRITE,
        "DataChatTable": READ_WRITE,
    },
    "functions.cart.app.app": {
        "DataCatalogTable": READ_WRITE,  # shows, products, stock counters, promos
        "DataCartsTable": READ_WRITE,
        "DataEventsTable": WRITE,  # cart and promo events, in the same transactions
        "CartIdempotencyTable": READ_WRITE,
    },
    "functions.cart.handlers.hold_expiry.handler": {
        "DataCatalogTable": READ_WRITE,
        "DataCartsTable": READ_WRITE,
        "DataEventsTable": WRITE,
    },
}

# handler -> the @connections methods it may call (POST a frame, DELETE a connection).
CONNECTIONS_METHODS: dict[str, set[str]] = {
    f"{CHAT}.default.handler": {"POST"},
    f"{CHAT}.viewer_actions.handler": {"POST"},
    f"{CHAT}.staff_actions.handler": {"POST", "DELETE"},
    f"{CHAT}.fanout.handler": {"POST"},
    f"{CHAT}.fanout_shard.handler": {"POST"},
}

# handler -> {queue (logical-id prefix): "send" or "consume"}
QUEUE_ACCESS: dict[str, dict[str, str]] = {
    f"{CHAT}.fanout.handler": {"ChatFanOutShardQueue": "send", "ChatFanOutStreamFailures": "send"},
    # A shard worker re-queues the remainder of a shard it could not deliver.
    f"{CHAT}.fanout_shard.handler": {"ChatFanOutShardQueue": "consume and send"},
    f"{CHAT}.stream_state.handler": {"ChatLifecycleDeadLetters": "send"},
    # The API starts a hold's timer; the expiry re-sends the rest of a hold longer than 15 min.
    "functions.cart.app.app": {"CartHoldsQueue": "send"},
    "functions.cart.handlers.hold_expiry.handler": {"CartHoldsQueue": "consume and send"},
}

# handler -> {IVS action: the logical-id prefix of the one resource it is granted on}
IVS_GRANTS: dict[str, dict[str, str]] = {
    f"{CHAT}.staff_actions.handler": {
        "ivs:PutMetadata": "StreamingChannel",
        "ivs:StopStream": "StreamingChannel",
        "ivs:GetStream": "StreamingChannel",
        "ivs:GetChannel": "StreamingChannel",
    },
    # The host's encoder settings (GET /studio/ingest): read-only, and the key on its own.
    "functions.cart.app.app": {
        "ivs:GetChannel": "StreamingChannel",
        "ivs:GetStreamKey": "StreamingStreamKey",
    },
}

# The fan-out is CPU-bound on signing requests: one full vCPU (Lambda allots CPU by memory).
ONE_VCPU = {f"{CHAT}.fanout.handler", f"{CHAT}.fanout_shard.handler"}


def _vitrine_functions(synthesized: Synthesized) -> dict[str, dict[str, Any]]:
    return {
        function["Properties"]["Handler"]: function
        for function in synthesized.resources("AWS::Lambda::Function").values()
        if function["Properties"]["Handler"].startswith("functions.")
    }


def test_the_functions_are_the_expected_handlers(default_stack: Synthesized) -> None:
    assert set(_vitrine_functions(default_stack)) == set(ENVIRONMENTS)


def test_every_function_runs_python_3_13_on_graviton_traced_with_the_layer(
    default_stack: Synthesized,
) -> None:
    layer = default_stack.logical_id("AWS::Lambda::LayerVersion", "FunctionsDependencies")

    for handler, function in _vitrine_functions(default_stack).items():
        properties = function["Properties"]
        assert properties["Runtime"] == "python3.13", handler
        assert properties["Architectures"] == ["arm64"], handler
        assert properties["TracingConfig"] == {"Mode": "Active"}, handler
        assert properties["Layers"] == [{"Ref": layer}], handler
        if handler in ONE_VCPU:
            assert properties["MemorySize"] == 1769, handler
        else:
            assert 256 <= properties["MemorySize"] <= 512, handler
    default_stack.template.has_resource_properties(
        "AWS::Lambda::LayerVersion",
        {"CompatibleRuntimes": ["python3.13"], "CompatibleArchitectures": ["arm64"]},
    )


def test_a_test_synth_bundles_neither_the_layer_nor_the_code(default_stack: Synthesized) -> None:
    assets = json.loads((default_stack.outdir / "VitrineStack.assets.json").read_text())

    for asset in _asset_hashes(default_stack):
        # Skipped bundling leaves the asset pointing at its source: the repository, untouched.
        assert assets["files"][asset]["source"]["path"] == str(REPO_ROOT)
        assert not (default_stack.outdir / f"asset.{asset}").exists()


def test_every_function_logs_to_its_own_log_group_with_retention(
    default_stack: Synthesized,
) -> None:
    log_groups = default_stack.resources("AWS::Logs::LogGroup")
    used = [
        function["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
        for function in _vitrine_functions(default_stack).values()
    ]

    assert len(set(used)) == len(used)
    assert all(log_groups[name]["Properties"]["RetentionInDays"] == 30 for name in used)


def test_environments_hold_only_powertools_settings_and_env_names(
    default_stack: Synthesized,
) -> None:
    for handler, function in _vitrine_functions(default_stack).items():
        variables = function["Properties"]["Environment"]["Variables"]
        assert variables["POWERTOOLS_METRICS_NAMESPACE"] == "Vitrine", handler
        assert variables["POWERTOOLS_SERVICE_NAME"] in {"chat", "cart"}, handler
        assert set(variables) - POWERTOOLS == {env.value for env in ENVIRONMENTS[handler]}, handler


def _named_resources(value: Any) -> set[str]:
    """The logical ids that a template value refers to (Ref, GetAtt), pseudo parameters aside."""
    if isinstance(value, list):
        return set().union(*(_named_resources(item) for item in value))
    if not isinstance(value, dict):
        return set()
    named = set()
    if isinstance(value.get("Ref"), str) and not value["Ref"].startswith("AWS::"):
        named.add(value["Ref"])
    if isinstance(value.get("Fn::GetAtt"), list):
        named.add(value["Fn::GetAtt"][0])
    return named.union(*(_named_resources(item) for item in value.values()))


def test_environment_variables_name_the_right_resources(default_stack: Synthesized) -> None:
    for handler, expected in ENVIRONMENTS.items():
        variables = default_stack.function(handler)["Properties"]["Environment"]["Variables"]
        for env, prefix in expected.items():
            value = variables[env]
            if not prefix:
                assert isinstance(value, str), (handler, env)
                continue
            # CDK adds an 8-character hash to each logical id.
            assert {name[:-8] for name in _named_resources(value)} == {prefix}, (handler, env)


def test_the_cart_function_knows_the_brand_origins_zone_hold_and_checkout(
    default_stack: Synthesized, custom_stack: Synthesized
) -> None:
    default_vars = default_stack.function("functions.cart.app.app")["Properties"]["Environment"]
    custom_vars = custom_stack.function("functions.cart.app.app")["Properties"]["Environment"]

    assert default_vars["Variables"][Env.BRAND_NAME] == "Vitrine Demo"
    assert default_vars["Variables"][Env.ALLOWED_ORIGINS] == "*"
    assert default_vars["Variables"][Env.TIME_ZONE] == "UTC"
    assert custom_vars["Variables"][Env.BRAND_NAME] == "Maison Test"
    assert custom_vars["Variables"][Env.TIME_ZONE] == "Europe/Paris"
    assert custom_vars["Variables"][Env.HOLD_SECONDS] == "900"
    checkout = (Env.CHECKOUT_ADAPTER, Env.CHECKOUT_URL, Env.CHECKOUT_OPENS_IN)
    assert [custom_vars["Variables"][env] for env in checkout] == [
        "webhook",
        "https://hooks.example.com/vitrine",
        "same_tab",
    ]
    assert (
        custom_vars["Variables"][Env.ALLOWED_ORIGINS]
        == "https://shop.example.com,https://www.example.com"
    )


def test_no_endpoint_override_is_ever_deployed(default_stack: Synthesized) -> None:
    assert "AWS_ENDPOINT_URL" not in default_stack.template_path.read_text()


def _role_statements(synthesized: Synthesized, handler: str) -> list[dict[str, Any]]:
    """Every statement of the policies attached to the handler's role."""
    role = synthesized.function(handler)["Properties"]["Role"]["Fn::GetAtt"][0]
    return [
        statement
        for policy in synthesized.resources("AWS::IAM::Policy").values()
        if {"Ref": role} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def _actions(statement: dict[str, Any]) -> set[str]:
    actions = statement["Action"]
    return {actions} if isinstance(actions, str) else set(actions)


def _resources(statement: dict[str, Any]) -> list[Any]:
    resources = statement["Resource"]
    return resources if isinstance(resources, list) else [resources]


def _table_access(synthesized: Synthesized, handler: str) -> dict[str, frozenset[str]]:
    """Table (logical-id prefix) -> what the handler's role may do on it (see READ, WRITE...)."""
    tables = set(synthesized.resources("AWS::DynamoDB::Table"))
    access: dict[str, set[str]] = defaultdict(set)
    for statement in _role_statements(synthesized, handler):
        actions = _actions(statement)
        for resource in _resources(statement):
            for table in _named_resources(resource) & tables:
                if "StreamArn" in json.dumps(resource):
                    if "dynamodb:GetRecords" in actions:
                        access[table[:-8]].add("stream")
                    continue
                if {"dynamodb:GetItem", "dynamodb:Query"} <= actions:
                    access[table[:-8]].add("read")
                if "dynamodb:PutItem" in actions:
                    access[table[:-8]].add("put")
                if "dynamodb:UpdateItem" in actions:
                    access[table[:-8]].add("update")
                if "dynamodb:DeleteItem" in actions:
                    access[table[:-8]].add("delete")
    return {table: frozenset(allowed) for table, allowed in access.items()}


def test_every_function_has_its_table_grants(default_stack: Synthesized) -> None:
    assert set(TABLE_ACCESS) == set(ENVIRONMENTS)


@pytest.mark.parametrize("handler", TABLE_ACCESS)
def test_each_function_may_do_exactly_its_part_on_each_table(
    default_stack: Synthesized, handler: str
) -> None:
    access = _table_access(default_stack, handler)
    told_about = {prefix for prefix in ENVIRONMENTS[handler].values() if prefix}

    assert access == TABLE_ACCESS[handler]
    # A table it may touch is a table it is told the name of (a stream comes with its records).
    assert {table for table, allowed in access.items() if allowed != STREAM} <= told_about


def _connections_methods(synthesized: Synthesized, handler: str) -> set[str]:
    methods = set()
    for statement in _role_statements(synthesized, handler):
        if "execute-api:ManageConnections" not in _actions(statement):
            continue
        for resource in _resources(statement):
            parts = resource["Fn::Join"][1]
            api = synthesized.logical_id("AWS::ApiGatewayV2::Api", "ChatApi")
            assert {"Ref": api} in parts, (handler, "another API's connections")
            found = re.fullmatch(r"/live/(\w+)/@connections/\*", parts[-1])
            assert found, (handler, parts[-1])
            methods.add(found.group(1))
    return methods


@pytest.mark.parametrize("handler", ENVIRONMENTS)
def test_each_function_may_call_only_its_connections_methods_on_the_live_stage(
    default_stack: Synthesized, handler: str
) -> None:
    assert _connections_methods(default_stack, handler) == CONNECTIONS_METHODS.get(handler, set())


QUEUE_ACTIONS = {
    "send": {"sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"},
    "consume and send": {
        "sqs:ReceiveMessage",
        "sqs:ChangeMessageVisibility",
        "sqs:DeleteMessage",
        "sqs:SendMessage",
        "sqs:GetQueueAttributes",
        "sqs:GetQueueUrl",
    },
    "consume": {
        "sqs:ReceiveMessage",
        "sqs:ChangeMessageVisibility",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "sqs:GetQueueUrl",
    },
}


@pytest.mark.parametrize("handler", ENVIRONMENTS)
def test_each_function_sends_to_or_consumes_only_its_queues(
    default_stack: Synthesized, handler: str
) -> None:
    queues = set(default_stack.resources("AWS::SQS::Queue"))
    allowed: dict[str, set[str]] = defaultdict(set)
    for statement in _role_statements(default_stack, handler):
        sqs_actions = {action for action in _actions(statement) if action.startswith("sqs:")}
        for queue in _named_resources(statement["Resource"]) & queues:
            allowed[queue[:-8]] |= sqs_actions

    assert dict(allowed) == {
        queue: QUEUE_ACTIONS[kind] for queue, kind in QUEUE_ACCESS.get(handler, {}).items()
    }


@pytest.mark.parametrize("handler", ENVIRONMENTS)
def test_each_function_has_exactly_its_ivs_actions_on_their_own_resource(
    default_stack: Synthesized, handler: str
) -> None:
    granted: dict[str, set[str]] = defaultdict(set)
    for statement in _role_statements(default_stack, handler):
        for action in _actions(statement):
            if action.startswith("ivs:"):
                for resource in _resources(statement):
                    assert set(resource) == {"Fn::GetAtt"}, (handler, action, resource)
                    granted[action] |= {name[:-8] for name in _named_resources(resource)}

    expected = IVS_GRANTS.get(handler, {})
    assert dict(granted) == {action: {resource} for action, resource in expected.items()}


# The services any role may name at all; a grant on anything else fails here first.
ALLOWED_SERVICES = {"logs", "xray", "dynamodb", "execute-api", "sqs", "ivs", "secretsmanager"}
# Actions that have no resource-level permissions, hence "*".
STAR_ACTIONS = {"xray:PutTraceSegments", "xray:PutTelemetryRecords", "dynamodb:ListStreams"}


@pytest.mark.parametrize("handler", ENVIRONMENTS)
def test_no_function_is_granted_another_service_or_a_wildcard_resource(
    default_stack: Synthesized, handler: str
) -> None:
    for statement in _role_statements(default_stack, handler):
        assert statement["Effect"] == "Allow"
        assert {action.split(":")[0] for action in _actions(statement)} <= ALLOWED_SERVICES
        if "*" in _resources(statement):
            assert _actions(statement) <= STAR_ACTIONS, handler


def test_only_the_cart_api_may_read_the_storefront_secret(default_stack: Synthesized) -> None:
    secret = default_stack.logical_id("AWS::SecretsManager::Secret", "CartStorefrontSecret")
    readers: dict[str, set[str]] = defaultdict(set)
    for handler in ENVIRONMENTS:
        for statement in _role_statements(default_stack, handler):
            if any(action.startswith("secretsmanager:") for action in _actions(statement)):
                assert _resources(statement) == [{"Ref": secret}], handler
                readers[handler] |= _actions(statement)

    assert dict(readers) == {
        "functions.cart.app.app": {"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"}
    }


def test_only_the_fanout_may_list_streams(default_stack: Synthesized) -> None:
    listing = {
        handler
        for handler in ENVIRONMENTS
        for statement in _role_statements(default_stack, handler)
        if "dynamodb:ListStreams" in _actions(statement)
    }

    assert listing == {f"{CHAT}.fanout.handler"}


def _defines(module: Path, name: str) -> bool:
    tree = ast.parse(module.read_text())
    return any(
        (isinstance(node, ast.FunctionDef) and node.name == name)
        or (
            isinstance(node, ast.Assign)
            and any(isinstance(target, ast.Name) and target.id == name for target in node.targets)
        )
        for node in tree.body
    )


@pytest.mark.parametrize("handler", ENVIRONMENTS)
def test_every_handler_path_names_a_module_and_its_handler(handler: str) -> None:
    """A misspelt handler deploys without a complaint and fails on every invocation."""
    module, _, name = handler.rpartition(".")
    source = REPO_ROOT / f"{module.replace('.', '/')}.py"

    assert source.is_file(), f"{handler}: no {source.relative_to(REPO_ROOT)}"
    assert _defines(source, name), f"{handler}: {source.name} defines no {name}"


# Bundled assets: what `cdk deploy` uploads. Bundling runs uv (PyPI wheels, cached by uv) and
# compiles the bytecode: seconds, so once for this module.


@pytest.fixture(scope="module")
def bundled_stack(tmp_path_factory: pytest.TempPathFactory, site_dir: Path) -> Synthesized:
    """The default app synthesized as `cdk synth` does it: every asset bundled."""
    from aws_cdk.assertions import Template

    from infra.app import build_app
    from infra.synth import cdk_json_context

    outdir = tmp_path_factory.mktemp("cdk.out.bundled")
    assembly = build_app(outdir=str(outdir), context=cdk_json_context(), site_dir=site_dir).synth()
    template_path = Path(assembly.get_stack_by_name("VitrineStack").template_full_path)
    body = json.loads(template_path.read_text())
    return Synthesized(outdir, template_path, body, Template.from_json(body))


def _asset_hashes(synthesized: Synthesized) -> tuple[str, str]:
    """The code asset's and the layer's hashes (their S3 keys without ".zip")."""
    (code,) = {
        function["Properties"]["Code"]["S3Key"]
        for function in _vitrine_functions(synthesized).values()
    }
    layer = synthesized.resource("AWS::Lambda::LayerVersion", "FunctionsDependencies")
    return code.removesuffix(".zip"), layer["Properties"]["Content"]["S3Key"].removesuffix(".zip")


def _bundled_dirs(synthesized: Synthesized) -> tuple[Path, Path]:
    """The bundled code directory and the layer's python/ directory."""
    code, layer = _asset_hashes(synthesized)
    return synthesized.outdir / f"asset.{code}", synthesized.outdir / f"asset.{layer}" / "python"


def _pyc_flags(source: Path) -> int | None:
    """The flags of the .cpython-313.pyc beside `source` (None if there is none).

    PEP 552: after the magic number, a little-endian word; 0b01 is hash-based unchecked."""
    cached = source.parent / "__pycache__" / f"{source.stem}.cpython-313.pyc"
    if not cached.exists():
        return None
    header = cached.read_bytes()[:8]
    assert header[:4] == importlib.util.MAGIC_NUMBER, cached
    return int.from_bytes(header[4:8], "little")


UNCHECKED_HASH = 0b01


def test_the_code_asset_is_the_functions_package_and_its_bytecode(
    bundled_stack: Synthesized,
) -> None:
    code, _ = _bundled_dirs(bundled_stack)
    sources = {str(path.relative_to(code)) for path in code.rglob("*.py")}
    others = {
        str(path.relative_to(code))
        for path in code.rglob("*")
        if path.is_file() and path.suffix not in {".py", ".pyc"}
    }

    assert sources == {
        str(path.relative_to(REPO_ROOT)) for path in REPO_ROOT.glob("functions/**/*.py")
    }
    assert not others
    assert {name: _pyc_flags(code / name) for name in sources} == dict.fromkeys(
        sources, UNCHECKED_HASH
    )


def test_the_layer_ships_unchecked_hash_bytecode_for_every_module(
    bundled_stack: Synthesized,
) -> None:
    _, layer = _bundled_dirs(bundled_stack)
    sources = list(layer.rglob("*.py"))
    flags = {str(path.relative_to(layer)): _pyc_flags(path) for path in sources}

    assert any(path.is_relative_to(layer / "pydantic") for path in sources)
    assert {name for name, flag in flags.items() if flag != UNCHECKED_HASH} == set()


def test_bundling_keeps_the_source_hashes_the_local_runtime_synth_names(
    default_stack: Synthesized, bundled_stack: Synthesized
) -> None:
    assert _asset_hashes(bundled_stack) == _asset_hashes(default_stack)


@pytest.fixture(scope="module")
def host_layer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The layer built for this machine: the deployed one's extensions are aarch64 only."""
    out = tmp_path_factory.mktemp("layer")
    UvLayerBundling(REPO_ROOT, wheel_platform=f"{platform.machine()}-manylinux2014").try_bundle(
        str(out),
        None,  # type: ignore[arg-type]
    )
    return out / "python"


def test_a_read_only_import_as_lambda_does_it_loads_only_shipped_bytecode(
    bundled_stack: Synthesized, host_layer: Path, tmp_path: Path
) -> None:
    code, _ = _bundled_dirs(bundled_stack)
    task, opt = tmp_path / "var" / "task", tmp_path / "opt" / "python"
    shutil.copytree(code, task)
    shutil.copytree(host_layer, opt)
    before = sorted(tmp_path.rglob("*"))
    for path in before:
        path.chmod(path.stat().st_mode & ~0o222)  # root ignores it: hence also -B
    # -v logs "code object from <file>" for every module: its pyc, or the source it compiled.
    # -I -S: the venv's site-packages and the environment stay out, as on Lambda.
    statement = f"import sys; sys.path[:0] = [{str(task)!r}, {str(opt)!r}]; "
    statement += "import functions.chat.handlers.connect, functions.cart.app"
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-B", "-v", "-c", statement],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    loaded = [
        line.removeprefix("# code object from ").strip("'")
        for line in result.stderr.splitlines()
        if line.startswith("# code object from ") and str(tmp_path) in line
    ]

    assert any(name.startswith(str(task)) for name in loaded)
    assert any(name.startswith(str(opt / "pydantic")) for name in loaded)
    assert [name for name in loaded if not name.endswith(".cpython-313.pyc")] == []
    assert sorted(tmp_path.rglob("*")) == before  # nothing written


def test_bytecode_lands_beside_its_source_even_with_a_pycache_prefix_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "module.py").write_text("VALUE = 1\n")
    monkeypatch.setenv("PYTHONPYCACHEPREFIX", str(tmp_path / "elsewhere"))

    compile_bytecode(tmp_path / "pkg", "/var/task/pkg")

    assert _pyc_flags(tmp_path / "pkg" / "module.py") == UNCHECKED_HASH
    assert not (tmp_path / "elsewhere").exists()


def test_bytecode_is_refused_from_another_python_than_the_runtime(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("platform.python_version_tuple", lambda: ("3", "12", "7"))

    with pytest.raises(BundlingError, match=r"Python 3\.13"):
        compile_bytecode(tmp_path, "/var/task")


def test_layer_bundling_fails_loudly_instead_of_falling_back_to_docker(tmp_path: Path) -> None:
    bundling = UvLayerBundling(tmp_path)  # no pyproject.toml, no uv.lock: uv export fails

    with pytest.raises(BundlingError, match="uv export"):
        bundling.try_bundle(str(tmp_path / "out"), None)  # type: ignore[arg-type]


_REQUIRED_SETTING = re.compile(r"""\.require\(["']([a-z_]+)["']\)""")


@pytest.mark.parametrize("handler", [h for h in ENVIRONMENTS if h.endswith(".handler")])
def test_every_setting_a_handler_requires_is_in_its_environment(
    default_stack: Synthesized, handler: str
) -> None:
    """`settings.require("x")` in a handler's module fails at run time when its construct
    forgot the variable: caught here, at synth, instead of on the first large show."""
    module = importlib.import_module(handler.rpartition(".")[0])
    required = set(_REQUIRED_SETTING.findall(Path(inspect.getfile(module)).read_text()))
    given = set(default_stack.function(handler)["Properties"]["Environment"]["Variables"])
    assert {Env[name.upper()].value for name in required} <= given
