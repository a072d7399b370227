"""An offline BigCommerce-compatible store: a second store, not a mock of our client.

    from reconciler.sandbox.server import SandboxServer
    srv = SandboxServer(port=0).start()      # srv.url is the BIGCOMMERCE_API_URL

File -> responsibility (moto's split):

    urls.py        path rule -> {method: handler}
    routes.py      parse request -> call state -> JSON envelope
    routes_pricing.py   the same for customer groups (v2, bare JSON) and price lists
    app.py         WSGI app: store prefix, auth, rate limit, concurrency, stats, /__sandbox/ routes
    server.py      SandboxServer: threaded werkzeug server, start/stop/reset/configure
    state.py       StoreState on sqlite3: objects, ids, links, clock, reset(), seed(), kept views
    views.py       kept views: an object's API JSON stored as text, pages joined from it
    products.py brands.py categories.py channels.py   one module per kind
    variants.py options.py custom_fields.py           a product's sub-resources
    customer_groups.py                                 v2 groups, discount rules
    price_lists.py price_records.py price_list_assignments.py   price lists (v3)
    unique.py      names, URLs and the one SKU namespace of products and variants
    schemas.py     request-body schemas transcribed from the official OpenAPI files
    validation.py  body parsing and schema checks -> 422
    query.py       query parameters, filters, include/exclude_fields, pagination
    cursors.py     the price lists' mixed offset/cursor pagination
    ratelimit.py   fixed-window limiter and X-Rate-Limit-* headers
    concurrency.py per-endpoint concurrency limits (table-driven) -> 429
    errors.py      SandboxError -> BigCommerce error bodies
    faults.py      injected faults: seeded rates per kind, a queue of exact faults
    partial.py     the "partial" fault: odd-indexed batch items not applied, 207/422 shapes
    dump.py        the whole store in the seed format (GET /__sandbox/dump)
    seeds/         seed loader and named seeds (<name>.json)

Nothing here imports reconciler.plan, .apply, .store, .resources or .desired.
"""
