"""Helpers shared by the accounts tests."""

import re
from datetime import datetime
from html import unescape
from zoneinfo import ZoneInfo

import pyotp
from django.urls import reverse
from django.utils import timezone

from nuanxin.accounts.models import TOTPDevice

# A fixed instant in the middle of a 30-second TOTP step (…:00:10).
T0 = datetime(2026, 3, 2, 9, 0, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def post_login(client, username, password, ip="127.0.0.1", **extra):
    return client.post(reverse("accounts:login"), {"username": username, "password": password, **extra},
                       REMOTE_ADDR=ip)


def form_errors(response) -> list[str]:
    """The non-field error texts shown on a page."""
    html = response.content.decode()
    return [unescape(m) for m in re.findall(r"<div [^>]*data-nx-form-error>(.*?)</div>", html)]


def field_errors(response) -> list[str]:
    html = response.content.decode()
    return [unescape(m) for m in re.findall(r'<div class="invalid-feedback d-block">(.*?)</div>', html)]


def code_at(when, secret=SECRET) -> str:
    return pyotp.TOTP(secret).at(when)


def enable_totp(user, secret=SECRET) -> TOTPDevice:
    """An authenticator set up before the test's instant (last used step 0)."""
    return TOTPDevice.objects.create(user=user, secret=secret, confirmed_at=timezone.now())

