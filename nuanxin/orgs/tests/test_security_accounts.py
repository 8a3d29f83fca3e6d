"""An administrator's powers over accounts do not apply to their own account: a session left
open must not become a way to take the account over. Changing one's own password needs the
current one (the account page, counted towards the lockout); the admin's "reset password"
refuses one's own account, like disabling it or resetting its authenticator."""

import pytest
from django.urls import reverse

from nuanxin.accounts.models import User
from nuanxin.core.errors import NotAllowed
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.orgs import services


def test_an_admin_cannot_reset_their_own_password_from_the_user_page(client, personas):
    client.force_login(personas.yi)
    response = client.post(reverse("orgs:user_reset_password", args=[personas.yi.pk]), follow=True)
    assert response.redirect_chain == [(reverse("orgs:user_detail", args=[personas.yi.pk]), 302)]
    assert "nx-password" not in response.content.decode()
    assert User.objects.get(pk=personas.yi.pk).check_password(personas.password)
    assert AuditLog.objects.filter(action="user.password").count() == 0


def test_setting_one_s_own_password_needs_the_current_one(personas):
    with pytest.raises(NotAllowed):
        services.set_password(actor=personas.yi, user=personas.yi, password="Brand-new-pass-2021")
    with pytest.raises(NotAllowed):
        services.set_password(
            actor=personas.yi, user=personas.yi, password="Brand-new-pass-2021", current_password="wrong-one-2020"
        )
    assert User.objects.get(pk=personas.yi.pk).check_password(personas.password)
    services.set_password(
        actor=personas.yi, user=personas.yi, password="Brand-new-pass-2021", current_password=personas.password
    )
    assert User.objects.get(pk=personas.yi.pk).check_password("Brand-new-pass-2021")


def test_an_admin_still_resets_the_password_of_an_account_they_manage(personas):
    services.set_password(actor=personas.yi, user=personas.care, password="Brand-new-pass-2021")
    assert User.objects.get(pk=personas.care.pk).check_password("Brand-new-pass-2021")


def test_grants_are_given_and_revoked_only_on_accounts_the_admin_can_see(personas):
    """丙 cannot touch the grants of 乙's staff, even on 丙's own organisations (the user pages
    are 404 for them; the service refuses too)."""
    with pytest.raises(NotAllowed):
        services.grant_role(actor=personas.bing, user=personas.care, role="viewer", organisation=personas.shibei)
    own = services.grant_role(actor=SYSTEM, user=personas.care, role="viewer", organisation=personas.shibei_hospital)
    with pytest.raises(NotAllowed):
        services.revoke_grant(actor=personas.bing, grant=own)
    assert personas.care.grants.active().count() == 2
    # 乙 manages the care contact's account.
    services.grant_role(actor=personas.yi, user=personas.care, role="viewer", organisation=personas.shinan)
    assert personas.care.grants.active().count() == 3
