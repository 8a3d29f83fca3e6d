"""The hotline's API operations under /api/v1/hotline/, one router per area (the manifest names
them all); the same policy as the pages (``core/apiutils.ScopedRouter``)."""
