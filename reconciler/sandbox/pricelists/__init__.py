"""The price lists service (see ``service.py``)."""
