import pytest
from django.contrib.auth.models import Group

from common.groups import (
    ALL_GROUPS,
    CONTENT_EDITORS,
    MEMBERSHIP_REVIEWERS,
    NEWSLETTER_EDITORS,
    RESOURCE_CURATORS,
)

pytestmark = pytest.mark.django_db


def test_the_four_staff_groups_exist_after_migrating():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ALL_GROUPS)


def test_content_editors_may_edit_the_strategy_and_nothing_of_the_accounts():
    codenames = set(
        Group.objects.get(name=CONTENT_EDITORS).permissions.values_list("codename", flat=True)
    )
    assert {"change_strategy", "add_strategygoal"} <= codenames
    assert not any(code.endswith("_user") or code.endswith("_group") for code in codenames)


def test_no_staff_group_may_manage_accounts_or_permissions():
    for group in Group.objects.filter(name__in=ALL_GROUPS):
        apps = set(group.permissions.values_list("content_type__app_label", flat=True))
        assert "auth" not in apps, group.name
        assert "sessions" not in apps, group.name


def test_a_content_editor_reaches_the_strategy_admin_but_not_the_users(client, django_user_model):
    editor = django_user_model.objects.create_user("editor", "editor@example.org", "pw-123456!")
    editor.is_staff = True
    editor.save()
    editor.groups.add(Group.objects.get(name=CONTENT_EDITORS))
    client.force_login(editor)
    assert client.get("/admin/cpaor/strategy/").status_code == 200
    assert client.get("/admin/cpaor/user/").status_code == 403


# What each staff group may change (add/change/delete), as app or app.model; it may
# also view what its own pages link to (autocomplete of initiatives, partners ...).
CHANGES = {
    # The "How to get involved" texts are content, edited with the rest of the site.
    CONTENT_EDITORS: {"cpaor", "initiatives", "members.membershiptier"},
    RESOURCE_CURATORS: {"resources"},
    # Reviewers and editors send again the e-mails to applicants and readers that failed.
    MEMBERSHIP_REVIEWERS: {"members", "common.outboundemail"},
    NEWSLETTER_EDITORS: {"newsletters", "common.outboundemail"},
}


@pytest.mark.parametrize("group_name", list(CHANGES))
def test_each_staff_group_changes_only_its_own_models(group_name):
    permissions = Group.objects.get(name=group_name).permissions.select_related("content_type")
    allowed = CHANGES[group_name]
    outside = sorted(
        permission.codename
        for permission in permissions
        if not permission.codename.startswith("view_")
        and permission.content_type.app_label not in allowed
        and f"{permission.content_type.app_label}.{permission.content_type.model}" not in allowed
    )
    assert outside == []
    assert any(not p.codename.startswith("view_") for p in permissions), group_name


ADMIN_PAGES = {
    CONTENT_EDITORS: "/admin/initiatives/initiative/",
    RESOURCE_CURATORS: "/admin/resources/resource/",
    MEMBERSHIP_REVIEWERS: "/admin/members/application/",
    NEWSLETTER_EDITORS: "/admin/newsletters/issue/",
}
# Pages with personal data: nobody outside the group even reads them.
PRIVATE = {MEMBERSHIP_REVIEWERS, NEWSLETTER_EDITORS}


@pytest.mark.parametrize("group_name", list(ADMIN_PAGES))
def test_staff_reach_their_own_admin_pages_and_not_the_others(client, group_name):
    from tests.initiatives.factories import UserFactory

    client.force_login(UserFactory(is_staff=True, groups=[group_name]))
    for other, url in ADMIN_PAGES.items():
        if other == group_name:
            assert client.get(url).status_code == 200, url
            continue
        assert client.get(url + "add/").status_code == 403, (group_name, url)
        if other in PRIVATE:
            assert client.get(url).status_code == 403, (group_name, url)
    assert client.get("/admin/admin/logentry/").status_code == 403
    assert client.get("/admin/auth/group/").status_code == 403
    assert client.get("/admin/cpaor/user/").status_code == 403
