"""First-start data for `make dev`: a demo show with products, and one staff member per role.

Seeding is idempotent: a restart keeps what the brand changed and adds only what is missing."""

import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from pynamodb.exceptions import PutError
from pynamodb.models import Model

from functions.cart.dal import catalog
from functions.cart.logic.shows import ShowDraft
from functions.common.models import ProductModel

DEMO_SHOW_ID = "demo-show"
# Local-only credentials, printed by `make dev`; Cognito's default policy accepts them.
STAFF_PASSWORD = "Vitrine-local-2026!"
STAFF = (("admin", "admin"), ("hana", "host"), ("max", "moderator"))


@dataclass(frozen=True)
class DemoProduct:
    sku: str
    name: str
    description: str
    price_cents: int
    stock: int
    colour: str

    @property
    def image_url(self) -> str:
        # Drawn inline: the local runtime needs no image host and no network.
        svg = (
            "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 120 120'>"
            f"<rect width='120' height='120' rx='16' fill='{self.colour}'/>"
            "<text x='60' y='74' font-size='44' text-anchor='middle' fill='white' "
            f"font-family='sans-serif'>{self.name[0]}</text></svg>"
        )
        return "data:image/svg+xml," + quote(svg)


DEMO_PRODUCTS = (
    DemoProduct(
        "SNEAKER-01", "Cloud Runner sneakers", "Light knit running shoes", 8990, 40, "#2563eb"
    ),
    DemoProduct(
        "JACKET-02",
        "Harbour rain jacket",
        "Waterproof, packs into its pocket",
        12900,
        15,
        "#059669",
    ),
    DemoProduct("BAG-03", "Market tote bag", "Organic cotton, 20 litres", 2990, 120, "#d97706"),
)


def _create(item: Model) -> bool:
    """Save `item` unless its key exists; True when it was created."""
    try:
        item.save(condition=type(item).pk.does_not_exist())  # type: ignore[attr-defined]
    except PutError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def seed_catalog(now: datetime | None = None) -> bool:
    """Create the demo show and its products unless they exist; True when something was added."""
    now = now or datetime.now(UTC)
    added = False
    for product in DEMO_PRODUCTS:
        item = ProductModel(
            ProductModel.key(product.sku),
            "PRODUCT",
            sku=product.sku,
            name=product.name,
            description=product.description,
            price_cents=product.price_cents,
            currency="EUR",
            stock=product.stock,
            image_url=product.image_url,
        )
        added = _create(item) or added
    # The demo show goes through the same validated path as a host's `POST /shows`.
    draft = ShowDraft(
        show_id=DEMO_SHOW_ID,
        title="Spring drop: live from the studio",
        description="Our new season, tried on live. Ask anything in the chat.",
        host_name="Hana",
        starts_at=now + timedelta(minutes=5),
        duration_minutes=40,
        recurrence_rule="FREQ=WEEKLY;BYDAY=TH",
        product_skus=[product.sku for product in DEMO_PRODUCTS],
    )
    try:
        catalog.create_show(draft)
    except catalog.ShowAlreadyExists:
        return added
    return True


def seed_staff(cognito: Any, user_pool_id: str) -> None:
    """One confirmed user per staff group, with the local password."""
    for username, group in STAFF:
        with contextlib.suppress(cognito.exceptions.UsernameExistsException):
            cognito.admin_create_user(
                UserPoolId=user_pool_id, Username=username, MessageAction="SUPPRESS"
            )
        cognito.admin_set_user_password(
            UserPoolId=user_pool_id, Username=username, Password=STAFF_PASSWORD, Permanent=True
        )
        cognito.admin_add_user_to_group(UserPoolId=user_pool_id, Username=username, GroupName=group)
