"""First-start data for `make dev`: a demo show with products, and one staff member per role.

Seeding is idempotent: a restart keeps what the brand changed and adds only what is missing."""

import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from functions.cart.dal import catalog
from functions.cart.logic.money import to_decimal
from functions.cart.logic.products import ProductDraft, VariantDraft
from functions.cart.logic.shows import ShowDraft

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
    colour: str
    sizes: tuple[tuple[str, int], ...]  # (size, units in stock)

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
        "SNEAKER-01",
        "Cloud Runner sneakers",
        "Light knit running shoes",
        8990,
        "#2563eb",
        (("40", 10), ("41", 12), ("42", 3), ("43", 0)),
    ),
    DemoProduct(
        "JACKET-02",
        "Harbour rain jacket",
        "Waterproof, packs into its pocket",
        12900,
        "#059669",
        (("S", 5), ("M", 6), ("L", 4)),
    ),
    DemoProduct(
        "BAG-03", "Market tote bag", "Organic cotton, 20 litres", 2990, "#d97706", (("", 120),)
    ),
)


def seed_catalog(now: datetime | None = None) -> bool:
    """Create the demo show and its products unless they exist; True when something was added."""
    now = now or datetime.now(UTC)
    added = False
    # The demo goes through the same validated paths as a host's `POST /products` and `/shows`.
    for product in DEMO_PRODUCTS:
        draft_product = ProductDraft(
            sku=product.sku,
            name=product.name,
            description=product.description,
            price=to_decimal(product.price_cents),
            currency="EUR",
            image_url=product.image_url,
            variants=[
                VariantDraft(sku=f"{product.sku}-{size or 'ONE'}", size=size, stock=units)
                for size, units in product.sizes
            ],
        )
        try:
            catalog.create_product(draft_product)
            added = True
        except catalog.AlreadyExists:
            pass
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
    except catalog.AlreadyExists:
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
