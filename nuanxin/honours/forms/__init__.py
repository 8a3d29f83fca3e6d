"""The commendations' forms (one module per area: the catalogue, the nominations)."""
