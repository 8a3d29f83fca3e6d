"""The commendations' writes: the catalogue (award types, calls, quotas), the nominations'
way up the tree (public notice, objections, the city's decision) and the certificates."""
