"""The catalog service (see ``service.py``)."""
