"""The audit trail's labels of the hotline's actions, one module per area (``audit_labels``
joins them)."""
