"""A generated password always passes the password policy for its account, the similarity
check included: a random string judged too similar to the username used to make creating an
account without a password fail, rarely and at random."""

from unittest import mock

import pytest
from django.contrib.auth import password_validation

from nuanxin.accounts.models import User
from nuanxin.orgs import services

pytestmark = pytest.mark.django_db


def test_a_generated_password_too_similar_to_the_username_is_drawn_again():
    user = User(username="hotline-supervisor", full_name="督导")
    similar, fine = "supervisor1super", "aB3dE5gH7jK9mN1p"
    with pytest.raises(password_validation.ValidationError):
        password_validation.validate_password(similar, user)
    draws = iter(similar + fine)
    with mock.patch.object(services.secrets, "choice", side_effect=lambda alphabet: next(draws)):
        assert services.generate_password(user=user) == fine
    password_validation.validate_password(fine, user)
