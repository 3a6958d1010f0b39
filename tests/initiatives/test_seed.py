import io

import pytest
from django.core.management import call_command
from django.utils import translation

from initiatives import seed
from initiatives.models import (
    Contact,
    Country,
    Initiative,
    Milestone,
    Objective,
    Partner,
    Region,
    Theme,
)

pytestmark = pytest.mark.django_db

MODELS = [Initiative, Objective, Milestone, Contact, Partner, Region, Country, Theme]
GLE = "government-leadership-engagement"


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_starting_content_twice_changes_nothing():
    call_command("load_starting_content", stdout=io.StringIO())
    first = counts()
    output = io.StringIO()
    call_command("load_starting_content", stdout=output)
    assert counts() == first
    assert "created 0 initiatives" in output.getvalue()
    assert first["Initiative"] == 9
    assert first["Region"] == 9
    assert first["Theme"] == 8


def test_starting_content_keeps_what_an_editor_changed():
    seed.load()
    Initiative.objects.filter(slug="niaf").update(title_en="NIAF, as edited")
    Initiative.objects.get(slug="mhpss").milestones.all().delete()
    Partner.objects.filter(slug="ifrc").update(website="https://edited.example.org/")
    seed.load()
    assert Initiative.objects.get(slug="niaf").title_en == "NIAF, as edited"
    assert Partner.objects.get(slug="ifrc").website == "https://edited.example.org/"


def test_every_initiative_has_title_and_summary_in_four_languages():
    seed.load()
    assert Initiative.objects.published().count() == 9
    for initiative in Initiative.objects.all():
        for code in ("en", "fr", "es", "ar"):
            assert getattr(initiative, f"title_{code}"), (initiative.slug, code)
            assert getattr(initiative, f"summary_{code}"), (initiative.slug, code)
        assert initiative.themes.exists() and initiative.regions.exists()


def test_government_leadership_and_engagement_in_full():
    seed.load()
    gle = Initiative.objects.get(slug=GLE)
    aims = gle.objectives.filter(parent=None)
    assert aims.count() == 2
    assert aims[1].children.count() == 2
    assert set(gle.partners.values_list("slug", flat=True)) == {
        "ifrc",
        "unicef-wcaro",
        "end-violence",
        "unicef-kenya",
    }
    assert [m.iso_date for m in gle.milestones.all()] == [
        "2015-12",
        "2016-12",
        "2017-05",
        "2018",
        "2020-02",
    ]
    addis = gle.milestones.get(place_en__startswith="Addis Ababa")
    assert addis.is_approximate
    assert set(gle.countries.values_list("iso_code", flat=True)) == {"KE", "ET"}
    assert "east-asia-pacific" in gle.regions.values_list("slug", flat=True)
    contact = gle.contacts.get()
    assert contact.name == "Joyce Mutiso" and contact.email == ""
    assert "<script" not in gle.body_en and "<h2>" in gle.body_en


def test_gle_resource_waits_for_the_resources_app():
    pending = [r for r in seed.PENDING_RESOURCES if r["initiative"] == GLE]
    assert pending[0]["pages"] == 6 and pending[0]["year"] == 2019


def test_seeded_pages_open_in_every_language(client):
    seed.load()
    for code in ("en", "fr", "es", "ar"):
        with translation.override(code):
            gle = Initiative.objects.get(slug=GLE)
            assert client.get(gle.get_absolute_url()).status_code == 200
        assert client.get(f"/{code}/initiatives/").status_code == 200


def test_loading_again_fills_translations_an_older_load_lacked_and_keeps_an_editors():
    seed.load()
    gle = Initiative.objects.get(slug=GLE)
    # As a database loaded before the files had these translations.
    Initiative.objects.filter(pk=gle.pk).update(body_fr="", body_es="", summary_ar="مُحرَّر")
    gle.objectives.update(text_fr="")
    gle.milestones.update(title_es="", description_es="")
    edited = gle.objectives.filter(parent__isnull=True).order_by("order").last()
    Objective.objects.filter(pk=edited.pk).update(text_en="Rewritten by an editor")
    seed.load()
    gle.refresh_from_db()
    assert gle.body_fr.startswith("<p>") and gle.body_es.startswith("<p>")
    assert gle.summary_ar == "مُحرَّر"
    first = gle.objectives.filter(parent__isnull=True).order_by("order").first()
    assert first.text_fr
    assert Objective.objects.get(pk=edited.pk).text_fr == ""
    assert all(milestone.title_es for milestone in gle.milestones.all())
