from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "nuanxin.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        # Django's own receiver saves the user to stamp ``last_login``, which makes
        # simple-history add a (change-less) history row at every sign-in. Stamp it with an
        # UPDATE instead: the sign-in itself is in the audit log.
        from django.contrib.auth.signals import user_logged_in

        from nuanxin.accounts.manifest import MANIFEST
        from nuanxin.accounts.services import authenticate_token
        from nuanxin.core import apiutils, manifest

        manifest.register(MANIFEST)
        apiutils.install_token_authenticator(authenticate_token)

        user_logged_in.disconnect(dispatch_uid="update_last_login")
        user_logged_in.connect(_stamp_last_login, dispatch_uid="nuanxin_stamp_last_login")


def _stamp_last_login(sender, user, **kwargs):
    from django.utils import timezone

    user.last_login = timezone.now()
    type(user)._default_manager.filter(pk=user.pk).update(last_login=user.last_login)
