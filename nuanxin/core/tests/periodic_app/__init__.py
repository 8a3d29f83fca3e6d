"""A stand-in app with a ``periodic`` module named in its manifest, for the scheduler's discovery tests."""
