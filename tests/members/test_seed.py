import pytest

from members import seed
from members.models import MembershipTier

pytestmark = pytest.mark.django_db


def test_the_two_membership_types_load_in_four_languages_and_a_second_load_changes_nothing():
    seed.load()
    MembershipTier.objects.filter(type="full").update(title_fr="Édité par un éditeur")
    seed.load()
    assert MembershipTier.objects.count() == 2
    full = MembershipTier.objects.get(type="full")
    assert full.title_fr == "Édité par un éditeur"
    for language in ("en", "es", "ar"):
        assert getattr(full, f"summary_{language}")
        assert len(getattr(full, f"commitments_{language}").splitlines()) == 3
