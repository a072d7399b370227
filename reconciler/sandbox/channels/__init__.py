"""The channels service (see ``service.py``)."""
