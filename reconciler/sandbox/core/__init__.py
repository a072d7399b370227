"""The sandbox core: storage, query, validation, faults, limits, errors, the WSGI app,
the server and the control routes. It imports no service folder."""
