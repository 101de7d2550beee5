"""Commerce domain: the REST API (a Chalice app) for shows, products, carts and checkout."""
