"""Forms of the sign-in and own-account pages. They only shape input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _


def _input(**attrs):
    return {"class": "form-control", **attrs}


class BootstrapForm(forms.Form):
    """Marks fields with errors ``is-invalid`` so Bootstrap shows them, whether the error
    came from validation or from a service (``add_error`` in the view)."""

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in self._errors or {}:
            if name in self.fields:
                widget = self.fields[name].widget
                classes = widget.attrs.get("class", "").split()
                if "is-invalid" not in classes:
                    widget.attrs["class"] = " ".join([*classes, "is-invalid"])


class LoginForm(BootstrapForm):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs=_input(autocomplete="username", autocapitalize="none", autofocus=True)),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs=_input(autocomplete="current-password")),
    )


class CodeForm(BootstrapForm):
    """A 6-digit code from an authenticator app (spaces allowed, as some apps show them)."""

    code = forms.CharField(
        label=_("6-digit code"),
        max_length=16,
        widget=forms.TextInput(
            attrs=_input(autocomplete="one-time-code", inputmode="numeric", pattern=r"[0-9 ]*", autofocus=True)
        ),
    )


class PasswordChangeForm(BootstrapForm):
    current_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs=_input(autocomplete="current-password", autofocus=True)),
    )
    new_password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs=_input(autocomplete="new-password")),
    )
    new_password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs=_input(autocomplete="new-password")),
    )

    def clean(self):
        cleaned = super().clean()
        one, two = cleaned.get("new_password1"), cleaned.get("new_password2")
        if one and two and one != two:
            self.add_error("new_password2", _("The two new passwords differ."))
        return cleaned


TOKEN_DAYS_CHOICES = [
    (7, _("7 days")),
    (30, _("30 days")),
    (90, _("90 days")),
    (365, _("1 year")),
]


class TokenCreateForm(BootstrapForm):
    name = forms.CharField(
        label=_("What the token is for"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs=_input(autofocus=True)),
    )
    days = forms.TypedChoiceField(
        label=_("Expires after"),
        choices=TOKEN_DAYS_CHOICES,
        coerce=int,
        initial=90,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    current_password = forms.CharField(
        label=_("Your password"),
        help_text=_("A token acts as you: confirm it is you who asks for one."),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs=_input(autocomplete="current-password")),
    )
