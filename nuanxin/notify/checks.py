"""Deployment checks of the notification settings (`nuanxin check --deploy`)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

LOGGING_BACKENDS = {"nuanxin.notify.sms.ConsoleBackend", "nuanxin.notify.sms.FileBackend"}


@register(Tags.security, deploy=True)
def sms_backend_check(app_configs, **kwargs):
    """In production, text messages must go to a provider: the console and file backends
    write recipients' phone numbers into logs and files instead of sending anything."""
    if not getattr(settings, "PRODUCTION", False):
        return []
    backend = settings.NUANXIN_SMS_BACKEND
    if backend in LOGGING_BACKENDS:
        return [
            Warning(
                f"NUANXIN_SMS_BACKEND is {backend}: reminders are not sent and phone numbers are written "
                "to logs or files.",
                hint="Set NUANXIN_SMS_BACKEND=nuanxin.notify.sms.ProviderBackend and the NUANXIN_SMS_PROVIDER_* "
                "settings (docs/notifications.md).",
                id="nuanxin.W001",
            )
        ]
    if backend == "nuanxin.notify.sms.ProviderBackend" and not (
        settings.NUANXIN_SMS_PROVIDER["URL"] and settings.NUANXIN_SMS_PROVIDER["SECRET"]
    ):
        return [
            Warning(
                "The SMS provider backend has no NUANXIN_SMS_PROVIDER_URL or NUANXIN_SMS_SECRET.",
                hint="See docs/notifications.md.",
                id="nuanxin.W002",
            )
        ]
    return []
