"""Products and their variants: what staff may create, and what viewers see. Pure Python."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, SerializeAsAny, field_validator

from functions.common.events import Currency, Identifier, Money
from functions.common.stock import StockState

Sku = Annotated[Identifier, Field(max_length=64)]
# https for a brand's images; data: for images drawn inline (the local demo needs no host).
ImageUrl = Annotated[str, Field(max_length=8192, pattern=r"^(https?://|data:image/)\S+$")]
MAX_VARIANTS = 40  # the product, its variants and their sku claims: one transaction (100 items)
MAX_STOCK = 1_000_000


class VariantDraft(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    sku: Sku
    size: str = Field(default="", max_length=40)
    colour: str = Field(default="", max_length=40)
    price: Money | None = None  # None: the product's price
    stock: int = Field(default=0, ge=0, le=MAX_STOCK)
    storefront_id: str = Field(default="", max_length=64, pattern=r"^[A-Za-z0-9_.:-]*$")


class ProductDraft(BaseModel):
    """The body of `POST /products`."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    sku: Sku
    name: str = Field(min_length=1, max_length=120)
    description: str = Field(default="", max_length=2000)
    price: Money = Field(gt=0)
    currency: Currency = "EUR"
    image_url: ImageUrl | None = None
    product_url: HttpUrl | None = None
    variants: list[VariantDraft] = Field(min_length=1, max_length=MAX_VARIANTS)

    @field_validator("variants")
    @classmethod
    def _unique_skus(cls, variants: list[VariantDraft]) -> list[VariantDraft]:
        skus = [variant.sku for variant in variants]
        if len(set(skus)) != len(skus):
            raise ValueError("two variants share a sku")
        return variants


class ProductChanges(BaseModel):
    """The body of `PATCH /products/{sku}`: stock moves through its own route."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(default=None, min_length=1, max_length=120)
    description: str | None = Field(default=None, max_length=2000)
    price: Money | None = Field(default=None, gt=0)
    image_url: ImageUrl | None = None
    product_url: HttpUrl | None = None


class StockChange(BaseModel):
    """The body of `POST /products/{sku}/variants/{variant_sku}/stock`: units put on sale
    (positive) or taken off sale (negative; only units still available can be taken)."""

    model_config = ConfigDict(extra="forbid")

    add: int = Field(ge=-MAX_STOCK, le=MAX_STOCK)

    @field_validator("add")
    @classmethod
    def _not_zero(cls, add: int) -> int:
        if add == 0:
            raise ValueError("must not be 0")
        return add


class VariantView(BaseModel):
    sku: str
    size: str
    colour: str
    price: str  # decimal string in major units, e.g. "49.90"
    available: int
    stock_state: StockState
    badge: str  # "Only 3 left", "Sold out"
    storefront_id: str


class VariantStock(VariantView):
    """A variant as staff see it: every counter."""

    stock: int
    reserved: int
    sold: int


class ProductView(BaseModel):
    sku: str
    name: str
    description: str
    price: str  # decimal string in major units, e.g. "49.90"
    currency: str
    in_stock: bool
    image_url: str
    product_url: str
    # SerializeAsAny: staff views hold VariantStock (every counter), which a plain
    # list[VariantView] would serialize as its base and drop.
    variants: list[SerializeAsAny[VariantView]]


class ProductList(BaseModel):
    products: list[ProductView]
