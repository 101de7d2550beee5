"""Shows: the viewer's list and detail; staff create, edit, cancel, set the rundown."""

from collections.abc import Mapping
from typing import Any

from chalice.app import Response

from functions.cart.dal import catalog
from functions.cart.handlers.api import (
    Operation,
    Resource,
    answer,
    body_of,
    current_request,
)
from functions.cart.logic import errors
from functions.cart.logic.shows import RundownChange, ShowChanges, ShowDraft, ShowList, ShowView
from functions.common.events import StaffRole
from functions.common.models import ShowStatus

shows = Resource("shows")
HOSTS = (StaffRole.HOST,)
LIST_CACHE_SECONDS = 5  # CloudFront and browsers absorb a crowd opening the page at once

LISTED = {
    "live": (ShowStatus.LIVE,),
    "upcoming": (ShowStatus.SCHEDULED,),
    "replays": (ShowStatus.REPLAY_PUBLISHED,),
}


@shows.operation(
    Operation(
        "/shows",
        "GET",
        "Shows by status: `status` is live, upcoming, replays or any show status",
        "shows",
        answer=ShowList,
        query=("status",),
    )
)
def list_shows() -> Response:
    params: Mapping[str, str] = current_request(shows).query_params or {}
    wanted = params.get("status", "upcoming")
    try:
        statuses = LISTED.get(wanted) or (ShowStatus(wanted),)
    except ValueError as error:
        choices = [*LISTED, *(s.value for s in ShowStatus)]
        raise errors.bad_request(f"status must be one of {choices}") from error
    found = [show for status in statuses for show in catalog.list_shows(status)]
    return answer(ShowList(shows=found), cache_seconds=LIST_CACHE_SECONDS)


def _found(show: ShowView | None, show_id: str) -> ShowView:
    if show is None:
        raise errors.not_found(f"no show {show_id}")
    return show


@shows.operation(
    Operation(
        "/shows/{show_id}",
        "GET",
        "A show with its products and their live stock",
        "shows",
        answer=ShowView,
        refusals=(404,),
    )
)
def get_show(show_id: str) -> Response:
    return answer(_found(catalog.get_show(show_id), show_id))


@shows.operation(
    Operation(
        "/shows",
        "POST",
        "Create a show",
        "shows",
        staff=HOSTS,
        body=ShowDraft,
        answer=ShowView,
        status=201,
        refusals=(409,),
    )
)
def create_show() -> Response:
    draft = body_of(current_request(shows), ShowDraft)
    try:
        return answer(catalog.create_show(draft), 201)
    except catalog.AlreadyExists as error:
        raise errors.conflict("show_exists", f"show {draft.show_id} already exists") from error


def _changed(show_id: str, change: Any) -> Response:
    try:
        return answer(change())
    except catalog.NotFound as error:
        raise errors.not_found(f"no show {show_id}") from error
    except catalog.NotChangeable as error:
        raise errors.conflict(
            "show_not_scheduled", f"show {show_id} has started: its schedule cannot change"
        ) from error


@shows.operation(
    Operation(
        "/shows/{show_id}",
        "PATCH",
        "Change a scheduled show",
        "shows",
        staff=HOSTS,
        body=ShowChanges,
        answer=ShowView,
        refusals=(404, 409),
    )
)
def update_show(show_id: str) -> Response:
    changes = body_of(current_request(shows), ShowChanges)
    return _changed(show_id, lambda: catalog.update_show(show_id, changes))


@shows.operation(
    Operation(
        "/shows/{show_id}/cancel",
        "POST",
        "Cancel a scheduled show",
        "shows",
        staff=HOSTS,
        answer=ShowView,
        refusals=(404, 409),
    )
)
def cancel_show(show_id: str) -> Response:
    return _changed(show_id, lambda: catalog.cancel_show(show_id))


@shows.operation(
    Operation(
        "/shows/{show_id}/products",
        "PUT",
        "Set the show's products, in rundown order",
        "shows",
        staff=HOSTS,
        body=RundownChange,
        answer=ShowView,
        refusals=(404,),
    )
)
def set_rundown(show_id: str) -> Response:
    change = body_of(current_request(shows), RundownChange)
    unknown = set(change.product_skus) - {
        p.product.sku for p in catalog.products(change.product_skus)
    }
    if unknown:
        raise errors.bad_request(f"no such products: {', '.join(sorted(unknown))}")
    return _changed(show_id, lambda: catalog.set_rundown(show_id, change.product_skus))
