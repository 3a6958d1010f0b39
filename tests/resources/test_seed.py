import pytest

from initiatives import seed as initiatives_seed
from resources import seed
from resources.models import Resource

pytestmark = pytest.mark.django_db


@pytest.fixture
def initiatives():
    initiatives_seed.load()


def test_the_gle_resource_is_loaded_and_linked_to_its_initiative(initiatives, client):
    seed.load()
    resource = Resource.objects.get(slug="engaging-with-states-in-conflict-settings")
    assert resource.title.startswith("Engaging with States in Conflict Settings")
    assert (resource.year, resource.type) == (2019, "guidance")
    assert [i.slug for i in resource.initiatives.all()] == ["government-leadership-engagement"]
    assert list(Resource.objects.search("armed violence", "en")) == [resource]
    assert client.get(resource.get_absolute_url()).status_code == 200


def test_loading_again_keeps_a_curators_edits(initiatives):
    seed.load()
    Resource.objects.update(title_en="Edited by a curator")
    seed.load()
    assert list(Resource.objects.values_list("title_en", flat=True)) == ["Edited by a curator"]
