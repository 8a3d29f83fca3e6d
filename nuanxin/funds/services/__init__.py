"""The funds services: the ledger (ledger.py) and the rest by area."""
