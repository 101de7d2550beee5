"""Promo codes in the catalog table (PynamoDB). Uses are counted in the checkout transaction."""

from decimal import Decimal

from pynamodb.exceptions import PutError

from functions.cart.dal.models import PromoModel
from functions.cart.logic.money import to_cents
from functions.cart.logic.promos import Promo, PromoDraft, PromoScope, PromoView
from functions.common.events import PromoKind


class PromoExists(Exception):
    pass


class NoSuchPromo(Exception):
    pass


def _promo(item: PromoModel) -> Promo:
    return Promo(
        code=item.code,
        kind=PromoKind(item.kind),
        value=int(item.value),
        currency=item.currency,
        scope=PromoScope(item.scope),
        show_id=item.show_id,
        starts_at=item.starts_at,
        ends_at=item.ends_at,
        usage_limit=int(item.usage_limit) if item.usage_limit is not None else None,
        used=int(item.used),
        label=item.label,
    )


def view(promo: Promo) -> PromoView:
    return PromoView(
        code=promo.code,
        kind=promo.kind,
        value=promo.value,
        currency=promo.currency,
        scope=promo.scope,
        show_id=promo.show_id,
        starts_at=promo.starts_at,
        ends_at=promo.ends_at,
        usage_limit=promo.usage_limit,
        used=promo.used,
        label=promo.label,
    )


def create(draft: PromoDraft) -> Promo:
    value = (
        draft.percent if draft.kind is PromoKind.PERCENT else to_cents(draft.amount or Decimal(0))
    )
    item = PromoModel(
        PromoModel.key(draft.code),
        "PROMO",
        code=draft.code,
        kind=draft.kind.value,
        value=value,
        currency=draft.currency,
        scope=draft.scope.value,
        show_id=draft.show_id,
        starts_at=draft.starts_at,
        ends_at=draft.ends_at,
        usage_limit=draft.usage_limit,
        used=0,
        label=draft.label,
    )
    try:
        item.save(condition=PromoModel.pk.does_not_exist())
    except PutError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            raise PromoExists(draft.code) from error
        raise
    return _promo(item)


def get(code: str) -> Promo | None:
    try:
        return _promo(PromoModel.get(PromoModel.key(code), "PROMO", consistent_read=True))
    except PromoModel.DoesNotExist:
        return None


def list_all(limit: int = 200) -> list[Promo]:
    return [_promo(item) for item in PromoModel.scan(PromoModel.sk == "PROMO", limit=limit)]
