"""Earlier versions (django-reversion through common/admin.py RevisionsAdminMixin): an
initiative with its objectives, a resource with its language versions, and a newsletter
issue are listed on their History page and restored from there, in the audit trail."""

import datetime

import pytest
from django import forms
from django.contrib.admin.models import LogEntry
from reversion.models import Version

from initiatives.models import Initiative, Objective
from newsletters.models import Issue
from resources import services
from resources.models import Resource
from tests.newsletters.factories import IssueFactory, newsletter_editor
from tests.resources.factories import VersionFactory, resource_curator

from .factories import InitiativeFactory, UserFactory, content_editor

pytestmark = pytest.mark.django_db


def posted(response, **overrides):
    """What the admin form on this page posts back as it stands (every field and inline)."""
    context = response.context
    data = {}

    def add(form):
        for bound in form:
            value = bound.value()
            if bound.field.disabled or isinstance(bound.field, forms.FileField) or value is None:
                continue
            if isinstance(value, bool):
                if value:
                    data[bound.html_name] = "on"
            elif isinstance(value, list | tuple):
                data[bound.html_name] = [str(item) for item in value]
            elif isinstance(value, datetime.date):
                data[bound.html_name] = value.isoformat()
            else:
                data[bound.html_name] = str(value)

    add(context["adminform"].form)
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.initial_forms:
            add(form)
        data[f"{formset.prefix}-TOTAL_FORMS"] = str(len(formset.initial_forms))
    data.update(overrides)
    return data


def history_of(model_path, pk):
    return f"/admin/{model_path}/{pk}/history/"


def test_an_initiative_is_restored_with_its_objectives(client):
    editor = content_editor()
    client.force_login(editor)
    initiative = InitiativeFactory(title_en="Localisation first")
    Objective.objects.create(initiative=initiative, order=1, text_en="Lead locally")
    change = f"/admin/initiatives/initiative/{initiative.pk}/change/"
    client.post(change, posted(client.get(change)))  # the first recorded version
    form = posted(
        client.get(change), title_en="Localisation later", **{"objectives-0-DELETE": "on"}
    )
    assert client.post(change, form).status_code == 302
    assert not initiative.objectives.exists()

    history = client.get(history_of("initiatives/initiative", initiative.pk))
    versions = Version.objects.get_for_object(initiative)
    assert len(versions) == 2
    page = history.content.decode()
    assert editor.username in page or editor.email in page
    first = versions.last()
    revision = f"/admin/initiatives/initiative/{initiative.pk}/history/{first.pk}/"
    assert revision in page

    shown = client.get(revision)
    assert shown.status_code == 200 and "Localisation first" in shown.content.decode()
    # Looking is not restoring.
    assert Initiative.objects.get().title_en == "Localisation later"

    assert client.post(revision, posted(shown)).status_code == 302
    initiative.refresh_from_db()
    assert initiative.title_en == "Localisation first"
    assert list(initiative.objectives.values_list("text_en", flat=True)) == ["Lead locally"]
    messages = [
        entry.get_change_message()
        for entry in LogEntry.objects.filter(object_id=str(initiative.pk))
    ]
    assert any(message.startswith("Restored version of ") for message in messages)


def test_a_resource_is_restored_pointing_to_the_file_still_stored(client):
    client.force_login(resource_curator())
    version = VersionFactory(resource__title_en="Case management guide")
    resource = version.resource
    change = f"/admin/resources/resource/{resource.pk}/change/"
    client.post(change, posted(client.get(change)))
    client.post(change, posted(client.get(change), title_en="Renamed guide"))
    assert Resource.objects.get().title_en == "Renamed guide"

    first = Version.objects.get_for_object(resource).last()
    revision = f"/admin/resources/resource/{resource.pk}/history/{first.pk}/"
    assert client.post(revision, posted(client.get(revision))).status_code == 302
    resource.refresh_from_db()
    assert resource.title_en == "Case management guide"
    assert resource.versions.get().file.name == version.file.name
    # Found again by its restored title.
    assert list(Resource.objects.search("case management", "en")) == [resource]


def test_a_newsletter_issue_is_restored(client):
    client.force_login(newsletter_editor())
    issue = IssueFactory(subject="March news")
    change = f"/admin/newsletters/issue/{issue.pk}/change/"
    client.post(change, posted(client.get(change)))
    client.post(change, posted(client.get(change), subject="April news"))
    assert Issue.objects.get().subject == "April news"
    first = Version.objects.get_for_object(issue).last()
    revision = f"/admin/newsletters/issue/{issue.pk}/history/{first.pk}/"
    assert client.post(revision, posted(client.get(revision))).status_code == 302
    assert Issue.objects.get().subject == "March news"


def test_saves_through_services_still_work_and_record_no_version():
    version = VersionFactory()
    services.resource_update(
        actor=UserFactory(), resource_id=version.resource_id, changes={"title_en": "By a service"}
    )
    assert Resource.objects.get().title_en == "By a service"
    assert not Version.objects.get_for_object(version.resource).exists()


def test_an_initiatives_edit_link_is_for_editors_only(client):
    initiative = InitiativeFactory()
    edit = f'href="/admin/initiatives/initiative/{initiative.pk}/change/"'
    url = initiative.get_absolute_url()
    assert edit not in client.get(url).content.decode()
    client.force_login(content_editor())
    assert edit in client.get(url).content.decode()
