import json

import pytest

from local.eventbridge.transform import (
    MISSING,
    InputTransformer,
    InvalidPath,
    RuleContext,
    TargetInput,
    render,
    select,
)

EVENT = {
    "version": "0",
    "id": "e-1",
    "detail-type": "Hold Placed",
    "source": "vitrine.cart",
    "account": "123456789012",
    "time": "2025-05-01T10:00:00Z",
    "region": "us-east-1",
    "resources": [],
    "detail": {
        "sku": "mug-1",
        "note": 'say "hi"',
        "quantity": 2,
        "lines": [{"sku": "a"}, {"sku": "b"}],
        "meta": {"show": "s-1"},
    },
}
PATHS = {
    "sku": "$.detail.sku",
    "note": "$.detail.note",
    "quantity": "$.detail.quantity",
    "meta": "$.detail.meta",
    "gone": "$.detail.nothing.here",
}


def transformed(template: str) -> str:
    return render(TargetInput(transformer=InputTransformer(template, PATHS)), EVENT)


def test_without_input_the_target_gets_the_whole_event():
    assert json.loads(render(TargetInput(), EVENT)) == EVENT


def test_input_is_sent_verbatim():
    assert render(TargetInput(constant='{"fixed": true}'), EVENT) == '{"fixed": true}'


def test_input_path_sends_the_part_it_selects():
    assert json.loads(render(TargetInput(path="$.detail.meta"), EVENT)) == {"show": "s-1"}
    assert json.loads(render(TargetInput(path="$.detail.lines[1].sku"), EVENT)) == "b"


def test_input_path_to_nothing_sends_null():
    assert render(TargetInput(path="$.detail.nothing"), EVENT) == "null"


def test_json_template_puts_values_outside_quotes_as_json():
    result = json.loads(transformed('{"sku": <sku>, "n": <quantity>, "meta": <meta>}'))
    assert result == {"sku": "mug-1", "n": 2, "meta": {"show": "s-1"}}


def test_json_template_escapes_values_inside_quotes():
    result = json.loads(transformed('{"text": "<sku> x<quantity>: <note>", "m": "<meta>"}'))
    assert result == {"text": 'mug-1 x2: say "hi"', "m": '{"show": "s-1"}'}


def test_string_template_inserts_strings_as_they_are():
    assert transformed("<sku> held: <note> (<quantity>)") == 'mug-1 held: say "hi" (2)'


def test_quoted_string_template_is_a_json_string():
    assert json.loads(transformed('"<sku> held: <note>"')) == 'mug-1 held: say "hi"'


def test_missing_path_is_null_outside_quotes_and_empty_inside():
    assert json.loads(transformed('{"a": <gone>, "b": "[<gone>]"}')) == {"a": None, "b": "[]"}
    assert transformed("x<gone>y") == "xy"


def test_predefined_variables():
    transformer = InputTransformer(
        '{"rule": "<aws.events.rule-name>", "arn": "<aws.events.rule-arn>", '
        '"event": <aws.events.event.json>, "head": <aws.events.event>}'
    )
    context = RuleContext(rule_name="holds", rule_arn="arn:aws:events:us-east-1:1:rule/holds")
    result = json.loads(render(TargetInput(transformer=transformer), EVENT, context))
    assert result["rule"] == "holds"
    assert result["arn"] == context.rule_arn
    assert result["event"] == EVENT
    assert "detail" not in result["head"]
    assert result["head"]["id"] == "e-1"


def test_unknown_placeholders_stay_as_written():
    assert transformed("<b>bold</b> <sku>") == "<b>bold</b> mug-1"


def test_target_input_reads_a_target_as_put_targets_spells_it():
    target = {
        "Id": "t",
        "Arn": "arn:aws:lambda:us-east-1:123456789012:function:f",
        "InputTransformer": {"InputPathsMap": {"sku": "$.detail.sku"}, "InputTemplate": "<sku>"},
    }
    assert render(TargetInput.of(target), EVENT) == "mug-1"
    assert TargetInput.of({"Input": "{}"}).constant == "{}"
    assert TargetInput.of({"InputPath": "$.detail"}).path == "$.detail"


def test_select_paths():
    assert select("$", EVENT) is EVENT
    assert select("$.detail-type", EVENT) == "Hold Placed"
    assert select("$['detail'].meta.show", EVENT) == "s-1"
    assert select("$.detail.lines[*].sku", EVENT) == ["a", "b"]
    assert select("$.detail.lines[5]", EVENT) is MISSING
    assert select("$.detail.sku.more", EVENT) is MISSING


def test_select_refuses_what_is_not_a_path():
    with pytest.raises(InvalidPath):
        select("detail.sku", EVENT)
    with pytest.raises(InvalidPath):
        select("$.detail..sku", EVENT)
