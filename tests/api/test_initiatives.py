"""Initiatives through the API: the published ones, with what their pages show."""

import pytest

from tests.initiatives.factories import (
    ContactFactory,
    InitiativeFactory,
    MilestoneFactory,
    ObjectiveFactory,
    PartnerFactory,
    RegionFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db

LIST = "/api/v1/initiatives/"


def test_an_initiative_comes_with_its_aims_milestones_partners_and_contacts(api):
    initiative = InitiativeFactory(
        title_en="Mental health", title_ar="الصحة النفسية", partners=[PartnerFactory()]
    )
    initiative.themes.set([ThemeFactory()])
    initiative.regions.set([RegionFactory(name_en="MENA", name_ar="الشرق الأوسط")])
    aim = ObjectiveFactory(initiative=initiative, text_en="Better care")
    ObjectiveFactory(initiative=initiative, parent=aim, text_en="Train staff")
    MilestoneFactory(initiative=initiative, title_en="Launch")
    ContactFactory(initiative=initiative)

    data = api(f"{LIST}{initiative.slug}/", {"lang": "ar"})

    assert data["title"] == "الصحة النفسية"
    assert data["summary"] == initiative.summary_en  # untranslated: in English
    assert data["regions"][0]["name"] == "الشرق الأوسط"
    assert data["objectives"] == [{"text": "Better care", "steps": ["Train staff"]}]
    assert data["milestones"][0]["date"] == "2017-05"
    assert data["contacts"] == [
        {"name": "Amina Diallo", "role": "Coordinator", "organisation": "CP AoR"}
    ]
    # The page never prints a contact's address; neither does the API.
    assert "amina.diallo@example.org" not in str(data)
    assert data["url"] == f"http://testserver/ar/initiatives/{initiative.slug}/"


def test_only_published_initiatives_are_listed_featured_first(api):
    plain = InitiativeFactory(order=1)
    featured = InitiativeFactory(is_featured=True, order=50)
    draft = InitiativeFactory(is_published=False)

    data = api(LIST)

    assert [i["slug"] for i in data["results"]] == [featured.slug, plain.slug]
    api(f"{LIST}{draft.slug}/", status=404)
    assert set(api(f"{LIST}{plain.slug}/", {"theme": "x"}, status=400)) == {"theme"}


def test_the_cursor_walks_every_initiative_once(api):
    initiatives = [
        *InitiativeFactory.create_batch(3),
        *InitiativeFactory.create_batch(2, is_featured=True),
        InitiativeFactory(order=1),
        InitiativeFactory(order=1, is_featured=True),
    ]
    seen, data = [], api(LIST, {"page_size": "2"})
    while True:
        seen += [i["slug"] for i in data["results"]]
        if not data["next"]:
            break
        data = api(data["next"].removeprefix("http://testserver"))
    assert sorted(seen) == sorted(i.slug for i in initiatives)
    assert len(seen) == len(initiatives)
    assert seen[0] == initiatives[-1].slug  # featured first, then the editors' order
