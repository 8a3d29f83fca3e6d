"""The commendations' pages, one module per area: the catalogue (award types, calls, quotas),
the nominations (board, create, page, actions) and the figures."""
