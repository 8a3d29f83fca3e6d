"""The audit labels of the funds, one module per area."""
