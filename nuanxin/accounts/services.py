"""Writes about accounts' credentials: API tokens (and, below, login security)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.accounts.models import ApiToken, User, hash_token
from nuanxin.core import audit
from nuanxin.core.errors import NotAllowed, ServiceError

TOKEN_PREFIX = "nx_"
MAX_TOKEN_DAYS = 365


def _may_manage_tokens(actor, user: User) -> bool:
    from nuanxin.orgs.services import may_manage_user

    return actor is None or actor.pk == user.pk or may_manage_user(actor, user)


@transaction.atomic
def create_api_token(*, actor, user: User, expires_days: int | None = None, name: str = "") -> tuple[ApiToken, str]:
    """Issue a bearer token for ``user``. The plaintext is returned once and never stored."""
    if not _may_manage_tokens(actor, user):
        raise NotAllowed(_("You may not manage this account."))
    if not user.is_active:
        raise ServiceError(_("The account is disabled."))
    days = settings.NUANXIN_API_TOKEN_DEFAULT_DAYS if expires_days is None else expires_days
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise ServiceError(
            _("A token must expire within 1 to %(max)s days.") % {"max": MAX_TOKEN_DAYS}, field="expires"
        )
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:100],
        prefix=plaintext[:10],
        key_hash=hash_token(plaintext),
        expires_at=timezone.now() + timedelta(days=days),
    )
    audit.record(actor, "token.create", obj=token, organisation=user.organisation,
                 detail={"user": user.username, "days": days})
    return token, plaintext


@transaction.atomic
def revoke_api_token(*, actor, token: ApiToken) -> ApiToken:
    """Revoke a token at once; the row stays (with its prefix) for the record."""
    token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    if not _may_manage_tokens(actor, token.user):
        raise NotAllowed(_("You may not manage this account."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor, "token.revoke", obj=token, organisation=token.user.organisation,
                     detail={"user": token.user.username})
    return token


def authenticate_token(plaintext: str) -> User | None:
    """The active user a bearer token belongs to, or None (unknown, expired, revoked, or the
    account disabled). Marks the token used at most once a minute to spare writes."""
    if not plaintext or not plaintext.startswith(TOKEN_PREFIX) or len(plaintext) > 128:
        return None
    token = ApiToken.objects.usable().select_related("user").filter(key_hash=hash_token(plaintext)).first()
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def delete_expired_tokens(*, older_than_days: int = 30) -> int:
    """Periodic clean-up: remove tokens that expired or were revoked long ago."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    expired = ApiToken.objects.filter(expires_at__lt=cutoff) | ApiToken.objects.filter(revoked_at__lt=cutoff)
    count, _ = expired.delete()
    return count
