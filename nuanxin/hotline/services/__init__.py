"""The hotline's writes, one module per area (``services.hotlines``, ``services.rota``,
``services.calls``, ``services.assessments``, ``services.cases``, ``services.referrals``,
``services.retention``). Each takes a keyword-only ``actor``, asks the model's policy, writes
in one transaction and leaves an audit row."""
