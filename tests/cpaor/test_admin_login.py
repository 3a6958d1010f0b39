"""The admin's log-in is limited like the public one; staff sessions are short."""

import uuid

import pytest

from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
LOGIN = "/admin/login/?next=/admin/"
MEMBER_SESSION = 14 * 24 * 3600  # Django's default two weeks


@pytest.fixture(autouse=True)
def fresh_limits(settings):
    """Counters of this test's own, so limits start at zero in the shared Redis."""
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "KEY_PREFIX": f"cpaor-test-{uuid.uuid4().hex}"}
    }
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "login_failed": "10/m/ip,5/300s/key",
    }


def staff(**kwargs):
    return UserFactory(is_staff=True, **kwargs)


def admin_login(client, username, password, address="203.0.113.10"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def refused(response):
    return response.status_code == 429 and "Too many attempts" in response.content.decode()


def test_an_account_is_locked_after_five_wrong_passwords_even_for_the_right_one(client):
    user = staff()
    for _ in range(5):
        response = admin_login(client, user.username, "wrong password")
        assert response.status_code == 200
        assert not refused(response)
    # From another client too: the limit is the account's.
    right = admin_login(client, user.username, PASSWORD, address="198.51.100.99")
    assert refused(right)
    assert "_auth_user_id" not in client.session


def test_a_client_is_refused_after_ten_wrong_passwords_even_for_another_account(client):
    first, second, third = staff(), staff(), staff()
    for user in (first, second):
        for _ in range(5):
            assert admin_login(client, user.username, "wrong").status_code == 200
    # The eleventh try from this client, with an account it never tried and its right
    # password: refused before the password is checked.
    eleventh = admin_login(client, third.username, PASSWORD)
    assert refused(eleventh)
    assert "_auth_user_id" not in client.session
    # Another client logs in to that account as usual.
    other = admin_login(client, third.username, PASSWORD, address="198.51.100.7")
    assert (other.status_code, other["Location"]) == (302, "/admin/")


def test_successful_log_ins_do_not_count(client):
    user = staff()
    for _ in range(12):
        response = admin_login(client, user.username, PASSWORD)
        assert (response.status_code, response["Location"]) == (302, "/admin/")
        client.logout()


def test_unknown_and_hostile_usernames_are_counted_without_an_error(client):
    for username in ["nobody", "", "a" * 5000, "evil\x00name", "\u202eadmin"]:
        response = admin_login(client, username, "x", address="192.0.2.55")
        assert response.status_code == 200
    assert not refused(admin_login(client, "nobody2", "x", address="192.0.2.55"))


def test_a_staff_log_in_gets_a_short_session_and_a_members_does_not(client, settings):
    user = staff()
    response = admin_login(client, user.username, PASSWORD)
    assert response.status_code == 302
    assert client.session.get_expiry_age() == settings.STAFF_SESSION_SECONDS == 8 * 3600
    assert int(response.cookies[settings.SESSION_COOKIE_NAME]["max-age"]) == 8 * 3600
    client.logout()

    member = UserFactory()
    response = client.post("/en/accounts/login/", {"login": member.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session.get_expiry_age() == MEMBER_SESSION


def test_staff_signing_in_through_the_public_log_in_also_get_a_short_session(client, settings):
    user = staff()
    response = client.post("/en/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session.get_expiry_age() == settings.STAFF_SESSION_SECONDS


def test_a_superuser_without_the_staff_flag_gets_the_short_session_too(client, settings):
    root = UserFactory(is_superuser=True, is_staff=False)
    response = admin_login(client, root.username, PASSWORD)
    assert response.status_code == 200  # the admin wants is_staff; the log-in is refused
    response = client.post("/en/accounts/login/", {"login": root.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session.get_expiry_age() == settings.STAFF_SESSION_SECONDS
