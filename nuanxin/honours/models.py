"""The commendations' models (see the package docstring)."""
