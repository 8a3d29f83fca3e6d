"""The hotline's forms, one module per area."""
