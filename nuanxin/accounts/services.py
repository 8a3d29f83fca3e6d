"""Writes about accounts' credentials: API tokens, sign-in (on accounts/lockout.py), authenticators.

Sign-in functions do not touch the HTTP session: they decide and record (login attempts and
audit rows), and the views call Django's ``login``/``logout``. Records of failures must
survive the refusal, so those functions are not one transaction around a raise: each
record is written in its own short transaction and a result is returned.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

import pyotp
from django.conf import settings
from django.contrib.auth import SESSION_KEY, authenticate
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.accounts.lockout import (
    LoginOutcome,
    Reservation,
    is_locked_out,
    record_failure,
    refusal_message,
    release_attempt,
    reserve_attempt,
)
from nuanxin.accounts.models import ApiToken, LoginAttempt, TOTPDevice, User, hash_token
from nuanxin.core import audit
from nuanxin.core.errors import Conflict, NotAllowed, ServiceError
from nuanxin.core.plaintext import line as text_line
from nuanxin.core.policy import SYSTEM, is_system

TOKEN_PREFIX = "nx_"
MAX_TOKEN_DAYS = 365


def _require_token_manager(actor, user: User) -> None:
    """A user manages their own tokens; an administrator those of an account they manage
    (``User.policy``'s ``change``)."""
    if is_system(actor) or actor.pk == user.pk:
        return
    User.policy.require(actor, "change", user, _("You may not manage this account."))


def _token_name(name: str) -> str:
    """What the token is for, one line: control and direction characters refused, zero-width
    ones removed (core/plaintext.py)."""
    return text_line(name, field="name", label=_("What the token is for"))


def create_own_api_token(
    *, actor: User, password: str, ip: str | None, expires_days: int | None = None, name: str = ""
) -> tuple[ApiToken, str]:
    """A user issues a token for themselves from their page, proving their password first."""
    name = _token_name(name)  # a refused name costs no password check
    confirm_own_password(actor=actor, password=password, ip=ip, step="token_create")
    return create_api_token(actor=actor, user=actor, expires_days=expires_days, name=name)


@transaction.atomic
def create_api_token(*, actor, user: User, expires_days: int | None = None, name: str = "") -> tuple[ApiToken, str]:
    """Issue a bearer token for ``user``. The plaintext is returned once and never stored."""
    _require_token_manager(actor, user)
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
        name=_token_name(name)[:100],
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
    _require_token_manager(actor, token.user)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor, "token.revoke", obj=token, organisation=token.user.organisation,
                     detail={"user": token.user.username})
    return token


def end_sessions_and_tokens(user: User) -> dict:
    """Part of disabling an account (``orgs.services.set_user_active``, which audits the
    counts returned): every session signed in so far and every API token of ``user`` end for
    good, so enabling the account again revives neither.

    Sessions: the user's session generation is raised, which changes the hash every session
    is checked against (``User.get_session_auth_hash``) whatever the session backend; with
    the database backend the sessions' rows are deleted too. Tokens: every unrevoked token
    is revoked. Runs inside the caller's transaction; ``user`` must be locked by it."""
    from importlib import import_module

    User.objects.filter(pk=user.pk).update(session_generation=models.F("session_generation") + 1)
    user.refresh_from_db(fields=["session_generation"])
    now = timezone.now()
    tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    sessions = 0
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if hasattr(store, "get_model_class"):
        model = store.get_model_class()
        ended = []
        for key, data in model.objects.filter(expire_date__gt=now).values_list("session_key", "session_data"):
            if str(store().decode(data).get(SESSION_KEY)) == str(user.pk):
                ended.append(key)
        sessions, _deleted = model.objects.filter(session_key__in=ended).delete()
    return {"sessions_ended": sessions, "tokens_revoked": tokens}


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


@transaction.atomic
def delete_expired_tokens(*, actor=SYSTEM, older_than_days: int = 30) -> int:
    """Periodic clean-up: remove tokens that expired or were revoked long ago. Idempotent:
    each run removes everything past the cut-off, however long the scheduler was down."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    expired = ApiToken.objects.filter(Q(expires_at__lt=cutoff) | Q(revoked_at__lt=cutoff))
    prefixes = sorted(expired.values_list("prefix", flat=True))
    if not prefixes:
        return 0
    expired.delete()
    audit.record(actor, "token.delete_expired", object_type="accounts.apitoken",
                 detail={"count": len(prefixes), "prefixes": prefixes[:100], "older_than_days": older_than_days})
    return len(prefixes)


# --- sign-in (the lockout it checks first: accounts/lockout.py) ----------------------------------


@dataclass(frozen=True)
class LoginResult:
    outcome: LoginOutcome
    user: User | None = None


@transaction.atomic
def _record_success(*, user: User, reservation: Reservation, two_factor: bool) -> None:
    """The reservation becomes a success (which resets the username's counter)."""
    assert reservation.attempt is not None  # only a granted reservation reaches a check
    LoginAttempt.objects.filter(pk=reservation.attempt.pk).update(succeeded=True)
    audit.record(user, "auth.login", obj=user, organisation=user.organisation, detail={"two_factor": two_factor})


def check_password_login(*, username: str, password: str, ip: str | None, request=None) -> LoginResult:
    """The first sign-in step. The lockout is checked before the password, so a locked-out
    attempt says nothing about whether the password was right; unknown and known usernames
    get the same answers. ``OK`` means the caller now calls ``django.contrib.auth.login``;
    ``NEEDS_CODE`` means the user has an authenticator and must pass ``check_code_login``;
    ``LOCKED`` and ``BUSY`` mean nothing was checked."""
    username = (username or "").strip()
    reservation = reserve_attempt(username=username, ip=ip, step="password")
    if not reservation.granted:
        return LoginResult(reservation.refusal)
    # The password is checked outside the lock (hashing is slow on purpose), with the
    # attempt already counted as pending.
    user = authenticate(request, username=username, password=password)
    if user is None:
        record_failure(username=username, reservation=reservation, step="password")
        if is_locked_out(username=username, ip=ip):
            return LoginResult(LoginOutcome.LOCKED)
        return LoginResult(LoginOutcome.FAILED)
    if has_confirmed_totp(user):
        release_attempt(reservation)
        return LoginResult(LoginOutcome.NEEDS_CODE, user)
    _record_success(user=user, reservation=reservation, two_factor=False)
    return LoginResult(LoginOutcome.OK, user)


def check_code_login(*, user: User, code: str, ip: str | None) -> LoginResult:
    """The second sign-in step for a user with an authenticator: lockout first, then the
    code (a code already used is refused). Failures count towards the same lockout."""
    username = user.get_username()
    reservation = reserve_attempt(username=username, ip=ip, step="code")
    if not reservation.granted:
        return LoginResult(reservation.refusal)
    if not user.is_active or not verify_totp(user=user, code=code):
        record_failure(username=username, reservation=reservation, step="code")
        if is_locked_out(username=username, ip=ip):
            return LoginResult(LoginOutcome.LOCKED)
        return LoginResult(LoginOutcome.FAILED)
    _record_success(user=user, reservation=reservation, two_factor=True)
    return LoginResult(LoginOutcome.OK, user)


@transaction.atomic
def record_logout(*, user: User) -> None:
    """Audit a sign-out (the view ends the session)."""
    audit.record(user, "auth.logout", obj=user, organisation=user.organisation)


@transaction.atomic
def record_session_expired(*, user: User, reason: str) -> None:
    """Audit a session ended by the idle or absolute time limit (``reason``)."""
    audit.record(user, "auth.session_expired", obj=user, organisation=user.organisation, detail={"reason": reason})


# --- passwords ------------------------------------------------------------------------------


def confirm_own_password(*, actor: User, password: str, ip: str | None, step: str) -> None:
    """A signed-in user proves their password again before something that acts as them (a new
    password, an API token). Wrong passwords count towards the sign-in lockout: a left-open
    session must not become a way to guess it."""
    username = actor.get_username()
    reservation = reserve_attempt(username=username, ip=ip, step=step)
    if not reservation.granted:
        raise NotAllowed(refusal_message(reservation.locks))
    if not actor.check_password(password or ""):
        record_failure(username=username, reservation=reservation, step=step)
        raise ServiceError(_("The current password is not correct."), field="current_password")
    release_attempt(reservation)


def change_own_password(*, actor: User, current_password: str, new_password: str, ip: str | None = None) -> User:
    """A user changes their own password, proving the current one. Wrong current passwords
    count towards the sign-in lockout (a left-open session must not become a way to guess
    it). The new password goes through ``orgs.services.set_password`` (policy, audit)."""
    from nuanxin.orgs.services import set_password

    confirm_own_password(actor=actor, password=current_password, ip=ip, step="password_change")
    if current_password == new_password:
        raise ServiceError(_("The new password must differ from the current one."), field="new_password1")
    return set_password(actor=actor, user=actor, password=new_password, current_password=current_password)


# --- authenticators (TOTP, RFC 6238) --------------------------------------------------------

TOTP_ISSUER = "Nuanxin"
TOTP_DRIFT_STEPS = 1  # accept the previous and the next 30-second code too


def _grant_roles(user: User) -> set[str]:
    # All grants, not the ones narrowed by the scope switcher: switching to a lesser role
    # must not lift the two-factor requirement.
    from nuanxin.orgs import scope

    return {g.role for g in scope.grants(user)}


def totp_required(user: User) -> bool:
    """Whether one of the user's roles requires two-step sign-in (``NUANXIN_TOTP_REQUIRED_ROLES``,
    set for admins and auditors in production)."""
    required = set(settings.NUANXIN_TOTP_REQUIRED_ROLES)
    return bool(required and required & _grant_roles(user))


def has_confirmed_totp(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def new_totp_secret() -> str:
    """A fresh 160-bit base32 secret for setting up an authenticator. Nothing is stored:
    the setup page keeps it in the (server-side) session until ``confirm_totp``."""
    return pyotp.random_base32()


def totp_provisioning_uri(*, user: User, secret: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.get_username(), issuer_name=TOTP_ISSUER)


def _clean_code(code: str) -> str:
    return "".join((code or "").split()).replace("-", "")


def _matching_step(secret: str, code: str, after_step: int) -> int | None:
    """The time step (within the allowed drift) whose code equals ``code`` and that is later
    than ``after_step``; ``None`` when there is none."""
    code = _clean_code(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(timezone.now())
    for step in range(current - TOTP_DRIFT_STEPS, current + TOTP_DRIFT_STEPS + 1):
        if step > after_step and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


@transaction.atomic
def confirm_totp(*, actor: User, secret: str, code: str) -> TOTPDevice:
    """Turn on two-step sign-in for ``actor`` with the secret shown at setup, once the
    authenticator app proves it holds it by giving a current code."""
    already_on = Conflict(_("Two-step sign-in is already on for your account."))
    if TOTPDevice.objects.filter(user=actor, confirmed_at__isnull=False).exists():
        raise already_on
    if not secret or len(secret) > 64:
        raise ServiceError(_("The setup has expired. Please start again."))
    step = _matching_step(secret, code, after_step=0)
    if step is None:
        raise ServiceError(_("The code is not correct. Check the time on your phone and try again."), field="code")
    # An unconfirmed leftover, if any; never a device a parallel confirmation committed since
    # the check above (that one stays, and this insert is refused below).
    TOTPDevice.objects.filter(user=actor, confirmed_at__isnull=True).delete()
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction stays usable
            device = TOTPDevice.objects.create(
                user=actor, secret=secret, confirmed_at=timezone.now(), last_used_step=step
            )
    except IntegrityError:
        # The same confirmation sent twice at once (a double tap): the first committed its
        # device (one per user) while this insert waited for it.
        if TOTPDevice.objects.filter(user=actor, confirmed_at__isnull=False).exists():
            raise already_on from None
        raise
    audit.record(actor, "auth.totp_enabled", obj=actor, organisation=actor.organisation)
    return device


@transaction.atomic
def verify_totp(*, user: User, code: str) -> bool:
    """Check a sign-in code against the user's confirmed authenticator, allowing one step of
    clock drift either way and refusing a code whose step was already used."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
    if device is None:
        return False
    step = _matching_step(device.secret, code, after_step=device.last_used_step)
    if step is None:
        return False
    device.last_used_step = step
    device.save(update_fields=["last_used_step"])
    return True


def disable_totp(*, actor: User, code: str) -> None:
    """The user turns off their own two-step sign-in, proving it with a current code.
    Refused while one of their roles requires it."""
    if totp_required(actor):
        raise NotAllowed(_("Your role requires two-step sign-in; it cannot be turned off."))
    if not has_confirmed_totp(actor):
        raise ServiceError(_("Two-step sign-in is not on for your account."))
    if not verify_totp(user=actor, code=code):
        raise ServiceError(_("The code is not correct or has already been used."), field="code")
    _remove_totp(actor=actor, user=actor, action="auth.totp_disabled")


@transaction.atomic
def _remove_totp(*, actor, user: User, action: str) -> bool:
    count, _deleted = TOTPDevice.objects.filter(user=user).delete()
    if count:
        audit.record(actor, action, obj=user, organisation=user.organisation, detail={"user": user.get_username()})
    return bool(count)


@transaction.atomic
def reset_totp(*, actor, user: User) -> bool:
    """An administrator who manages ``user`` removes their authenticator (a lost or replaced
    phone). The user signs in with the password alone and, if their role requires it, must
    set up a new authenticator at once. ``actor=SYSTEM`` is the operator (``nuanxin reset_totp``).
    Returns whether there was an authenticator to remove."""
    if not is_system(actor) and actor.pk == user.pk:
        raise NotAllowed(_("Ask another administrator to reset your own authenticator."))
    User.policy.require(actor, "change", user, _("You may not manage this account."))
    return _remove_totp(actor=actor, user=user, action="auth.totp_reset")
