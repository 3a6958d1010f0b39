"""Focal points: a member's representatives invite colleagues by e-mail, who accept with
an account that has verified the invited address; focal points withdraw invitations,
leave and remove each other, never leaving a member with none; nobody else reaches a
member's pages."""

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from members import services
from members.models import FocalPoint, FocalPointInvitation

from .factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long enough passphrase 42"


@pytest.fixture
def focal():
    return UserFactory(email="amina@children-first.example.org")


@pytest.fixture
def member(focal):
    membership = MembershipFactory(
        partner__name_en="Children First", partner__acronym_en="", language="en"
    )
    FocalPoint.objects.create(membership=membership, user=focal)
    return membership


def invite(client, member, email, **extra):
    return client.post(reverse("members:invite", args=[member.pk]), {"email": email}, **extra)


def invitation_link(message):
    return re.search(r"https?://\S+/invitations/\S+/", message.body).group(0)


def path_of(link):
    return re.sub(r"^https?://[^/]+", "", link)


def audit_lines(membership):
    return list(
        LogEntry.objects.filter(object_id=str(membership.pk))
        .order_by("pk")
        .values_list("change_message", flat=True)
    )


# Inviting and accepting ----------------------------------------------------------------


def test_a_colleague_invited_by_email_signs_up_verifies_accepts_and_sees_the_member(
    client, member, focal, django_capture_on_commit_callbacks, fresh_limits
):
    client.force_login(focal)
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, member, "Karim@Children-First.example.org")
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["Karim@Children-First.example.org"]
    assert "Children First" in message.subject
    link = invitation_link(message)
    client.logout()

    # Not signed in: the page says what the invitation is and how to accept it.
    page = client.get(path_of(link))
    assert page.status_code == 200
    assert "Children First" in page.content.decode()
    assert "/accounts/signup/?next=" in page.content.decode()

    # A new account with the invited address, verified through allauth's own e-mail.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/en/accounts/signup/",
            {
                "email": "karim@children-first.example.org",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
    confirm = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body)
    client.post(path_of(confirm.group(0)))
    assert EmailAddress.objects.get(email="karim@children-first.example.org").verified

    client.logout()
    signed_in = client.post(
        f"/en/accounts/login/?next={path_of(link)}",
        {"login": "karim@children-first.example.org", "password": PASSWORD},
    )
    assert signed_in.status_code == 302 and signed_in["Location"] == path_of(link)
    assert "Accept: represent Children First" in client.get(path_of(link)).content.decode()
    accepted = client.post(path_of(link))
    assert accepted.status_code == 302
    karim = EmailAddress.objects.get(email="karim@children-first.example.org").user
    assert FocalPoint.objects.filter(membership=member, user=karim).exists()
    area = client.get(reverse("members:area")).content.decode()
    assert "Children First" in area
    assert "amina@children-first.example.org" in area
    invitation = FocalPointInvitation.objects.get()
    assert invitation.accepted_by == karim and invitation.accepted_at is not None
    assert audit_lines(member) == [
        "Invited Karim@Children-First.example.org to be a focal point",
        "Karim@Children-First.example.org accepted the invitation and is now a focal point",
    ]


def test_the_invitation_is_written_in_the_members_language(
    client, member, focal, django_capture_on_commit_callbacks
):
    member.language = "fr"
    member.save(update_fields=["language"])
    client.force_login(focal)
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, member, "karim@example.org")
    [message] = mail.outbox
    assert "/fr/membership/invitations/" in message.body
    assert message.extra_headers["Content-Language"] == "fr"


def test_accepting_twice_does_nothing_more(member, focal):
    invitation = services.focal_point_invite(
        membership=member, actor=focal, email="karim@example.org"
    )
    karim = UserFactory(email="karim@example.org")
    token = services.focal_points.invitation_token(invitation)
    first = services.focal_point_accept(invitation_token=token, user=karim)
    second = services.focal_point_accept(invitation_token=token, user=karim)
    assert first == second
    assert FocalPoint.objects.filter(membership=member).count() == 2
    assert len(audit_lines(member)) == 2


def test_another_account_or_an_unverified_address_is_refused_and_told_which_to_verify(
    client, member, focal
):
    invitation = services.focal_point_invite(
        membership=member, actor=focal, email="karim@example.org"
    )
    path = reverse("members:invitation", args=[services.focal_points.invitation_token(invitation)])
    someone_else = UserFactory(email="someone@example.org")
    client.force_login(someone_else)
    for response in (client.get(path), client.post(path)):
        assert response.status_code == 403
        assert "karim@example.org" in response.content.decode()
    # The invited address on an account, but not verified yet.
    unverified = UserFactory(email="karim@example.org")
    EmailAddress.objects.filter(user=unverified).update(verified=False)
    client.force_login(unverified)
    response = client.post(path)
    assert response.status_code == 403
    assert "This invitation is for karim@example.org" in response.content.decode()
    assert FocalPoint.objects.filter(membership=member).count() == 1
    assert FocalPointInvitation.objects.get().accepted_at is None


def test_an_invitation_accepted_by_one_account_is_refused_to_another(member, focal):
    invitation = services.focal_point_invite(
        membership=member, actor=focal, email="karim@example.org"
    )
    token = services.focal_points.invitation_token(invitation)
    services.focal_point_accept(invitation_token=token, user=UserFactory(email="karim@example.org"))
    other = UserFactory(email="other@example.org")
    with pytest.raises(services.InvitationUsed):
        services.focal_point_accept(invitation_token=token, user=other)


def test_a_colleague_who_accepted_then_left_cannot_use_the_link_again(client, member, focal):
    invitation = services.focal_point_invite(
        membership=member, actor=focal, email="karim@example.org"
    )
    token = services.focal_points.invitation_token(invitation)
    karim = UserFactory(email="karim@example.org")
    services.focal_point_accept(invitation_token=token, user=karim)
    services.focal_point_leave(membership=member, actor=karim)
    client.force_login(karim)
    path = reverse("members:invitation", args=[token])
    for response in (client.get(path), client.post(path)):
        assert response.status_code == 410
        assert "already been accepted" in response.content.decode()
    assert not member.focal_points.filter(user=karim).exists()


@pytest.mark.parametrize("how", ["expired", "withdrawn", "tampered"])
def test_an_expired_withdrawn_or_altered_link_gets_a_clear_4xx_page(client, member, focal, how):
    invitation = services.focal_point_invite(
        membership=member, actor=focal, email="karim@example.org"
    )
    token = services.focal_points.invitation_token(invitation)
    if how == "expired":
        FocalPointInvitation.objects.filter(pk=invitation.pk).update(
            created=timezone.now() - timedelta(days=15)
        )
        expected, text = 410, "This invitation has expired"
    elif how == "withdrawn":
        services.focal_point_invitation_withdraw(invitation=invitation, actor=focal)
        expected, text = 410, "This invitation was withdrawn"
    else:
        token = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
        expected, text = 404, "This invitation link is not valid"
    client.force_login(UserFactory(email="karim@example.org"))
    path = reverse("members:invitation", args=[token])
    for response in (client.get(path), client.post(path)):
        assert response.status_code == expected
        assert text in response.content.decode()
    assert FocalPoint.objects.filter(membership=member).count() == 1


def test_a_link_older_than_the_configured_days_has_expired_whatever_the_database_says(
    member, focal, settings
):
    settings.MEMBERSHIP_INVITATION_DAYS = 2
    invitation = services.focal_point_invite(
        membership=member, actor=focal, email="karim@example.org"
    )
    FocalPointInvitation.objects.filter(pk=invitation.pk).update(
        created=timezone.now() - timedelta(days=3)
    )
    with pytest.raises(services.focal_points.InvitationExpired):
        services.focal_point_accept(
            invitation_token=services.focal_points.invitation_token(invitation),
            user=UserFactory(email="karim@example.org"),
        )


def test_inviting_the_same_address_again_sends_again_without_a_second_invitation(
    client, member, focal, django_capture_on_commit_callbacks
):
    client.force_login(focal)
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, member, "karim@example.org")
        FocalPointInvitation.objects.update(created=timezone.now() - timedelta(days=20))
        assert invite(client, member, "KARIM@example.org").status_code == 302
    assert FocalPointInvitation.objects.count() == 1
    invitation = FocalPointInvitation.objects.get()
    assert invitation.created > timezone.now() - timedelta(minutes=1)  # valid from now on
    # Sent again to the address as first invited.
    assert [message.to for message in mail.outbox] == [["karim@example.org"]] * 2
    area = client.get(reverse("members:area")).content.decode()
    assert len(re.findall(r"/invitations/\d+/withdraw/", area)) == 1


def test_a_withdrawn_address_can_be_invited_again_with_a_new_link(member, focal):
    first = services.focal_point_invite(membership=member, actor=focal, email="karim@example.org")
    services.focal_point_invitation_withdraw(invitation=first, actor=focal)
    second = services.focal_point_invite(membership=member, actor=focal, email="karim@example.org")
    assert second.pk != first.pk
    assert services.pending_invitations(member).get() == second


def test_inviting_someone_who_already_is_a_focal_point_says_so(client, member, focal):
    client.force_login(focal)
    response = invite(client, member, "AMINA@children-first.example.org")
    assert response.status_code == 400
    assert "is already a focal point" in response.content.decode()
    assert not FocalPointInvitation.objects.exists()


def test_a_bad_address_is_refused_with_a_message(client, member, focal):
    client.force_login(focal)
    response = invite(client, member, "not an address")
    assert response.status_code == 400
    assert "Enter a valid email address" in response.content.decode()
    assert not FocalPointInvitation.objects.exists()


def test_invitations_are_limited_per_member_and_day(client, member, focal, settings, fresh_limits):
    settings.RATELIMIT_ENABLED = True
    settings.MEMBERSHIP_INVITATIONS_PER_DAY = 3
    client.force_login(focal)
    codes = [invite(client, member, f"colleague{n}@example.org").status_code for n in range(4)]
    assert codes == [302, 302, 302, 429]
    assert FocalPointInvitation.objects.count() == 3
    # Re-sending counts too: it is an e-mail all the same.
    assert invite(client, member, "colleague0@example.org").status_code == 429
    # Another member has its own allowance.
    other = MembershipFactory()
    FocalPoint.objects.create(membership=other, user=focal)
    assert invite(client, other, "colleague0@example.org").status_code == 302


def test_a_pending_invitation_is_withdrawn_after_confirmation(client, member, focal):
    invitation = services.focal_point_invite(
        membership=member, actor=focal, email="karim@example.org"
    )
    client.force_login(focal)
    url = reverse("members:invitation_withdraw", args=[member.pk, invitation.pk])
    assert "Yes, withdraw it" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302  # a second click changes nothing
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert audit_lines(member)[-1] == "Withdrew the invitation to karim@example.org"
    assert len(audit_lines(member)) == 2


# Leaving and removing ------------------------------------------------------------------


def test_the_last_focal_point_cannot_leave_and_is_told_so(client, member, focal):
    client.force_login(focal)
    url = reverse("members:leave", args=[member.pk])
    page = client.get(url).content.decode()
    assert "only focal point" in page and "Yes, leave" not in page
    response = client.post(url)
    assert response.status_code == 409
    assert "only focal point" in response.content.decode()
    assert FocalPoint.objects.filter(membership=member, user=focal).exists()


def test_a_focal_point_leaves_and_no_longer_reaches_the_member(client, member, focal):
    colleague = UserFactory()
    FocalPoint.objects.create(membership=member, user=colleague)
    client.force_login(focal)
    assert client.post(reverse("members:leave", args=[member.pk])).status_code == 302
    assert not FocalPoint.objects.filter(membership=member, user=focal).exists()
    area = client.get(reverse("members:area")).content.decode()
    assert f'id="membership-{member.pk}"' not in area
    assert "You are not a member yet" in area
    assert client.get(reverse("members:entry", args=[member.pk])).status_code == 404
    assert audit_lines(member) == [f"{focal.email} left the member's focal points"]


def test_a_focal_point_removes_a_colleague(client, member, focal):
    colleague = UserFactory(email="karim@example.org")
    other = FocalPoint.objects.create(membership=member, user=colleague)
    client.force_login(focal)
    url = reverse("members:remove", args=[member.pk, other.pk])
    assert "karim@example.org" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert list(member.focal_points.values_list("user", flat=True)) == [focal.pk]
    assert audit_lines(member) == ["Removed karim@example.org from the member's focal points"]
    # The removed colleague's page of the member is gone, their old link too.
    client.force_login(colleague)
    assert client.get(reverse("members:invite", args=[member.pk])).status_code == 404


def test_two_focal_points_cannot_both_leave(member, focal):
    colleague = UserFactory()
    FocalPoint.objects.create(membership=member, user=colleague)
    assert services.focal_point_leave(membership=member, actor=focal)
    with pytest.raises(services.LastFocalPoint):
        services.focal_point_leave(membership=member, actor=colleague)
    assert list(member.focal_points.values_list("user", flat=True)) == [colleague.pk]


def test_the_applicant_of_a_membership_without_focal_point_rows_is_its_focal_point(client):
    """Membership.user keeps working: a membership created in admin, before focal points,
    is its account's, and stays so when a colleague joins."""
    applicant = UserFactory()
    membership = MembershipFactory(user=applicant, partner__name_en="Older Member")
    client.force_login(applicant)
    assert "Older Member" in client.get(reverse("members:area")).content.decode()
    invitation = services.focal_point_invite(
        membership=membership, actor=applicant, email="karim@example.org"
    )
    services.focal_point_accept(
        invitation_token=services.focal_points.invitation_token(invitation),
        user=UserFactory(email="karim@example.org"),
    )
    assert membership.focal_points.filter(user=applicant).exists()
    assert membership.focal_points.count() == 2


def test_an_invited_focal_point_finds_the_members_area_from_their_dashboard(client, member, focal):
    invitation = services.focal_point_invite(
        membership=member, actor=focal, email="karim@example.org"
    )
    karim = UserFactory(email="karim@example.org")
    services.focal_point_accept(
        invitation_token=services.focal_points.invitation_token(invitation), user=karim
    )
    client.force_login(karim)
    html = client.get(reverse("members:dashboard")).content.decode()
    assert reverse("members:area") in html


# Access --------------------------------------------------------------------------------


def member_pages(member, focal_point_pk, invitation_pk):
    return [
        reverse("members:invite", args=[member.pk]),
        reverse("members:entry", args=[member.pk]),
        reverse("members:leave", args=[member.pk]),
        reverse("members:remove", args=[member.pk, focal_point_pk]),
        reverse("members:invitation_withdraw", args=[member.pk, invitation_pk]),
    ]


@pytest.mark.parametrize("method", ["get", "post"])
def test_someone_who_is_not_a_focal_point_gets_404_on_the_members_pages(
    client, member, focal, method
):
    invitation = services.focal_point_invite(
        membership=member, actor=focal, email="karim@example.org"
    )
    focal_point = member.focal_points.get()
    # A focal point of another member, and the account that merely was invited.
    stranger = UserFactory()
    FocalPoint.objects.create(membership=MembershipFactory(), user=stranger)
    for person in (stranger, UserFactory(email="karim@example.org")):
        client.force_login(person)
        for url in member_pages(member, focal_point.pk, invitation.pk):
            response = getattr(client, method)(url, {"email": "x@example.org"})
            assert response.status_code == 404, url
        assert "Children First" not in client.get(reverse("members:area")).content.decode()
    assert FocalPointInvitation.objects.count() == 1
    assert FocalPointInvitation.objects.get().revoked_at is None
    assert member.focal_points.count() == 1


def test_the_members_pages_need_a_sign_in(client, member, focal):
    invitation = services.focal_point_invite(
        membership=member, actor=focal, email="karim@example.org"
    )
    for url in member_pages(member, member.focal_points.get().pk, invitation.pk):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# The members' area ---------------------------------------------------------------------


def test_the_area_lists_focal_points_and_pending_invitations_only(client, member, focal):
    colleague = UserFactory(email="karim@example.org")
    FocalPoint.objects.create(membership=member, user=colleague)
    services.focal_point_invite(membership=member, actor=focal, email="pending@example.org")
    withdrawn = services.focal_point_invite(
        membership=member, actor=focal, email="withdrawn@example.org"
    )
    services.focal_point_invitation_withdraw(invitation=withdrawn, actor=focal)
    expired = services.focal_point_invite(
        membership=member, actor=focal, email="expired@example.org"
    )
    FocalPointInvitation.objects.filter(pk=expired.pk).update(
        created=timezone.now() - timedelta(days=30)
    )
    client.force_login(focal)
    html = client.get(reverse("members:area")).content.decode()
    assert "karim@example.org" in html and "amina@children-first.example.org" in html
    assert "pending@example.org" in html
    assert "withdrawn@example.org" not in html and "expired@example.org" not in html


@pytest.mark.parametrize("lang", ["en", "fr", "es", "ar"])
def test_the_area_and_the_invitation_page_answer_in_each_language(client, member, focal, lang):
    invitation = services.focal_point_invite(
        membership=member, actor=focal, email="karim@example.org"
    )
    client.force_login(focal)
    html = client.get(f"/{lang}/membership/area/").content.decode()
    assert f'<html lang="{lang}"' in html and ('dir="rtl"' in html) == (lang == "ar")
    client.logout()
    token = services.focal_points.invitation_token(invitation)
    response = client.get(f"/{lang}/membership/invitations/{token}/")
    assert response.status_code == 200
    assert ('dir="rtl"' in response.content.decode()) == (lang == "ar")


def test_the_members_area_costs_the_same_queries_with_many_focal_points_and_invitations(
    client, member, focal
):
    client.force_login(focal)

    def count():
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse("members:area")).status_code == 200
        return len(context.captured_queries)

    small = count()
    for n in range(12):
        FocalPoint.objects.create(membership=member, user=UserFactory())
        FocalPointInvitation.objects.create(
            membership=member, email=f"colleague{n}@example.org", invited_by=focal
        )
    second = MembershipFactory()
    FocalPoint.objects.create(membership=second, user=focal)
    for n in range(5):
        FocalPointInvitation.objects.create(
            membership=second, email=f"other{n}@example.org", invited_by=focal
        )
    large = count()
    assert large == small
    assert "colleague11@example.org" in client.get(reverse("members:area")).content.decode()


def test_staff_see_the_focal_points_and_invitations_on_a_membership_in_admin(client, member, focal):
    services.focal_point_invite(membership=member, actor=focal, email="karim@example.org")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(reverse("admin:members_membership_change", args=[member.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="focal_points-0-user"' in html and f'value="{focal.pk}"' in html
    assert "karim@example.org" in html
    # Staff name another focal point here when the last one needs to go.
    colleague = UserFactory()
    data = {
        "focal_points-TOTAL_FORMS": "2",
        "focal_points-INITIAL_FORMS": "1",
        "focal_points-0-id": str(member.focal_points.get().pk),
        "focal_points-0-membership": str(member.pk),
        "focal_points-0-user": str(focal.pk),
        "focal_points-0-DELETE": "on",
        "focal_points-1-membership": str(member.pk),
        "focal_points-1-user": str(colleague.pk),
    }
    form = response.context["adminform"].form
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        if hasattr(value, "__iter__") and not isinstance(value, str):
            data[name] = [str(getattr(item, "pk", item)) for item in value]
        else:
            data[name] = str(getattr(value, "pk", value))
    for key in ("INITIAL_FORMS", "TOTAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
        data.setdefault(f"invitations-{key}", "0" if key != "MAX_NUM_FORMS" else "1000")
    data["invitations-TOTAL_FORMS"] = "1"
    data["invitations-INITIAL_FORMS"] = "1"
    data["invitations-0-id"] = str(FocalPointInvitation.objects.get().pk)
    data["invitations-0-membership"] = str(member.pk)
    response = client.post(reverse("admin:members_membership_change", args=[member.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(member.focal_points.values_list("user", flat=True)) == [colleague.pk]


@pytest.mark.django_db(transaction=True)
def test_two_focal_points_leaving_at_the_same_moment_leave_one_behind(monkeypatch):
    """The membership row is locked before counting: two leaves racing in two database
    sessions cannot both see two focal points. Each leave pauses between counting and
    deleting, so without the lock both would count two and both would go."""
    import threading
    import time

    from django.db import connections

    real_delete = FocalPoint.delete

    def slow_delete(self, *args, **kwargs):
        time.sleep(0.5)
        return real_delete(self, *args, **kwargs)

    monkeypatch.setattr(FocalPoint, "delete", slow_delete)

    membership = MembershipFactory()
    people = [UserFactory(), UserFactory()]
    for person in people:
        FocalPoint.objects.create(membership=membership, user=person)
    barrier = threading.Barrier(2)
    outcomes = []

    def leave(person):
        try:
            barrier.wait()
            outcomes.append(services.focal_point_leave(membership=membership, actor=person))
        except services.LastFocalPoint:
            outcomes.append("last")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=leave, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes, key=str) == sorted([True, "last"], key=str)
    assert membership.focal_points.count() == 1
