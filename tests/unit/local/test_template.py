import json

import pytest

from local.cloudformation.template import Template, UnresolvableValue

BODY = {
    "Resources": {
        "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {}},
        "Fn": {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Handler": "functions.chat.handlers.connect.handler",
                "Environment": {
                    "Variables": {
                        "TABLE": {"Ref": "Table"},
                        "TABLE_ARN": {"Fn::GetAtt": ["Table", "Arn"]},
                        "URL": {"Fn::Join": ["", ["https://", {"Ref": "AWS::Region"}, "/x"]]},
                        "SUB": {"Fn::Sub": "${Table}@${AWS::AccountId}/${Table.Arn}"},
                    }
                },
            },
        },
        "Helper": {"Type": "AWS::Lambda::Function", "Properties": {"Handler": "index.handler"}},
        "Api": {"Type": "AWS::ApiGatewayV2::Api", "Properties": {}},
    }
}


@pytest.fixture
def template(tmp_path):
    path = tmp_path / "VitrineStack.template.json"
    path.write_text(json.dumps(BODY))
    template = Template.load(path, region="eu-west-1")
    template.provide("Table", Ref="tbl", Arn="arn:tbl")
    return template


def test_resolves_the_functions_environment(template):
    assert template.stack_name == "VitrineStack"
    assert template.function_environments() == {
        "functions.chat.handlers.connect.handler": {
            "TABLE": "tbl",
            "TABLE_ARN": "arn:tbl",
            "URL": "https://eu-west-1/x",
            "SUB": "tbl@123456789012/arn:tbl",
        }
    }


def test_a_resource_not_run_locally_is_a_clear_error(template):
    with pytest.raises(UnresolvableValue, match=r"Ref of Api \(AWS::ApiGatewayV2::Api\)"):
        template.resolve({"Ref": "Api"})
