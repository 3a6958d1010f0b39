"""Accounts (allauth): the portal's pages, e-mails by Celery, no way to tell a known
address from an unknown one, rate limits."""

import pytest
from django.core import mail

from .factories import UserFactory

pytestmark = pytest.mark.django_db

PAGES = [
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/password/reset/done/",
    "/accounts/confirm-email/",
]
LOGGED_IN_PAGES = ["/accounts/email/", "/accounts/password/change/", "/accounts/logout/"]


@pytest.fixture(autouse=True)
def _fresh_limits(fresh_limits):
    pass


@pytest.mark.parametrize("lang", ["en", "fr", "es", "ar"])
@pytest.mark.parametrize("path", PAGES)
def test_every_account_page_uses_the_portal_layout_in_each_language(client, lang, path):
    response = client.get(f"/{lang}{path}")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{lang}"' in html
    assert ('dir="rtl"' in html) == (lang == "ar")
    assert 'class="wrap account-page"' in html
    assert 'class="site-footer"' in html


@pytest.mark.parametrize("lang", ["en", "fr", "es", "ar"])
@pytest.mark.parametrize("path", LOGGED_IN_PAGES)
def test_account_pages_of_a_signed_in_person_use_the_portal_layout(client, lang, path):
    client.force_login(UserFactory())
    response = client.get(f"/{lang}{path}")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{lang}"' in html
    assert 'class="wrap account-page"' in html


def signup(client, email, password="a-long enough passphrase 42"):
    return client.post(
        "/en/accounts/signup/", {"email": email, "password1": password, "password2": password}
    )


def test_signing_up_sends_the_verification_email_through_celery_after_commit(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = signup(client, "new.person@example.org")
    assert response.status_code == 302
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert [message.to for message in mail.outbox] == [["new.person@example.org"]]
    assert "/accounts/confirm-email/" in mail.outbox[0].body


def test_signing_up_with_a_known_address_answers_exactly_like_a_new_one(
    client, django_capture_on_commit_callbacks
):
    UserFactory(email="known@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        known = signup(client, "known@example.org")
    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        new = signup(client, "unknown@example.org")
    assert known.status_code == new.status_code == 302
    assert known["Location"] == new["Location"]
    # The known address is told by e-mail, never on the page.
    assert {message.to[0] for message in mail.outbox} == {
        "known@example.org",
        "unknown@example.org",
    }


def test_signing_up_with_a_known_address_costs_the_same_password_hashing_as_a_new_one(
    client, monkeypatch
):
    """The slow part of a sign-up is hashing the password; a known address must pay it
    too, or the quicker answer would tell that it has an account. Counting the hashes
    (the hasher still runs for real) says so without timing a loaded machine."""
    from django.contrib.auth.hashers import get_hasher

    hasher_class = type(get_hasher())
    hashed = []
    real_encode = hasher_class.encode

    def counting_encode(self, password, salt, *args, **kwargs):
        hashed.append(password)
        return real_encode(self, password, salt, *args, **kwargs)

    monkeypatch.setattr(hasher_class, "encode", counting_encode)
    UserFactory(email="known@example.org")

    def hashes_for(email):
        hashed.clear()
        response = signup(client, email)
        client.logout()
        return len(hashed), response

    known_count, known = hashes_for("known@example.org")
    new_count, new = hashes_for("new@example.org")
    assert new_count >= 1
    assert known_count == new_count
    assert known.status_code == new.status_code
    assert known.get("Location") == new.get("Location")


def test_password_reset_answers_the_same_for_known_and_unknown_addresses(
    client, django_capture_on_commit_callbacks
):
    UserFactory(email="known@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post("/en/accounts/password/reset/", {"email": "known@example.org"})
        unknown = client.post("/en/accounts/password/reset/", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert "/accounts/password/reset/key/" in by_recipient["known@example.org"].body
    assert "/accounts/password/reset/key/" not in by_recipient["nobody@example.org"].body


def test_a_password_reset_link_lets_the_person_choose_a_new_password(
    client, django_capture_on_commit_callbacks
):
    import re

    user = UserFactory(email="forgetful@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/en/accounts/password/reset/", {"email": user.email})
    link = re.search(
        r"http://testserver(/\S+/accounts/password/reset/key/\S+)", mail.outbox[0].body
    )
    page = client.get(link.group(1), follow=True)
    assert page.status_code == 200
    new_password = "another long passphrase 7"
    response = client.post(
        page.redirect_chain[-1][0] if page.redirect_chain else link.group(1),
        {"password1": new_password, "password2": new_password},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)


def test_repeated_failed_logins_are_limited(client):
    user = UserFactory(email="target@example.org")
    for _ in range(5):
        response = client.post(
            "/en/accounts/login/", {"login": user.email, "password": "wrong password"}
        )
        assert response.status_code == 400
        assert "Too many failed login attempts" not in response.content.decode()
    # The sixth try is refused before the password is even checked, the right one too.
    right = client.post(
        "/en/accounts/login/", {"login": user.email, "password": "correct horse battery staple"}
    )
    assert right.status_code == 400
    assert "Too many failed login attempts" in right.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_signed_in_person_changes_their_email_and_must_verify_the_new_one(
    client, django_capture_on_commit_callbacks
):
    from allauth.account.models import EmailAddress

    user = UserFactory(email="old@example.org")
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/en/accounts/email/", {"action_add": "", "email": "new@example.org"}
        )
    assert response.status_code == 302
    assert EmailAddress.objects.filter(user=user, email="new@example.org", verified=False).exists()
    assert any(message.to == ["new@example.org"] for message in mail.outbox)


def test_a_wrong_password_and_an_unknown_address_get_the_same_answer(client):
    UserFactory(email="known@example.org")
    known = client.post("/en/accounts/login/", {"login": "known@example.org", "password": "nope"})
    unknown = client.post(
        "/en/accounts/login/", {"login": "unknown@example.org", "password": "nope"}
    )
    assert known.status_code == unknown.status_code == 400
    assert known.context["form"].errors == unknown.context["form"].errors
