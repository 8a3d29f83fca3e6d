"""Ids posted to the organisation forms that no database column can hold are a field error,
not a server error (SQLite cannot even bind an integer beyond 64 bits)."""

import pytest
from django.urls import reverse

from nuanxin.orgs.models import OrganisationGroup


@pytest.mark.parametrize("value", ["9" * 30, "-1", "abc"])
def test_impossible_member_ids_are_a_field_error(client, personas, value):
    client.force_login(personas.jia)
    response = client.post(reverse("orgs:group_create"), {"code": "G1", "name": "组", "members": [value]})
    assert response.status_code == 200
    assert response.context["form"].errors["members"]
    response = client.post(reverse("orgs:group_edit", args=[personas.med_group.pk]), {"members": [value]})
    assert response.status_code == 200
    assert response.context["form"].errors["members"]
    assert OrganisationGroup.objects.count() == 1
