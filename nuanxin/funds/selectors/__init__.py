"""The funds selectors (reads inside the user's scope), by area."""
