"""A toy domain app, installed only by tests/test_toyapp.py: what docs/development.md asks of a
new app (a model with its policy, one page, one API operation, its manifest and its
authorization cases), and nothing else in the project changed to let it in."""
