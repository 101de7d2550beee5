"""Add-to-calendar links with their attribution in the query (a regression the contract test
found: a malformed `viewer_id` failed the link with a 500 instead of a 400)."""

import json

import pytest

from functions.cart.app import app
from functions.common.models import EventModel
from tests.integration.cart.conftest import REST_API
from tests.integration.conftest import rest_event

pytestmark = pytest.mark.integration

LINKS = [
    ("/shows/{show_id}/calendar.ics", 200),
    ("/shows/{show_id}/calendar/google", 302),
]


def calendar_added(show_id: str) -> int:
    return sum(1 for item in EventModel.query(show_id) if item.type == "calendar.added")


@pytest.mark.parametrize(("resource", "status"), LINKS)
def test_a_malformed_viewer_id_is_a_400_naming_it_and_counts_nothing(
    new_listing, as_function, lambda_context, resource, status
):
    show_id = new_listing(ONE=1).show_id
    path = resource.replace("{show_id}", show_id)

    def get(query: dict[str, str]) -> dict:
        event = rest_event("GET", resource, path, query=query or None)
        # Chalice reads the query from the multi-value form, as API Gateway sends both.
        event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()} or None
        with as_function(REST_API):
            return app(event, lambda_context)

    answer = get({"viewer_id": 'v 1"<', "source": "newsletter"})
    assert answer["statusCode"] == 400
    body = json.loads(answer["body"])
    assert body["code"] == "invalid_request"
    assert [error["field"] for error in body["errors"]] == ["viewer_id"]
    assert calendar_added(show_id) == 0

    assert get({"viewer_id": "v-8d1e0c2b", "source": "newsletter"})["statusCode"] == status
    assert get({})["statusCode"] == status  # the attribution is optional
    assert calendar_added(show_id) == 2
