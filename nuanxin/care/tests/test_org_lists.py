"""The viewer's organisation list (issue 11, item 10): hospitals of a group grant sit right
under the city the list starts from, not indented twice below a district that is not shown."""

import pytest
from django.urls import reverse

from nuanxin.care.tests.pages_fixtures import client_for
from nuanxin.core import treelabels

pytestmark = pytest.mark.django_db

SP = treelabels.INDENT


def test_the_viewers_unit_list_has_no_gap(personas):
    response = client_for(personas.viewer).get(reverse("care:overview"))
    assert response.status_code == 200
    choices = response.context["picker"].choices
    assert choices[0] == ("CITY", "青岛市总工会")
    assert all(label.startswith(SP) and not label.startswith(SP * 2) for _code, label in choices[1:])
    assert ("SN-H1", SP + "市南区人民医院工会") in choices and ("SB-H1", SP + "市北区人民医院工会") in choices


def test_an_administrator_still_sees_the_whole_tree(personas):
    choices = client_for(personas.jia).get(reverse("care:overview")).context["picker"].choices
    assert choices[:3] == [
        ("CITY", "青岛市总工会"), ("SB", SP + "市北区总工会"), ("SB-H1", SP * 2 + "市北区人民医院工会")
    ]


def test_indents_count_only_the_organisations_shown(personas):
    p = personas
    orgs = [p.city, p.shinan_hospital, p.shibei, p.shibei_hospital]
    assert treelabels.indents(orgs) == {p.city.path: 0, p.shinan_hospital.path: 1, p.shibei.path: 1,
                                        p.shibei_hospital.path: 2}
