import pytest


@pytest.fixture(autouse=True)
def sms_file(settings, tmp_path):
    settings.NUANXIN_SMS_BACKEND = "nuanxin.notify.sms.FileBackend"
    settings.NUANXIN_SMS_FILE = tmp_path / "sms.jsonl"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return settings.NUANXIN_SMS_FILE
