"""An offline BigCommerce-compatible store: a second store, not a mock of our client.

    from reconciler.sandbox.store import SandboxServer
    srv = SandboxServer(port=0).start()      # srv.url is the BIGCOMMERCE_API_URL

Laid out per service, as moto is (a core, one folder a service):

    core/          storage (SQLite: objects, key columns, ids, links, kept views; no kind),
                   query, cursors, validation, schema, faults, partial, rate limit,
                   concurrency, errors, responses, urls, the WSGI app, the server, the
                   control routes (/__sandbox/*) and Service, what a service declares
    catalog/       products, variants, options, custom fields, bulk pricing rules,
                   categories and trees, brands (urls.py, responses.py, a module a model)
    channels/      channels, product channel assignments, channel metafields
    pricelists/    price lists, records, assignments
    customer_groups/  v2 customer groups and their discount rules
    hooks/         webhooks
    seeds/         seed loader and named seeds (<name>.json)
    store.py       every service bound to the core: SandboxServer, StoreState

Each service folder has ``urls.py`` (its URL table), ``responses.py`` (handlers), its
models and ``service.py`` (``SERVICE``: routes and models). A model declares its key
columns, partial-failure shapes, seed section and dump contribution (core/service.py).

Nothing here imports reconciler.plan, .apply, .store, .resources or .desired.
"""
