"""The catalog table (PynamoDB): shows, products with their variants, and the stock counters.

A product and its variants share one partition (`PRODUCT#<sku>`), so one Query reads a product
whole. Stock only moves through dal/stock.py's transactions, except `put_on_sale`, which staff
use to add units (or take available ones off sale): one conditional update of the counters."""

from collections.abc import Iterable
from datetime import UTC, datetime

from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
from pynamodb.expressions.update import Action

from functions.cart.dal.models import PromoModel, VariantSkuModel
from functions.cart.dal.transaction import Refused, Transaction
from functions.cart.logic.calendar import next_occurrences
from functions.cart.logic.money import price_text, to_cents
from functions.cart.logic.products import (
    MAX_VARIANTS,
    ProductChanges,
    ProductDraft,
    ProductView,
    VariantDraft,
    VariantStock,
    VariantView,
)
from functions.cart.logic.shows import PromoBanner, ShowChanges, ShowDraft, ShowView, utc_text
from functions.common.events import PromoPushed
from functions.common.models import (
    EventModel,
    ProductModel,
    ShowModel,
    ShowStatus,
    VariantModel,
    partition,
)
from functions.common.settings import Settings
from functions.common.stock import badge, stock_state

UPCOMING_OCCURRENCES = 5


class AlreadyExists(Exception):
    pass


class NotFound(Exception):
    pass


class NotChangeable(Exception):
    """The show has gone live (or ended): its schedule is history now."""


class NotEnoughAvailable(Exception):
    def __init__(self, available: int) -> None:
        super().__init__(f"{available} available")
        self.available = available


def _conditional_failure(error: PutError | UpdateError | TransactWriteError) -> bool:
    return error.cause_response_code in {
        "ConditionalCheckFailedException",
        "TransactionCanceledException",
    }


# -- products ----------------------------------------------------------------------------------


def _variant_view(variant: VariantModel, product: ProductModel) -> VariantStock:
    available = int(variant.available)
    cents = int(variant.price_cents if variant.price_cents is not None else product.price_cents)
    return VariantStock(
        sku=variant.sku,
        size=variant.size,
        colour=variant.colour,
        price=price_text(cents),
        available=available,
        stock_state=stock_state(available),
        badge=badge(available),
        storefront_id=variant.storefront_id or variant.sku,
        stock=int(variant.stock),
        reserved=int(variant.reserved),
        sold=int(variant.sold),
    )


class StoredProduct:
    """A product item and its variant items, as one Query returns them."""

    def __init__(self, product: ProductModel, variants: list[VariantModel]) -> None:
        self.product = product
        self.variants = sorted(variants, key=lambda v: (int(v.position), v.sku))

    def variant(self, sku: str) -> VariantModel | None:
        return next((v for v in self.variants if v.sku == sku), None)

    def unit_price_cents(self, variant: VariantModel) -> int:
        price = variant.price_cents if variant.price_cents is not None else self.product.price_cents
        return int(price)

    def view(self, *, staff: bool = False) -> ProductView:
        product = self.product
        variants = [_variant_view(v, product) for v in self.variants]
        shown: list[VariantView] = (
            list(variants)
            if staff
            else [
                VariantView.model_validate(v.model_dump(include=set(VariantView.model_fields)))
                for v in variants
            ]
        )
        return ProductView(
            sku=product.sku,
            name=product.name,
            description=product.description,
            price=price_text(int(product.price_cents)),
            currency=product.currency,
            in_stock=any(v.available > 0 for v in variants),
            image_url=product.image_url,
            product_url=product.product_url,
            variants=shown,
        )


def stored_product(sku: str, *, consistent: bool = False) -> StoredProduct | None:
    """The product and its variants, in one Query of its partition."""
    product: ProductModel | None = None
    variants: list[VariantModel] = []
    for raw in partition(ProductModel, ProductModel.key(sku), consistent=consistent):
        if raw["sk"]["S"] == "PRODUCT":
            product = ProductModel.from_raw_data(raw)
        else:
            variants.append(VariantModel.from_raw_data(raw))
    return StoredProduct(product, variants) if product else None


def products(skus: Iterable[str]) -> list[StoredProduct]:
    """The products of `skus`, in that order; unknown skus are skipped."""
    found = (stored_product(sku) for sku in skus)
    return [product for product in found if product is not None]


def list_products(limit: int = 200) -> list[StoredProduct]:
    items = ProductModel.scan(ProductModel.sk == "PRODUCT", limit=limit)
    return products(item.sku for item in items)


def create_product(draft: ProductDraft) -> StoredProduct:
    """The product and its variants in one transaction: all of them, or none."""
    now = datetime.now(UTC)
    product = ProductModel(
        ProductModel.key(draft.sku),
        "PRODUCT",
        sku=draft.sku,
        name=draft.name,
        description=draft.description,
        price_cents=to_cents(draft.price),
        currency=draft.currency,
        image_url=str(draft.image_url or ""),
        product_url=str(draft.product_url or ""),
        updated_at=now,
    )
    variants = [
        _variant_item(draft.sku, variant, position)
        for position, variant in enumerate(draft.variants)
    ]
    transaction = Transaction()
    transaction.put("product", product, condition=ProductModel.pk.does_not_exist())
    for variant in variants:
        _add_variant_to(transaction, variant)
    try:
        transaction.commit_retrying()
    except Refused as refused:
        if "product" in refused.failed:
            raise AlreadyExists(draft.sku) from refused
        _raise_taken(refused)
        raise
    return StoredProduct(product, variants)


class SkuTaken(Exception):
    """Another product already has a variant of these skus."""

    def __init__(self, skus: list[str]) -> None:
        super().__init__(", ".join(skus))
        self.skus = skus


def _add_variant_to(transaction: Transaction, variant: VariantModel) -> None:
    """The variant and its sku's claim: a sku another product has refuses the transaction."""
    transaction.put(f"variant:{variant.sku}", variant, condition=VariantModel.pk.does_not_exist())
    claim = VariantSkuModel(
        VariantSkuModel.key(variant.sku), "SKU", product_sku=variant.product_sku
    )
    transaction.put(f"sku:{variant.sku}", claim, condition=VariantSkuModel.pk.does_not_exist())


def _raise_taken(refused: Refused) -> None:
    taken = sorted(
        label.removeprefix("sku:") for label in refused.failed if label.startswith("sku:")
    )
    if taken:
        raise SkuTaken(taken) from refused


def _variant_item(product_sku: str, variant: VariantDraft, position: int) -> VariantModel:
    """A new variant: its `stock` units all available, none reserved or sold yet."""
    return VariantModel(
        ProductModel.key(product_sku),
        VariantModel.sort_key(variant.sku),
        product_sku=product_sku,
        sku=variant.sku,
        size=variant.size,
        colour=variant.colour,
        price_cents=to_cents(variant.price) if variant.price is not None else None,
        storefront_id=variant.storefront_id,
        position=position,
        stock=variant.stock,
        available=variant.stock,
        reserved=0,
        sold=0,
    )


class TooManyVariants(Exception):
    """The product already has MAX_VARIANTS variants."""


def add_variant(product_sku: str, draft: VariantDraft) -> StoredProduct:
    """A new size or colour of an existing product, after the others (NotFound without the
    product, AlreadyExists when it has a variant of that sku)."""
    found = stored_product(product_sku, consistent=True)
    if found is None:
        raise NotFound(product_sku)
    if found.variant(draft.sku) is not None:
        raise AlreadyExists(draft.sku)
    if len(found.variants) >= MAX_VARIANTS:
        raise TooManyVariants(product_sku)
    position = max((int(v.position) for v in found.variants), default=-1) + 1
    variant = _variant_item(product_sku, draft, position)
    transaction = Transaction()
    transaction.check(
        "product", ProductModel, ProductModel.key(product_sku), "PRODUCT",
        condition=ProductModel.pk.exists(),
    )  # fmt: skip
    _add_variant_to(transaction, variant)
    try:
        transaction.commit_retrying()
    except Refused as refused:
        if "product" in refused.failed:
            raise NotFound(product_sku) from refused
        _raise_taken(refused)
        if refused.failed:
            raise AlreadyExists(draft.sku) from refused  # added by someone else meanwhile
        raise
    return StoredProduct(found.product, [*found.variants, variant])


def update_product(sku: str, changes: ProductChanges) -> StoredProduct:
    actions: list[Action] = [ProductModel.updated_at.set(datetime.now(UTC))]
    if changes.name is not None:
        actions.append(ProductModel.name.set(changes.name))
    if changes.description is not None:
        actions.append(ProductModel.description.set(changes.description))
    if changes.price is not None:
        actions.append(ProductModel.price_cents.set(to_cents(changes.price)))
    if changes.image_url is not None:
        actions.append(ProductModel.image_url.set(str(changes.image_url)))
    if changes.product_url is not None:
        actions.append(ProductModel.product_url.set(str(changes.product_url)))
    try:
        ProductModel(ProductModel.key(sku), "PRODUCT").update(
            actions=actions, condition=ProductModel.pk.exists()
        )
    except UpdateError as error:
        if _conditional_failure(error):
            raise NotFound(sku) from error
        raise
    found = stored_product(sku, consistent=True)
    if found is None:
        raise NotFound(sku)
    return found


def put_on_sale(product_sku: str, sku: str, add: int) -> None:
    """Adds `add` units to the variant's stock (negative: takes available units off sale)."""
    variant = VariantModel(ProductModel.key(product_sku), VariantModel.sort_key(sku))
    condition = VariantModel.pk.exists()
    if add < 0:
        condition &= VariantModel.available >= -add
    try:
        variant.update(
            actions=[VariantModel.stock.add(add), VariantModel.available.add(add)],
            condition=condition,
        )
    except UpdateError as error:
        if not _conditional_failure(error):
            raise
        found = stored_product(product_sku, consistent=True)
        current = found.variant(sku) if found else None
        if current is None:
            raise NotFound(f"{product_sku}/{sku}") from error
        raise NotEnoughAvailable(int(current.available)) from error


# -- shows -------------------------------------------------------------------------------------


def show_item(show_id: str) -> ShowModel | None:
    try:
        return ShowModel.get(ShowModel.key(show_id), "SHOW")
    except ShowModel.DoesNotExist:
        return None


def show_view(
    show: ShowModel, *, with_products: bool = True, now: datetime | None = None
) -> ShowView:
    now = now or datetime.now(UTC)
    starts_at = datetime.fromisoformat(show.starts_at)
    promo = None
    if show.promo_code and show.promo_expires_at and show.promo_expires_at > now:
        label = show.promo_label or show.promo_code
        promo = PromoBanner(code=show.promo_code, label=label, expires_at=show.promo_expires_at)
    upcoming = show.status == ShowStatus.SCHEDULED
    zone = Settings.from_env().time_zone
    return ShowView(
        show_id=show.show_id,
        title=show.title,
        description=show.description,
        host_name=show.host_name,
        status=show.status,
        starts_at=starts_at,
        duration_minutes=int(show.duration_minutes),
        recurrence_rule=show.recurrence_rule,
        time_zone=zone,
        cover_image_url=show.cover_image_url,
        next_occurrences=next_occurrences(
            starts_at,
            show.recurrence_rule,
            after=now,
            count=UPCOMING_OCCURRENCES,
            zone=zone,
        )
        if upcoming
        else [],
        promo=promo,
        products=[p.view() for p in products(show.product_skus)] if with_products else [],
    )


def get_show(show_id: str) -> ShowView | None:
    show = show_item(show_id)
    return show_view(show) if show else None


def list_shows(status: ShowStatus, limit: int = 50) -> list[ShowView]:
    shows = ShowModel.by_status.query(status.value, limit=limit)
    return [show_view(show, with_products=False) for show in shows]


def create_show(draft: ShowDraft) -> ShowView:
    show = ShowModel(
        ShowModel.key(draft.show_id),
        "SHOW",
        show_id=draft.show_id,
        title=draft.title,
        description=draft.description,
        host_name=draft.host_name,
        starts_at=draft.starts_at_utc,
        duration_minutes=draft.duration_minutes,
        recurrence_rule=draft.recurrence_rule,
        cover_image_url=str(draft.cover_image_url or ""),
        product_skus=draft.product_skus,
    )
    try:
        show.save(condition=ShowModel.pk.does_not_exist())
    except PutError as error:
        if _conditional_failure(error):
            raise AlreadyExists(draft.show_id) from error
        raise
    return show_view(show)


def _update_show(show_id: str, actions: list[Action], *, only_scheduled: bool) -> ShowView:
    condition = ShowModel.pk.exists()
    if only_scheduled:
        condition &= ShowModel.status == ShowStatus.SCHEDULED
    try:
        ShowModel(ShowModel.key(show_id), "SHOW").update(
            actions=[*actions, ShowModel.updated_at.set(datetime.now(UTC))], condition=condition
        )
    except UpdateError as error:
        if not _conditional_failure(error):
            raise
        if show_item(show_id) is None:
            raise NotFound(show_id) from error
        raise NotChangeable(show_id) from error
    show = show_item(show_id)
    if show is None:
        raise NotFound(show_id)
    return show_view(show)


def update_show(show_id: str, changes: ShowChanges) -> ShowView:
    actions: list[Action] = []
    for name in ("title", "description", "host_name", "duration_minutes", "recurrence_rule"):
        value = getattr(changes, name)
        if value is not None:
            actions.append(getattr(ShowModel, name).set(value))
    if changes.starts_at is not None:
        actions.append(ShowModel.starts_at.set(utc_text(changes.starts_at)))
    if changes.cover_image_url is not None:
        actions.append(ShowModel.cover_image_url.set(str(changes.cover_image_url)))
    if changes.clear_recurrence:
        actions.append(ShowModel.recurrence_rule.remove())
    return _update_show(show_id, actions, only_scheduled=True)


def cancel_show(show_id: str) -> ShowView:
    return _update_show(show_id, [ShowModel.status.set(ShowStatus.CANCELLED)], only_scheduled=True)


def set_rundown(show_id: str, product_skus: list[str]) -> ShowView:
    """The show's products in presentation order (a live show's rundown can change too)."""
    return _update_show(show_id, [ShowModel.product_skus.set(product_skus)], only_scheduled=False)


class PushRefused(Exception):
    """Nothing was pushed: `reason` is "no_show", "no_promo", "exhausted" or "ends_sooner"
    (the code's window now closes before the banner would)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def push_promo(pushed: PromoPushed) -> None:
    """One transaction: the code stops applying when the banner ends (for everyone), the show
    keeps the banner for viewers who join later, and the event takes it to the room now."""
    transaction = Transaction()
    promo = PromoModel(PromoModel.key(pushed.code), "PROMO")
    still_usable = PromoModel.usage_limit.does_not_exist() | (
        PromoModel.used < PromoModel.usage_limit
    )
    # Only ever brought forward: a window the brand closed meanwhile stays closed.
    not_sooner = PromoModel.ends_at.does_not_exist() | (PromoModel.ends_at >= pushed.expires_at)
    transaction.update(
        "promo",
        promo,
        actions=[PromoModel.ends_at.set(pushed.expires_at)],
        condition=PromoModel.pk.exists() & still_usable & not_sooner,
    )
    transaction.update(
        "show",
        ShowModel(ShowModel.key(pushed.show_id), "SHOW"),
        actions=[
            ShowModel.promo_code.set(pushed.code),
            ShowModel.promo_label.set(pushed.label),
            ShowModel.promo_expires_at.set(pushed.expires_at),
        ],
        condition=ShowModel.pk.exists(),
    )
    transaction.put("event", EventModel.from_event(pushed))
    try:
        transaction.commit_retrying()
    except Refused as refused:
        if "show" in refused.failed:
            raise PushRefused("no_show") from refused
        if "promo" in refused.failed:
            raise PushRefused(_why_push_refused(pushed)) from refused
        raise


def _why_push_refused(pushed: PromoPushed) -> str:
    try:
        promo = PromoModel.get(PromoModel.key(pushed.code), "PROMO", consistent_read=True)
    except PromoModel.DoesNotExist:
        return "no_promo"
    if promo.ends_at is not None and promo.ends_at < pushed.expires_at:
        return "ends_sooner"
    return "exhausted"
