"""A stand-in app with a ``periodic`` module, for the scheduler's discovery tests."""
