"""Commendations (measures 1 and 8): award types, calls for nominations with quotas, nominations
reviewed up the tree with a public notice period, the city's decision and certificates."""
