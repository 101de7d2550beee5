"""FilterCriteria patterns on Lambda-shaped records (SQS bodies matched as JSON)."""

import json

from local.event_sources.filters import RecordFilter


def test_no_filters_let_everything_through():
    assert RecordFilter(()).matches({"body": "anything"})


def test_an_sqs_json_body_is_matched_as_an_object():
    only_adds = RecordFilter([json.dumps({"body": {"kind": ["add"]}})])
    assert only_adds.matches({"body": json.dumps({"kind": "add"})})
    assert not only_adds.matches({"body": json.dumps({"kind": "remove"})})
    assert not only_adds.matches({"body": "plain text"})


def test_any_of_several_filters_is_enough():
    inserts_or_removes = RecordFilter(
        [json.dumps({"eventName": ["INSERT"]}), json.dumps({"eventName": ["REMOVE"]})]
    )
    assert inserts_or_removes.matches({"eventName": "REMOVE", "dynamodb": {}})
    assert not inserts_or_removes.matches({"eventName": "MODIFY", "dynamodb": {}})


def test_stream_images_are_matched_in_dynamodb_json():
    big_carts = RecordFilter([json.dumps({"dynamodb": {"NewImage": {"n": {"N": ["3"]}}}})])
    assert big_carts.matches({"dynamodb": {"NewImage": {"n": {"N": "3"}}}})
    assert not big_carts.matches({"dynamodb": {"NewImage": {"n": {"N": "1"}}}})
