"""The REST API: one Chalice app behind API Gateway, grown by one blueprint per resource
(handlers/). CDK mirrors its operations into API Gateway resources (infra/cart)."""

from collections.abc import Callable

from chalice.app import Chalice, Request, Response

from functions.cart.handlers.calendar import calendar
from functions.cart.handlers.carts import carts
from functions.cart.handlers.openapi import docs
from functions.cart.handlers.orders import orders
from functions.cart.handlers.products import products
from functions.cart.handlers.promos import promo_codes
from functions.cart.handlers.shows import shows
from functions.cart.handlers.studio import studio
from functions.cart.logic.cors import cors_headers
from functions.common.settings import Settings

app = Chalice(app_name="vitrine-api")
for resource in (shows, products, carts, promo_codes, orders, calendar, studio, docs):
    app.register_blueprint(resource.blueprint)


@app.middleware("http")
def allowed_origins(request: Request, get_response: Callable[[Request], Response]) -> Response:
    """CORS for the brand's allowed origins (API Gateway answers the preflights in AWS)."""
    response = get_response(request)
    allowed = Settings.from_env().allowed_origins
    response.headers.update(cors_headers(request.headers.get("origin"), allowed))
    return response
