"""``nuanxin reset_totp USERNAME --yes``: the operator removes a user's authenticator."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from nuanxin.accounts import services
from nuanxin.accounts.models import TOTPDevice, User
from nuanxin.core.policy import SYSTEM


class Command(BaseCommand):
    help = (
        "Remove a user's two-step sign-in authenticator (lost or replaced phone), as the system "
        "operator. The user then signs in with the password and, if their role requires it, must "
        "set up a new authenticator at once. Without --yes only says what would be done. "
        "Administrators can do the same from the user's page for accounts they manage."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--yes", action="store_true", help="Really remove it (otherwise a dry run).")

    def handle(self, *args, username, yes, **options):
        user = User.objects.filter(username__iexact=username.strip()).first()
        if user is None:
            raise CommandError(_("No account has the username “%(username)s”.") % {"username": username})
        if not TOTPDevice.objects.filter(user=user).exists():
            self.stdout.write(_("%(username)s has no authenticator; nothing to do.") % {"username": user.username})
            return
        if not yes:
            self.stdout.write(
                _("Would remove the authenticator of %(username)s. Run again with --yes to do it.")
                % {"username": user.username}
            )
            return
        services.reset_totp(actor=SYSTEM, user=user)
        self.stdout.write(
            self.style.SUCCESS(_("Removed the authenticator of %(username)s.") % {"username": user.username})
        )
