"""Logging filters for the console (settings.LOGGING). Imported while Django configures logging,
before the apps are ready: it imports nothing of Django's models."""


class RefusalOnOneLine:
    """A logging filter for ``django.request``: a refused request (403, e.g. a user opening a
    page their role does not allow) is logged as its one line ("Forbidden (Permission denied):
    /path"), without the ``PermissionDenied`` traceback — a refusal is the system working, and
    the console of ``make run`` printed one for every click on a forbidden link. Errors (500)
    keep their traceback."""

    def filter(self, record) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
