"""The bottom layer: what every other layer shares and which imports nothing above it.

- ``address``: ``Address(kind, key, parent)``, the one way to name an object
- ``settings``: ``StoreSettings``, the ``store:`` block as plain data
- ``objects``: ``DesiredObject``, one YAML object and where it was written
- ``sources``: the compact source map behind a ``DesiredObject``
- ``live``: ``LiveObject`` / ``LiveState``, the store as read
- ``refs``: ``RefIndex``, names <-> ids of the objects other objects refer to
- ``diagnostics``: ``SourceRange`` and ``FILE:LINE:COL`` messages
- ``errors``: the exceptions every layer raises and the CLI renders
- ``gcpause``: the garbage collector paused while a large read or load builds objects
- ``writing``: ``WriteContext``, what a kind's writer may use while apply runs

Modules here import only the standard library and each other (tests/test_layers.py).
"""
