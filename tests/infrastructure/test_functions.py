"""infra/functions: every Vitrine function's runtime, code, layer, environment and grants."""

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from functions.common.settings import Env
from infra import REPO_ROOT
from infra.functions import LayerBundlingError, UvLayerBundling
from tests.synthesized import Synthesized

pytestmark = pytest.mark.infra

POWERTOOLS = {"POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE", "LOG_LEVEL"}

# handler -> {Env variable: the logical-id prefix of the resource it names}
ENVIRONMENTS: dict[str, dict[Env, str]] = {
    "functions.chat.handlers.authorize.handler": {
        Env.USER_POOL_ID: "IdentityStaffPool",
        Env.USER_POOL_CLIENT_ID: "IdentityStaffPoolWebConsole",
    },
    "functions.chat.handlers.connect.handler": {
        Env.CATALOG_TABLE: "DataCatalogTable",
        Env.CONNECTIONS_TABLE: "DataConnectionsTable",
        Env.EVENTS_TABLE: "DataEventsTable",
    },
    "functions.chat.handlers.disconnect.handler": {
        Env.CONNECTIONS_TABLE: "DataConnectionsTable",
        Env.EVENTS_TABLE: "DataEventsTable",
    },
    "functions.chat.handlers.default.handler": {},
    "functions.cart.app.app": {
        Env.BRAND_NAME: "",  # a value, not a resource
        Env.CATALOG_TABLE: "DataCatalogTable",
        Env.USER_POOL_ID: "IdentityStaffPool",
        Env.USER_POOL_CLIENT_ID: "IdentityStaffPoolWebConsole",
        Env.ALLOWED_ORIGINS: "",
    },
}

# handler -> the tables it may write (logical-id prefixes)
WRITES = {
    "functions.chat.handlers.authorize.handler": set(),
    "functions.chat.handlers.connect.handler": {"DataConnectionsTable", "DataEventsTable"},
    "functions.chat.handlers.disconnect.handler": {"DataConnectionsTable", "DataEventsTable"},
    "functions.chat.handlers.default.handler": set(),
    "functions.cart.app.app": {"DataCatalogTable"},
}


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
        assert 256 <= properties["MemorySize"] <= 512, handler
    default_stack.template.has_resource_properties(
        "AWS::Lambda::LayerVersion",
        {"CompatibleRuntimes": ["python3.13"], "CompatibleArchitectures": ["arm64"]},
    )


def test_a_test_synth_never_bundles_the_layer(default_stack: Synthesized) -> None:
    layer = default_stack.resource("AWS::Lambda::LayerVersion", "FunctionsDependencies")
    asset = layer["Properties"]["Content"]["S3Key"].removesuffix(".zip")
    assets = json.loads((default_stack.outdir / "VitrineStack.assets.json").read_text())

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


def test_environment_variables_name_the_right_resources(default_stack: Synthesized) -> None:
    for handler, expected in ENVIRONMENTS.items():
        variables = default_stack.function(handler)["Properties"]["Environment"]["Variables"]
        for env, prefix in expected.items():
            value = variables[env]
            if not prefix:
                assert isinstance(value, str), (handler, env)
                continue
            logical_id = value["Ref"] if "Ref" in value else value["Fn::GetAtt"][0]
            assert logical_id[:-8] == prefix, (handler, env, logical_id)  # CDK adds an 8-char hash


def test_the_cart_function_knows_the_brand_and_the_allowed_origins(
    default_stack: Synthesized, custom_stack: Synthesized
) -> None:
    default_vars = default_stack.function("functions.cart.app.app")["Properties"]["Environment"]
    custom_vars = custom_stack.function("functions.cart.app.app")["Properties"]["Environment"]

    assert default_vars["Variables"][Env.BRAND_NAME] == "Vitrine Demo"
    assert default_vars["Variables"][Env.ALLOWED_ORIGINS] == "*"
    assert custom_vars["Variables"][Env.BRAND_NAME] == "Maison Test"
    assert (
        custom_vars["Variables"][Env.ALLOWED_ORIGINS]
        == "https://shop.example.com,https://www.example.com"
    )


def test_no_endpoint_override_is_ever_deployed(default_stack: Synthesized) -> None:
    assert "AWS_ENDPOINT_URL" not in default_stack.template_path.read_text()


def _dynamodb_actions(synthesized: Synthesized, handler: str) -> dict[str, set[str]]:
    """Table (logical-id prefix) -> the DynamoDB actions the handler's role allows on it."""
    role = synthesized.function(handler)["Properties"]["Role"]["Fn::GetAtt"][0]
    allowed: dict[str, set[str]] = defaultdict(set)
    for policy in synthesized.resources("AWS::IAM::Policy").values():
        if {"Ref": role} not in policy["Properties"]["Roles"]:
            continue
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = statement["Action"]
            actions = [actions] if isinstance(actions, str) else actions
            resources = json.dumps(statement["Resource"])
            for table in synthesized.resources("AWS::DynamoDB::Table"):
                if table in resources:
                    allowed[table[:-8]] |= {a for a in actions if a.startswith("dynamodb:")}
    return allowed


@pytest.mark.parametrize("handler", WRITES)
def test_each_function_writes_only_its_tables_and_touches_no_other(
    default_stack: Synthesized, handler: str
) -> None:
    allowed = _dynamodb_actions(default_stack, handler)
    writes = {table for table, actions in allowed.items() if "dynamodb:PutItem" in actions}
    told_about = {prefix for prefix in ENVIRONMENTS[handler].values() if prefix}

    assert writes == WRITES[handler]
    assert set(allowed) <= told_about


def test_the_code_asset_is_the_functions_package_only(default_stack: Synthesized) -> None:
    (code,) = {
        function["Properties"]["Code"]["S3Key"]
        for function in _vitrine_functions(default_stack).values()
    }
    asset = default_stack.outdir / f"asset.{code.removesuffix('.zip')}"
    files = sorted(str(path.relative_to(asset)) for path in asset.rglob("*") if path.is_file())

    assert "functions/cart/app.py" in files
    assert "functions/common/settings.py" in files
    assert all(name.startswith("functions/") and name.endswith(".py") for name in files), files


def test_layer_bundling_fails_loudly_instead_of_falling_back_to_docker(tmp_path: Path) -> None:
    bundling = UvLayerBundling(tmp_path)  # no pyproject.toml, no uv.lock: uv export fails

    with pytest.raises(LayerBundlingError, match="uv export"):
        bundling.try_bundle(str(tmp_path / "out"), None)  # type: ignore[arg-type]
