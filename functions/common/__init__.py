"""Code shared by every Vitrine function: settings, the event vocabulary, table models, AWS
clients, observability and staff authentication.

Nothing heavy is imported here: each handler imports only the modules it uses, so cold starts
stay short (see bench/importtime)."""
