"""The hotline's reads, one module per area. A read of a psychological record is audited
(``core.audit.record_reads``)."""
