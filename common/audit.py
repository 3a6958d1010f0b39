"""The audit trail of staff actions: who did what to which record, and when.

The admin already writes a LogEntry for each add, change and delete it performs; actions
that change state through a service (publish, approve, send, pause ...) call `record()`
so that they appear in the same trail, which staff read in the admin (cpaor/admin.py).
"""

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType

# The account named in the trail for what the portal does by itself (a beat task lapsing
# a membership nobody renewed): it cannot sign in, and staff see plainly that no person
# acted.
SYSTEM_USERNAME = "cpaor-system"


def system_actor():
    """The portal itself as an actor, created the first time it acts."""
    user, created = get_user_model().objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"is_active": False, "first_name": "CP AoR portal (automatic)"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def record(*, actor, obj, message, label=None):
    """Add one line to the audit trail; `message` says what was done, in English.

    label replaces the record's name in the trail where that name is personal data
    about to be erased (a subscriber's address).
    """
    if actor is None or not getattr(actor, "pk", None):
        return None
    entry = LogEntry.objects.log_actions(
        user_id=actor.pk,
        queryset=[obj],
        action_flag=CHANGE,
        change_message=message,
        single_object=True,
    )
    if label is not None:
        entry.object_repr = label
        entry.save(update_fields=["object_repr"])
    return entry


def record_many(*, actor, objects, message):
    """The same line for each of several objects (a bulk admin action)."""
    if actor is None or not getattr(actor, "pk", None):
        return []
    return LogEntry.objects.log_actions(
        user_id=actor.pk, queryset=list(objects), action_flag=CHANGE, change_message=message
    )


def trail_for(obj):
    """The audit lines of one object, newest first."""
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
    ).select_related("user")
