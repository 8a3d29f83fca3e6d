"""``nuanxin users ...``: accounts, their roles and API tokens from the shell.

Run by the operator with shell access on the server (``actor=SYSTEM`` for the services, the
audit trail says ``system:cli``)."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.accounts.models import User
from nuanxin.core.errors import ServiceError
from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.orgs import selectors, services
from nuanxin.orgs.models import Grant, Organisation, OrganisationGroup

EXIT_STATUS = (
    "Exit status: 0 done; 1 refused (unknown user, organisation or group, or a rule broken); "
    "2 usage error (bad or missing options)."
)
ROLES = ", ".join(Role.values)


class Command(BaseCommand):
    stealth_options = ("stdin",)
    help = "Create accounts, grant and revoke roles, disable accounts, issue API tokens. " + EXIT_STATUS

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True,
                                    metavar="{create,grant,revoke,disable,enable,token,list}")

        create = sub.add_parser(
            "create", help="Create an account with a first role.",
            description="Create the account USERNAME at organisation CODE with ROLE there (covering everything "
                        "under it). Without --password-stdin a random password is generated and printed once. "
                        + EXIT_STATUS)
        create.add_argument("username", metavar="USERNAME")
        create.add_argument("--org", required=True, metavar="CODE", help="home organisation; the role is granted on it")
        create.add_argument("--role", required=True, choices=Role.values, metavar="ROLE", help=f"one of {ROLES}")
        create.add_argument("--password-stdin", action="store_true",
                            help="read the password from the first line of standard input")
        create.add_argument("--full-name", default="", metavar="NAME")
        create.add_argument("--email", default="", metavar="EMAIL")
        create.add_argument("--mobile", default="", metavar="MOBILE")

        for name, text in (("grant", "Give an account a further role."),
                           ("revoke", "End an account's role (the record stays).")):
            cmd = sub.add_parser(name, help=text, description=f"{text} {EXIT_STATUS}")
            cmd.add_argument("username", metavar="USERNAME")
            cmd.add_argument("--role", required=True, choices=Role.values, metavar="ROLE", help=f"one of {ROLES}")
            target = cmd.add_mutually_exclusive_group(required=True)
            target.add_argument("--org", metavar="CODE", help="on this organisation and everything under it")
            target.add_argument("--group", metavar="CODE", help="on this organisation group")

        for name, text in (("disable", "Disable an account: it can no longer sign in or use its tokens."),
                           ("enable", "Enable a disabled account again.")):
            cmd = sub.add_parser(name, help=text, description=f"{text} {EXIT_STATUS}")
            cmd.add_argument("username", metavar="USERNAME")

        token = sub.add_parser(
            "token", help="Issue an API token and print it once.",
            description="Issue a bearer token for the REST API and print it once on standard output (only its "
                        "hash is stored). It expires after DAYS days (default 90, at most 365) and can be revoked "
                        "on the user's page. " + EXIT_STATUS)
        token.add_argument("username", metavar="USERNAME")
        token.add_argument("--expires", type=int, default=None, metavar="DAYS", help="days until it expires")
        token.add_argument("--name", default="", metavar="NAME", help="what the token is for")

        listing = sub.add_parser("list", help="List accounts with their roles.",
                                 description="List accounts (those whose home organisation is CODE or under it) "
                                             "with their active roles. " + EXIT_STATUS)
        listing.add_argument("--org", metavar="CODE", help="only accounts at this organisation or under it")

    def handle(self, *args, **options):
        action = options["action"]
        try:
            getattr(self, f"do_{action}")(options)
        except ServiceError as exc:
            raise CommandError(str(exc.message)) from exc

    # --- lookups -------------------------------------------------------------------------

    def _user(self, username: str) -> User:
        user = User.objects.filter(username__iexact=username).first()
        if user is None:
            raise CommandError(_("No account has the username “%(username)s”.") % {"username": username})
        return user

    def _org(self, code: str) -> Organisation:
        org = Organisation.objects.filter(code=code).first()
        if org is None:
            raise CommandError(_("No organisation has the code “%(code)s”.") % {"code": code})
        return org

    def _group(self, code: str) -> OrganisationGroup:
        group = OrganisationGroup.objects.filter(code=code).first()
        if group is None:
            raise CommandError(_("No organisation group has the code “%(code)s”.") % {"code": code})
        return group

    def _target(self, options) -> dict:
        if options.get("org"):
            return {"organisation": self._org(options["org"]), "group": None}
        return {"organisation": None, "group": self._group(options["group"])}

    # --- sub-commands --------------------------------------------------------------------

    def do_create(self, options) -> None:
        org = self._org(options["org"])
        password = None
        if options["password_stdin"]:
            stdin = options.get("stdin") or sys.stdin
            password = stdin.readline().rstrip("\r\n")
            if not password:
                raise CommandError(_("--password-stdin was given but standard input is empty."), returncode=2)
        user, generated = services.create_user(
            actor=SYSTEM, username=options["username"], organisation=org, role=options["role"], password=password,
            full_name=options["full_name"], email=options["email"], mobile=options["mobile"],
        )
        self.stdout.write(_("Created account %(username)s: %(role)s at %(org)s.")
                          % {"username": user.username, "role": Role(options["role"]).label, "org": org.code})
        if generated:
            self.stdout.write(_("Password (shown once): %(password)s") % {"password": generated})

    def do_grant(self, options) -> None:
        user = self._user(options["username"])
        target = self._target(options)
        grant = services.grant_role(actor=SYSTEM, user=user, role=options["role"], **target)
        self.stdout.write(_("Granted %(role)s at %(target)s to %(username)s.")
                          % {"role": Role(grant.role).label, "target": _target_code(grant), "username": user.username})

    def do_revoke(self, options) -> None:
        user = self._user(options["username"])
        target = self._target(options)
        grant = Grant.objects.active().filter(user=user, role=options["role"], **target).first()
        if grant is None:
            raise CommandError(_("%(username)s holds no such role there.") % {"username": user.username})
        services.revoke_grant(actor=SYSTEM, grant=grant)
        self.stdout.write(_("Revoked %(role)s at %(target)s from %(username)s.")
                          % {"role": Role(grant.role).label, "target": _target_code(grant), "username": user.username})

    def do_disable(self, options) -> None:
        user = services.set_user_active(actor=SYSTEM, user=self._user(options["username"]), active=False)
        self.stdout.write(_("Disabled account %(username)s.") % {"username": user.username})

    def do_enable(self, options) -> None:
        user = services.set_user_active(actor=SYSTEM, user=self._user(options["username"]), active=True)
        self.stdout.write(_("Enabled account %(username)s.") % {"username": user.username})

    def do_token(self, options) -> None:
        from nuanxin.accounts.services import create_api_token

        user = self._user(options["username"])
        token, plaintext = create_api_token(actor=SYSTEM, user=user, expires_days=options["expires"],
                                            name=options["name"])
        # The token alone on standard output, so that TOKEN=$(nuanxin users token NAME) works.
        self.stdout.write(plaintext)
        expires = f"{timezone.localtime(token.expires_at):%Y-%m-%d %H:%M}"
        self.stderr.write(_("Token for %(username)s, expires %(date)s. It is shown only this once.")
                          % {"username": user.username, "date": expires})

    def do_list(self, options) -> None:
        qs = User.objects.select_related("organisation").prefetch_related(selectors.active_grants_prefetch())
        if options.get("org"):
            qs = qs.filter(organisation__path__startswith=self._org(options["org"]).path)
        for user in qs.order_by("username"):
            roles = ",".join(f"{g.role}@{_target_code(g)}" for g in user.active_grants) or "-"
            state = "" if user.is_active else "  " + _("(disabled)")
            org = user.organisation.code if user.organisation else "-"
            self.stdout.write(f"{user.username}  {user.full_name or '-'}  {org}  {roles}{state}")


def _target_code(grant: Grant) -> str:
    if grant.organisation is not None:
        return grant.organisation.code
    return f"group:{grant.group.code}" if grant.group is not None else "-"
