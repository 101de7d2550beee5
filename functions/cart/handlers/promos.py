"""Promo codes (staff): create, list, push to a show's room."""

import dataclasses
from datetime import UTC, datetime

from chalice.app import Response

from functions.cart.dal import catalog, promos
from functions.cart.handlers.api import Operation, Resource, answer, body_of, current_request
from functions.cart.logic import errors
from functions.cart.logic.promos import (
    PromoDraft,
    PromoList,
    PromoPush,
    PromoView,
    push_ends_at,
)
from functions.common.events import PromoPushed, StaffRole

promo_codes = Resource("promos")
HOSTS = (StaffRole.HOST,)
STAFF = (StaffRole.HOST, StaffRole.MODERATOR)


@promo_codes.operation(
    Operation("/promos", "POST", "Create a promo code", "promos",
              staff=HOSTS, body=PromoDraft, answer=PromoView, status=201, refusals=(409,))
)  # fmt: skip
def create_promo() -> Response:
    draft = body_of(current_request(promo_codes), PromoDraft)
    try:
        return answer(promos.view(promos.create(draft)), 201)
    except promos.PromoExists as error:
        raise errors.conflict("promo_exists", f"promo {draft.code} already exists") from error


@promo_codes.operation(
    Operation("/promos", "GET", "Every promo code and its uses", "promos",
              staff=STAFF, answer=PromoList)
)  # fmt: skip
def list_promos() -> Response:
    return answer(PromoList(promos=[promos.view(p) for p in promos.list_all()]))


@promo_codes.operation(
    Operation("/shows/{show_id}/promos/{code}/push", "POST",
              "Push a code to the room: a banner with a countdown, the code valid until it ends",
              "promos", staff=STAFF, body=PromoPush, answer=PromoView, refusals=(404, 409))
)  # fmt: skip
def push_promo(show_id: str, code: str) -> Response:
    push = body_of(current_request(promo_codes), PromoPush)
    show = catalog.show_item(show_id)
    if show is None:
        raise errors.not_found(f"no show {show_id}")
    promo = promos.get(code)
    if promo is None:
        raise errors.not_found(f"no promo code {code}")
    if promo.show_id not in (None, show_id):
        raise errors.conflict("promo_not_for_show", f"{code} is for another show")
    if promo.exhausted:
        raise errors.conflict("promo_exhausted", f"{code} has been used up")
    now = datetime.now(UTC).replace(microsecond=0)
    if promo.starts_at and now < promo.starts_at:
        raise errors.conflict("promo_not_started", f"{code} is not valid before {promo.starts_at}")
    if promo.ends_at and now >= promo.ends_at:
        raise errors.conflict("promo_expired", f"{code} has expired")
    expires_at = push_ends_at(promo, now, push.duration_seconds)
    pushed = PromoPushed(
        show_id=show_id,
        code=promo.code,
        kind=promo.kind,
        value=promo.value,
        currency=promo.currency,
        label=promo.banner(),
        expires_at=expires_at,
    )
    try:
        # The event log's stream takes it to every viewer's banner (the chat's fan-out).
        catalog.push_promo(pushed)
    except catalog.PushRefused as refused:
        raise _refusal(refused.reason, show_id, code) from refused
    promo = dataclasses.replace(promo, ends_at=expires_at)
    return answer(promos.view(promo))


def _refusal(reason: str, show_id: str, code: str) -> errors.ApiError:
    """A push refused inside its transaction: the show or code went away, or the code was used
    up, between the checks above and the write."""
    if reason == "no_show":
        return errors.not_found(f"no show {show_id}")
    if reason == "no_promo":
        return errors.not_found(f"no promo code {code}")
    if reason == "ends_sooner":
        return errors.conflict("promo_expired", f"{code} now ends before the banner would")
    return errors.conflict("promo_exhausted", f"{code} has been used up")
