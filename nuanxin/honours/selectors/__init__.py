"""The commendations' reads: the nominations a user may see, the board per call and level,
the figures, the frontline facts and the quotas left."""
