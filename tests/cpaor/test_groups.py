import pytest
from django.contrib.auth.models import Group

from cpaor.groups import ALL_GROUPS, CONTENT_EDITORS

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
