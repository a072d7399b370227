"""The webhooks service (see ``service.py``)."""
