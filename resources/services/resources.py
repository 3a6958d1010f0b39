"""Creating, changing and publishing resources. The admin's form and actions, the CSV
import and the starting content all write through these functions.

Each is keyword-only and runs in one transaction: it checks the values with the model's
own validation (a ValidationError by field, raised before anything is written), writes
only what differs (nothing at all when nothing does, so a retry or a second click is
harmless) and adds one line to the audit trail for the person who acted (`actor`; None
for the seed and tasks, which leave no line). The functions that change one resource
take its id and lock its row; those that act on a selection take `resource_ids`.

A resource becomes published only through `_mark_published`, where its first
publication is dated.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from common import audit
from common.pagecache import public_pages_changed

from ..models import Resource, ResourceVersion
from .links import version_links_saved
from .search import resource_update_search_vector

Actor = AbstractBaseUser | None
Status = Resource.Status
# The many-to-many fields `relations` may name, each given as a collection of ids.
RELATIONS = ("topics", "initiatives", "regions", "countries", "publishers")


@dataclass(frozen=True)
class Link:
    """A language version that links to the document where it is published elsewhere."""

    language: str
    url: str
    page_count: int | None = None  # None: leave an existing version's count as it is


def _mark_published(resource: Resource, now: datetime.datetime) -> None:
    """The first publication is dated once: the feeds list a resource from that moment,
    and publishing it again after a return to draft keeps the date."""
    resource.status = Status.PUBLISHED
    if resource.published_at is None:
        resource.published_at = now


def _set_status(resource: Resource, status: str, now: datetime.datetime) -> None:
    if status == Status.PUBLISHED:
        _mark_published(resource, now)
    else:
        resource.status = status


def _validate(resource: Resource, fields: Iterable[str]) -> None:
    """The model's checks of the given fields only: the others are as stored (or their
    defaults), and checking an unchanged slug would cost a query for nothing."""
    fields = set(fields)
    resource.full_clean(
        exclude=[field.name for field in Resource._meta.fields if field.name not in fields]
    )


def _link_plan(versions: list[ResourceVersion], links: Iterable[Link]):
    """(versions to delete, versions to change, versions to add) for the link versions
    to become exactly `links`; a version with an uploaded file is never replaced."""
    links = list(links)
    with_file = {version.language for version in versions if version.file}
    clash = [link.language for link in links if link.language in with_file]
    if clash:
        raise ValidationError(
            {
                "links": gettext(
                    "The %(languages)s version has an uploaded file; change it in admin."
                )
                % {"languages": ", ".join(clash)}
            }
        )
    current = {version.language: version for version in versions if not version.file}
    wanted = {link.language for link in links}
    delete = [version.pk for language, version in current.items() if language not in wanted]
    change, add = [], []
    for link in links:
        version = current.get(link.language)
        if version is None:
            add.append(_link_version(link))
        elif version.external_url != link.url or link.page_count not in (
            None,
            version.page_count,
        ):
            version.external_url = link.url
            if link.page_count is not None:
                version.page_count = link.page_count
            change.append(version)
    return delete, change, add


def _link_version(link: Link) -> ResourceVersion:
    version = ResourceVersion(
        language=link.language,
        external_url=link.url,
        page_count=link.page_count,
        extraction_status=ResourceVersion.Extraction.NOT_APPLICABLE,
    )
    version.clean_fields(exclude=["resource", "file"])
    return version


def _write_links(resource: Resource, delete, change, add) -> None:
    if delete:
        ResourceVersion.objects.filter(pk__in=delete).delete()
    if change:
        ResourceVersion.objects.bulk_update(change, ["external_url", "page_count"])
    if add:
        for version in add:
            version.resource = resource
        ResourceVersion.objects.bulk_create(add)
    version_links_saved(resource=resource, versions=[*change, *add])


def resource_create(
    *,
    actor: Actor,
    values: Mapping[str, Any],
    relations: Mapping[str, Iterable[int]] | None = None,
    links: Iterable[Link] = (),
    reindex: bool = True,
) -> Resource:
    """A new resource with the given field values (a draft unless values["status"]
    says published), relations ({"topics": ids, ...}) and link versions.

    reindex=False leaves its search document to the caller, which writes a whole batch
    in one statement (the CSV import, the seed)."""
    values = dict(values)
    status = values.pop("status", Status.DRAFT)
    resource = Resource(**values)
    _set_status(resource, status, timezone.now())
    # Every field but a thumbnail not given: the model's checks would open no file.
    _validate(
        resource,
        [f.name for f in Resource._meta.fields if f.name != "thumbnail" or "thumbnail" in values],
    )
    versions = [_link_version(link) for link in links]
    with transaction.atomic():
        resource.save()
        for name, ids in (relations or {}).items():
            ids = list(ids)
            if ids:
                getattr(resource, name).add(*ids)
        _write_links(resource, [], [], versions)
        if reindex:
            resource_update_search_vector(resource.pk)
        published = resource.status == Status.PUBLISHED
        public_pages_changed()
        audit.record(
            actor=actor, obj=resource, message="Created and published" if published else "Created"
        )
    return resource


def resource_update(
    *,
    actor: Actor,
    resource_id: int,
    changes: Mapping[str, Any] | None = None,
    relations: Mapping[str, Iterable[int]] | None = None,
    links: Iterable[Link] | None = None,
    reindex: bool = True,
) -> Resource:
    """Change a resource's fields (changes), relations (the ids each becomes) and, when
    links is given, its link versions (they become exactly these).

    A change of changes["status"] publishes or unpublishes it, as resource_publish does."""
    with transaction.atomic():
        resource = Resource.objects.select_for_update().get(pk=resource_id)
        changed = {
            name: value
            for name, value in (changes or {}).items()
            if getattr(resource, name) != value
        }
        status = changed.pop("status", None)
        for name, value in changed.items():
            setattr(resource, name, value)
        if status is not None:
            _set_status(resource, status, timezone.now())
        if changed or status is not None:
            _validate(resource, [*changed, *(["status"] if status is not None else [])])
        moved = {}
        for name, ids in (relations or {}).items():
            current = set(getattr(resource, name).values_list("pk", flat=True))
            if current != set(ids):
                moved[name] = (current, set(ids))
        plan = ([], [], [])
        if links is not None:
            versions = list(
                resource.versions.only("pk", "language", "file", "external_url", "page_count")
            )
            plan = _link_plan(versions, links)
        if not (changed or status or moved or any(plan)):
            return resource
        resource.save()
        for name, (current, wanted) in moved.items():
            manager = getattr(resource, name)
            if current - wanted:
                manager.remove(*(current - wanted))
            if wanted - current:
                manager.add(*(wanted - current))
        _write_links(resource, *plan)
        if reindex:
            resource_update_search_vector(resource.pk)
        public_pages_changed()
        audit.record(
            actor=actor,
            obj=resource,
            message=_change_message(status, [*changed, *moved, *(["links"] if any(plan) else [])]),
        )
    return resource


def _change_message(status: str | None, names: list[str]) -> str:
    parts = []
    if status is not None:
        parts.append("Published" if status == Status.PUBLISHED else "Unpublished")
    if names:
        parts.append(("changed " if parts else "Changed ") + ", ".join(names))
    return "; ".join(parts)


def _locked(resource_ids: Iterable[int]):
    # In the order of their ids: two selections that overlap lock without deadlock.
    return Resource.objects.select_for_update().filter(pk__in=list(resource_ids)).order_by("pk")


def resource_publish(*, actor: Actor, resource_ids: Iterable[int]) -> int:
    """Publish the resources; returns how many were not published yet."""
    with transaction.atomic():
        resources = list(_locked(resource_ids).exclude(status=Status.PUBLISHED))
        now = timezone.now()
        for resource in resources:
            _mark_published(resource, now)
        if resources:
            Resource.objects.bulk_update(resources, ["status", "published_at"])
            public_pages_changed()
            audit.record_many(actor=actor, objects=resources, message="Published")
    return len(resources)


def resource_unpublish(*, actor: Actor, resource_ids: Iterable[int]) -> int:
    """Return the resources to draft; returns how many were published."""
    with transaction.atomic():
        resources = list(_locked(resource_ids).filter(status=Status.PUBLISHED))
        if resources:
            Resource.objects.filter(pk__in=[r.pk for r in resources]).update(status=Status.DRAFT)
            public_pages_changed()
            audit.record_many(actor=actor, objects=resources, message="Unpublished")
    return len(resources)


def resource_mark_key(*, actor: Actor, resource_ids: Iterable[int], is_key: bool = True) -> int:
    """Mark the resources as key resources (or no longer); returns how many changed."""
    with transaction.atomic():
        resources = list(_locked(resource_ids).exclude(is_key=is_key))
        if resources:
            Resource.objects.filter(pk__in=[r.pk for r in resources]).update(is_key=is_key)
            public_pages_changed()
            message = "Marked as a key resource" if is_key else "No longer a key resource"
            audit.record_many(actor=actor, objects=resources, message=message)
    return len(resources)


def resource_register_download(*, resource_id: int) -> None:
    """Count one download; an atomic increment, so concurrent clicks are all counted."""
    Resource.objects.filter(pk=resource_id).update(download_count=F("download_count") + 1)


def resources_import_csv(*, actor: Actor, data: bytes, dry_run: bool):
    """Create or update resources from the bytes of a CSV file: every row, or none.

    Returns an ImportReport; with dry_run nothing is kept, but the report says what the
    import would create and update, or which rows must be corrected first.
    """
    from ..csv_io import import_resources

    return import_resources(data, dry_run=dry_run, actor=actor)
