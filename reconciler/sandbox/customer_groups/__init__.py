"""The customer groups service (see ``service.py``)."""
