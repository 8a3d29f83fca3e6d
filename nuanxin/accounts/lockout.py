"""The sign-in lockout: attempts counted per username and per client address, a check reserved
(stored as pending) before a password or code is checked, refusals and failures audited.

At most ``NUANXIN_LOCKOUT_FAILURES`` failed checks per username within the window between two
of its successes; per address ``NUANXIN_LOCKOUT_ADDRESS_FAILURES`` failures lock it, and with
checks under way at most that plus ``NUANXIN_LOCKOUT_ADDRESS_CONCURRENT`` (beyond: "busy", no
lock); no address bound inside ``NUANXIN_LOCKOUT_TRUSTED_NETWORKS`` (docs/security.md).
``accounts.services`` runs the sign-in steps on top of this.
"""

from __future__ import annotations

import enum
import ipaddress
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.accounts.models import LoginAttempt, User
from nuanxin.core import audit, locks
from nuanxin.core.models import AuditOutcome
from nuanxin.core.policy import SYSTEM


class LoginOutcome(enum.Enum):
    OK = "ok"  # signed in: the view calls login()
    NEEDS_CODE = "needs_code"  # password right, an authenticator code is still needed
    FAILED = "failed"  # wrong username, password or code (one message for all)
    LOCKED = "locked"  # too many failures: nothing was checked
    BUSY = "busy"  # too many checks under way from the client's address: nothing was checked


# A check under way (a pending attempt) older than this was never resolved (its process died
# mid-check): it counts as a failure.
PENDING_STALE = timedelta(minutes=2)
# The reason of a refusal because too many checks are under way from one address (not a lock).
ADDRESS_BUSY = "address_busy"


def normalise_username(username: str) -> str:
    """The key that login attempts are counted under: case and surrounding spaces ignored,
    so "Jia" and "jia " share one lockout counter."""
    return (username or "").strip().casefold()[:150]


def lockout_message() -> str:
    """The one message for a locked-out attempt, whether or not the username exists."""
    minutes = settings.NUANXIN_LOCKOUT_WINDOW_SECONDS // 60
    return _("Too many failed sign-in attempts. Please wait %(minutes)s minutes and try again.") % {
        "minutes": minutes
    }


def busy_message() -> str:
    """The message for an attempt refused because many are signing in from its address."""
    return _("Many people are signing in from your network right now. Please try again in a moment.")


def refusal_message(reasons: list[str]) -> str:
    """What a refused attempt is told: a lock's message when a lock holds, else the busy one."""
    return busy_message() if reasons == [ADDRESS_BUSY] else lockout_message()


def _lock_end(times: list, threshold: int, window: timedelta):
    """When the latest lock ends: a lock starts at any failure that is the ``threshold``-th
    within ``window`` and lasts ``window`` from that failure. ``times`` ascending."""
    if threshold <= 0:
        return None
    end = None
    for i in range(threshold - 1, len(times)):
        if times[i] - times[i - threshold + 1] <= window:
            candidate = times[i] + window
            if end is None or candidate > end:
                end = candidate
    return end


def is_trusted_address(ip: str | None) -> bool:
    """Whether ``ip`` is inside ``NUANXIN_LOCKOUT_TRUSTED_NETWORKS`` (no address bound there)."""
    networks = settings.NUANXIN_LOCKOUT_TRUSTED_NETWORKS
    if not ip or not networks:
        return False
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(address in network for network in networks)


def lockout_reasons(*, username: str, ip: str | None) -> list[str]:
    """Why an attempt may not be checked now; empty when it may.

    ``"username"``: ``NUANXIN_LOCKOUT_FAILURES`` failures or checks under way for this
    username since its last successful sign-in, within the window (a check under way counts
    as a failure here, so parallel guesses of one account stay bounded).
    ``"address"``: ``NUANXIN_LOCKOUT_ADDRESS_FAILURES`` failures from this client address
    within the window, whatever the usernames (a check under way is no failure here, unless
    older than ``PENDING_STALE``).
    ``"address_busy"`` (when the address is not locked): its failures within the window and
    its checks under way together reach ``NUANXIN_LOCKOUT_ADDRESS_FAILURES +
    NUANXIN_LOCKOUT_ADDRESS_CONCURRENT``. Neither address reason for an address in
    ``NUANXIN_LOCKOUT_TRUSTED_NETWORKS``."""
    now = timezone.now()
    window = timedelta(seconds=settings.NUANXIN_LOCKOUT_WINDOW_SECONDS)
    since = now - 2 * window
    reasons = []
    key = normalise_username(username)
    if key:
        rows = list(LoginAttempt.objects.filter(username=key, at__gte=since).values_list("at", "succeeded"))
        last_ok = max((at for at, succeeded in rows if succeeded), default=None)
        times = sorted(at for at, succeeded in rows if not succeeded and (last_ok is None or at > last_ok))
        end = _lock_end(times, settings.NUANXIN_LOCKOUT_FAILURES, window)
        if end is not None and end > now:
            reasons.append("username")
    if ip and not is_trusted_address(ip):
        rows = list(
            LoginAttempt.objects.filter(ip=ip, at__gte=since)
            .exclude(succeeded=True)
            .values_list("at", "succeeded")
        )
        stale = now - PENDING_STALE
        times = sorted(at for at, succeeded in rows if succeeded is False or at < stale)
        under_way = len(rows) - len(times)
        limit = settings.NUANXIN_LOCKOUT_ADDRESS_FAILURES
        end = _lock_end(times, limit, window)
        if end is not None and end > now:
            reasons.append("address")
        elif limit > 0:
            recent = sum(1 for at in times if at >= now - window)
            if recent + under_way >= limit + settings.NUANXIN_LOCKOUT_ADDRESS_CONCURRENT:
                reasons.append(ADDRESS_BUSY)
    return reasons


def is_locked_out(*, username: str, ip: str | None) -> bool:
    """Whether a lock holds (a busy address is no lock)."""
    return any(reason != ADDRESS_BUSY for reason in lockout_reasons(username=username, ip=ip))


def _existing_user(username: str) -> User | None:
    username = (username or "").strip()
    if not username:
        return None
    return User.objects.select_related("organisation").filter(username__iexact=username).first()


def _lock_counters(*, username: str, ip: str | None) -> None:
    """Serialise everyone who counts or adds to the lockout counters of this username or
    this address, until the current transaction ends (core/locks.py)."""
    key = normalise_username(username)
    names = ["nuanxin.lockout.username:" + key] if key else []
    if ip:
        names.append("nuanxin.lockout.address:" + ip)
    locks.hold(*names)


@dataclass(frozen=True)
class Reservation:
    """The right to check one password or code: a login attempt row stored as pending
    (``succeeded`` None) before the check, so that everyone deciding after it counts it."""

    attempt: LoginAttempt | None
    locks: list[str]

    @property
    def granted(self) -> bool:
        return self.attempt is not None

    @property
    def refusal(self) -> LoginOutcome:
        """A refused reservation's outcome: ``BUSY`` when only the address was busy."""
        return LoginOutcome.BUSY if self.locks == [ADDRESS_BUSY] else LoginOutcome.LOCKED


def reserve_attempt(*, username: str, ip: str | None, step: str) -> Reservation:
    """Decide, under the counters' locks, whether a password (or code) may be checked now;
    if so store the attempt as pending before anything is checked. Counting and reserving
    in one locked transaction makes concurrent attempts behave as if they came one after
    the other. Within any window (``NUANXIN_LOCKOUT_WINDOW_SECONDS``) at most
    ``NUANXIN_LOCKOUT_FAILURES`` checks per username can fail between two of its successes,
    and at most ``NUANXIN_LOCKOUT_ADDRESS_FAILURES + NUANXIN_LOCKOUT_ADDRESS_CONCURRENT``
    per address (``lockout_reasons``). A refusal is audited (``auth.locked_out``, its
    ``locks`` the reasons) and stores no attempt."""
    with transaction.atomic():
        _lock_counters(username=username, ip=ip)
        reasons = lockout_reasons(username=username, ip=ip)
        if reasons:
            record_refusal(username=username, ip=ip, reasons=reasons, step=step)
            return Reservation(None, reasons)
        attempt = LoginAttempt.objects.create(
            username=normalise_username(username), ip=ip or None, succeeded=None, at=timezone.now()
        )
        return Reservation(attempt, [])


def release_attempt(reservation: Reservation) -> None:
    """The check succeeded without signing in (a right password before the code step, or
    a signed-in user proving their password): the attempt was no failure, and is removed."""
    assert reservation.attempt is not None  # only a granted reservation reaches a check
    LoginAttempt.objects.filter(pk=reservation.attempt.pk).delete()


@transaction.atomic
def record_login_attempt(*, username: str, ip: str | None, succeeded: bool) -> LoginAttempt:
    """Count one sign-in attempt towards (or, when it succeeded, reset) the lockout."""
    return LoginAttempt.objects.create(username=normalise_username(username), ip=ip or None, succeeded=succeeded)


@transaction.atomic
def record_failure(*, username: str, reservation: Reservation, step: str) -> None:
    """The reservation becomes a failure, audited."""
    assert reservation.attempt is not None  # only a granted reservation reaches a check
    LoginAttempt.objects.filter(pk=reservation.attempt.pk).update(succeeded=False)
    _audit_anonymous("auth.login_failed", username, AuditOutcome.FAILURE, step=step)


@transaction.atomic
def record_refusal(*, username: str, ip: str | None, reasons: list[str], step: str) -> None:
    _audit_anonymous("auth.locked_out", username, AuditOutcome.DENIED, locks=reasons, step=step)


def _audit_anonymous(action: str, username: str, outcome, **detail) -> None:
    """An attempt's audit row: nobody signed in, the account named (when it exists) as its object."""
    user = _existing_user(username)
    audit.record(
        None,
        action,
        obj=user,
        organisation=user.organisation if user else None,
        outcome=outcome,
        detail={"username": username[:150], **detail},
        actor_name="anonymous",
    )


def prune_login_attempts(*, actor=SYSTEM, older_than_hours: int = 24) -> int:
    """Periodic clean-up of the lockout counters. Every attempt is also in the audit log, so
    the rows are only counters: they are not audited when pruned. Idempotent."""
    keep = max(timedelta(hours=older_than_hours), 2 * timedelta(seconds=settings.NUANXIN_LOCKOUT_WINDOW_SECONDS))
    count, _deleted = LoginAttempt.objects.filter(at__lt=timezone.now() - keep).delete()
    return count
