"""Sign-in, sign-out and the user's own account pages (profile, password, authenticator,
API tokens). Everything here acts on the signed-in user only; the services decide."""

from __future__ import annotations

import time
import unicodedata

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, password_validation, update_session_auth_hash
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from nuanxin.accounts import lockout, services
from nuanxin.accounts.forms import CodeForm, LoginForm, PasswordChangeForm, TokenCreateForm
from nuanxin.accounts.middleware import stamp_login
from nuanxin.accounts.models import ApiToken, User
from nuanxin.accounts.services import LoginOutcome
from nuanxin.core import access, context, idempotency, roles
from nuanxin.core.errors import ServiceError
from nuanxin.orgs import scope

# Session keys. PENDING holds a user who gave the right password but not yet the code: it
# is not a signed-in session (``login()`` is called only after the code) and expires soon.
PENDING = "nx_pending_login"
PENDING_SECONDS = 5 * 60
TOTP_SETUP_SECRET = "nx_totp_setup_secret"

BACKEND = "django.contrib.auth.backends.ModelBackend"


MAX_NEXT_LENGTH = 2000


def _safe_next(request, url) -> str:
    """``url`` when it is a path on this site ("/…", no scheme or host, no control
    character, not overlong), else "" (the caller falls back to the home page). Anything
    else — "foo", "a b", "javascript:…", "//evil", "http://evil" — is refused, so the value
    never reaches ``resolve_url`` (which would try it as a URL name)."""
    if not isinstance(url, str) or not url or len(url) > MAX_NEXT_LENGTH:
        return ""
    if not url.startswith("/") or url.startswith(("//", "/\\")):
        return ""
    if any(unicodedata.category(ch)[0] == "C" for ch in url):
        return ""
    if not url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        return ""
    return url


def _go_next(next_url: str):
    """Redirect to a path ``_safe_next`` let through, or to the home page."""
    if next_url:
        return HttpResponseRedirect(next_url)
    return redirect(settings.LOGIN_REDIRECT_URL)


def _ip(request) -> str | None:
    return context.client_ip(request)


def _form_error(form, exc: ServiceError, aliases: dict | None = None) -> None:
    field = (aliases or {}).get(exc.field, exc.field)
    field = field if field in form.fields else None
    form.add_error(field, exc.message)


def _complete_login(request, user: User, next_url: str):
    request.session.pop(PENDING, None)
    login(request, user, backend=getattr(user, "backend", BACKEND))
    stamp_login(request)
    return _go_next(next_url)


@access.public
@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request):
    """Username and password; then, for users with an authenticator, the code step."""
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.method == "GET" and request.user.is_authenticated:
        return _go_next(next_url)
    form = LoginForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        result = services.check_password_login(
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
            ip=_ip(request),
            request=request,
        )
        if result.outcome is LoginOutcome.OK:
            return _complete_login(request, result.user, next_url)
        if result.outcome is LoginOutcome.NEEDS_CODE:
            request.session[PENDING] = {"user": result.user.pk, "at": time.time(), "next": next_url}
            return redirect("accounts:login_totp")
        if result.outcome is LoginOutcome.LOCKED:
            form.add_error(None, lockout.lockout_message())
        elif result.outcome is LoginOutcome.BUSY:
            form.add_error(None, lockout.busy_message())
        else:
            form.add_error(None, _("The username or password is not correct."))
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


@access.public
@csrf_protect
@never_cache
def login_totp_view(request):
    """The second sign-in step: the code from the authenticator app."""
    pending = request.session.get(PENDING)
    user = None
    if isinstance(pending, dict) and time.time() - pending.get("at", 0) <= PENDING_SECONDS:
        user = User.objects.select_related("organisation").filter(pk=pending.get("user"), is_active=True).first()
    if user is None:
        if pending:
            request.session.pop(PENDING, None)
            messages.warning(request, _("Signing in took too long. Please start again."))
        return redirect("accounts:login")
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        result = services.check_code_login(user=user, code=form.cleaned_data["code"], ip=_ip(request))
        if result.outcome is LoginOutcome.OK:
            return _complete_login(request, user, _safe_next(request, pending.get("next")))
        if result.outcome is LoginOutcome.LOCKED:
            request.session.pop(PENDING, None)
            messages.error(request, lockout.lockout_message())
            return redirect("accounts:login")
        if result.outcome is LoginOutcome.BUSY:  # nothing checked: the same code may be sent again
            form.add_error(None, lockout.busy_message())
        else:
            form.add_error("code", _("The code is not correct or has already been used."))
    return render(request, "accounts/login_totp.html", {"form": form})


@access.public
@require_POST
def logout_view(request):
    """Sign out (POST only, so a link or an image cannot sign anyone out)."""
    if request.user.is_authenticated:
        services.record_logout(user=request.user)
    logout(request)
    messages.success(request, _("You have signed out."))
    return redirect(settings.LOGOUT_REDIRECT_URL)


@access.authenticated
@never_cache
def profile_view(request):
    """The user's own account: who they are, their roles, two-step sign-in, API tokens."""
    user = request.user
    tokens = list(ApiToken.objects.filter(user=user).select_related("user")[:50])
    return render(
        request,
        "accounts/profile.html",
        {
            "account": user,
            "grants": scope.grants(user),
            "totp_on": services.has_confirmed_totp(user),
            "totp_required": services.totp_required(user),
            "tokens": tokens,
            "show_tokens": bool(tokens) or scope.has_role(user, roles.API_USERS),
        },
    )


@access.authenticated
@sensitive_post_parameters("current_password", "new_password1", "new_password2")
@never_cache
def password_change_view(request):
    """Change one's own password, proving the current one. Other sessions of the account end
    (their session hash no longer matches); this one stays signed in."""
    form = PasswordChangeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.change_own_password(
                actor=request.user,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password1"],
                ip=_ip(request),
            )
        except ServiceError as exc:
            _form_error(form, exc, aliases={"password": "new_password1"})
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password has been changed."))
            return redirect("accounts:profile")
    return render(
        request,
        "accounts/password_change.html",
        {"form": form, "password_help": password_validation.password_validators_help_texts()},
    )


@access.authenticated
@never_cache
def totp_setup_view(request):
    """Set up an authenticator app: scan the QR code (or type the secret), confirm a code."""
    import segno

    user = request.user
    if services.has_confirmed_totp(user):
        request.session.pop(TOTP_SETUP_SECRET, None)
        messages.info(request, _("Two-step sign-in is already on for your account."))
        return redirect("accounts:profile")
    secret = request.session.get(TOTP_SETUP_SECRET)
    if not secret:
        secret = request.session[TOTP_SETUP_SECRET] = services.new_totp_secret()
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.confirm_totp(actor=user, secret=secret, code=form.cleaned_data["code"])
        except ServiceError as exc:
            _form_error(form, exc)
        else:
            request.session.pop(TOTP_SETUP_SECRET, None)
            messages.success(request, _("Two-step sign-in is on. You will be asked for a code at each sign-in."))
            return redirect("accounts:profile")
    uri = services.totp_provisioning_uri(user=user, secret=secret)
    qr = segno.make(uri, error="m")
    return render(
        request,
        "accounts/totp_setup.html",
        {
            "form": form,
            "qr_data_uri": qr.svg_data_uri(scale=5, border=2),
            "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
            "totp_required": services.totp_required(user),
        },
    )


@access.authenticated
@never_cache
def totp_disable_view(request):
    """Turn off two-step sign-in with a current code (not allowed for roles that require it)."""
    user = request.user
    if not services.has_confirmed_totp(user):
        return redirect("accounts:profile")
    required = services.totp_required(user)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.disable_totp(actor=user, code=form.cleaned_data["code"])
        except ServiceError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Two-step sign-in is off."))
            return redirect("accounts:profile")
    return render(request, "accounts/totp_disable.html", {"form": form, "totp_required": required})


@access.authenticated
@sensitive_post_parameters("current_password")
@never_cache
@idempotency.form
def token_create_view(request):
    """Issue an API token for oneself, proving one's password. The token is shown once, on the
    answer to the POST."""
    form = TokenCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            token, plaintext = services.create_own_api_token(
                actor=request.user, password=form.cleaned_data["current_password"], ip=_ip(request),
                expires_days=form.cleaned_data["days"], name=form.cleaned_data["name"],
            )
        except ServiceError as exc:
            _form_error(form, exc)
        else:
            return idempotency.created(
                render(request, "accounts/token_created.html", {"token": token, "plaintext": plaintext}),
                "accounts:profile",
            )
    return render(request, "accounts/token_create.html", {"form": form})


@access.authenticated
@require_POST
def token_revoke_view(request, pk: int):
    """Revoke one of one's own tokens; anyone else's is a 404."""
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.revoke_api_token(actor=request.user, token=token)
    messages.success(request, _("The token %(prefix)s… is revoked.") % {"prefix": token.prefix})
    return redirect("accounts:profile")
