"""Staff groups and the permissions each needs, granted from data migrations.

Each app's migration grants its own models to a group, so a group never reaches a
model it does not need (Django admin shows staff only what their permissions allow).
"""

CONTENT_EDITORS = "Content editors"
RESOURCE_CURATORS = "Resource curators"
MEMBERSHIP_REVIEWERS = "Membership reviewers"
NEWSLETTER_EDITORS = "Newsletter editors"
ALL_GROUPS = [CONTENT_EDITORS, RESOURCE_CURATORS, MEMBERSHIP_REVIEWERS, NEWSLETTER_EDITORS]

EDIT = ("add", "change", "delete", "view")
VIEW = ("view",)


def grant(apps, group_name, app_label, model_names, actions=EDIT):
    """Give group_name the actions on app_label's models; safe to run again."""
    from django.contrib.auth.management import create_permissions

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    # Permissions are normally created after all migrations; make sure they exist now.
    app_config = apps.get_app_config(app_label)
    app_config.models_module = True  # a migration state's AppConfigStub lacks it
    create_permissions(app_config, apps=apps, verbosity=0)
    group, _ = Group.objects.get_or_create(name=group_name)
    codenames = [f"{action}_{model}" for model in model_names for action in actions]
    permissions = Permission.objects.filter(
        content_type__app_label=app_label, codename__in=codenames
    )
    missing = set(codenames) - set(permissions.values_list("codename", flat=True))
    if missing:
        raise RuntimeError(f"Unknown permissions for {app_label}: {sorted(missing)}")
    group.permissions.add(*permissions)
