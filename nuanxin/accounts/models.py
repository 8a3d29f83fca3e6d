"""Users and what proves who they are: API tokens, login attempts, TOTP devices."""

import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from nuanxin.core import roles
from nuanxin.core.models import ScopedQuerySet
from nuanxin.core.policy import Policy
from nuanxin.core.versioning import version_field


class UserQuerySet(ScopedQuerySet):
    pass


class NuanxinUserManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]  # a dynamic base django-stubs cannot follow
    pass


class User(AbstractUser):
    """A person who signs in. ``organisation`` is their home unit, which places the account
    itself in the tree (who may manage it); what they may see comes from their grants."""

    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    mobile = models.CharField(_("mobile"), max_length=32, blank=True)
    organisation = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=_("home organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    password_changed_at = models.DateTimeField(_("password changed"), null=True, blank=True)
    # Optimistic concurrency of the account's edit page (core/versioning.py).
    version = version_field()
    # Raised when the account is disabled: it is folded into the session hash, so every
    # session signed in before stays invalid after the account is enabled again, whatever
    # the session backend (database now, a cache later).
    session_generation = models.PositiveIntegerField(default=0, editable=False)

    history = HistoricalRecords(excluded_fields=["password", "last_login"])
    objects = NuanxinUserManager()  # type: ignore[misc]  # AbstractUser declares a plain UserManager

    # Accounts whose home organisation lies in an administrator's scope.
    policy = Policy(path="organisation__path", actions={"view": roles.MANAGERS, "change": roles.MANAGERS})

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    def _session_hash(self, secret=None) -> str:
        key_salt = "nuanxin.accounts.models.User.get_session_auth_hash"
        return salted_hmac(
            key_salt, f"{self.password}:{self.session_generation}", secret=secret, algorithm="sha256"
        ).hexdigest()

    def get_session_auth_hash(self) -> str:
        """The hash a signed-in session must match: the password's (as Django's) and, once
        the account was ever disabled, its session generation, so a session from before a
        disable never works again. Generation 0 keeps Django's own hash (sessions signed in
        before this existed stay valid)."""
        if not self.session_generation:
            return super().get_session_auth_hash()
        return self._session_hash()

    def get_session_auth_fallback_hash(self):
        if not self.session_generation:
            yield from super().get_session_auth_fallback_hash()
            return
        for fallback_secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_hash(secret=fallback_secret)


def hash_token(plaintext: str) -> str:
    """Tokens are 256-bit random strings, so a plain SHA-256 is enough to store them."""
    return hashlib.sha256(plaintext.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        now = timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now, user__is_active=True)


class ApiToken(models.Model):
    """A bearer token for the REST API. Only its hash is stored; it expires and can be revoked."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    # A token is seen and revoked on its holder's page: it lies where its holder's account does.
    policy = Policy(path="user__organisation__path", actions={"view": roles.MANAGERS})

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now() and self.user.is_active


class LoginAttempt(models.Model):
    """Every sign-in attempt, kept for the lockout window (and pruned after).

    ``succeeded``: True a success, False a failure, None a check under way (stored before a
    password or code is checked, resolved to True or False, or deleted, after it; one left
    pending for longer than ``accounts.lockout.PENDING_STALE`` counts as a failure)."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    succeeded = models.BooleanField(null=True, default=False)

    class Meta:
        verbose_name = _("login attempt")
        ordering = ["-at"]

    def __str__(self) -> str:
        state = {True: "ok", False: "failed", None: "pending"}[self.succeeded]
        return f"{self.username} {self.at:%Y-%m-%d %H:%M} {state}"


class TOTPDevice(models.Model):
    """A time-based one-time-password authenticator (RFC 6238) bound to a user."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp_device")
    secret = models.CharField(max_length=64)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_used_step = models.BigIntegerField(default=0)  # refuses a code used twice
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("authenticator")

    def __str__(self) -> str:
        return f"TOTP for {self.user}"

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None
