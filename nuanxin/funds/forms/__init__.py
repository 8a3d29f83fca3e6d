"""The funds forms, by area."""
