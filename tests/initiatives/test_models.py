import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from common.languages import shown_in_english
from common.sanitize import sanitize_html
from initiatives.models import Initiative, Milestone

from .factories import (
    ContactFactory,
    CountryFactory,
    InitiativeFactory,
    MilestoneFactory,
    ObjectiveFactory,
    PartnerFactory,
    RegionFactory,
    ThemeFactory,
)

HOSTILE = (
    '<p style="color:red" onclick="steal()">Hello<script>alert(1)</script></p>'
    '<img src="x" onerror="alert(2)">'
    '<a href="javascript:alert(3)">click</a>'
    '<a href="JaVaScRiPt:alert(4)" onmouseover="x()">again</a>'
    "<style>body{display:none}</style>"
    '<iframe src="https://evil.example"></iframe>'
    '<h2 style="x">Kept heading</h2><a href="https://www.unicef.org/">UNICEF</a>'
)


def assert_harmless(html):
    lowered = html.lower()
    for marker in ("<script", "alert(", "onerror", "onclick", "onmouseover", "style=", "<style"):
        assert marker not in lowered
    assert "javascript:" not in lowered
    assert "<iframe" not in lowered


def test_sanitising_removes_scripts_handlers_styles_and_javascript_urls():
    cleaned = sanitize_html(HOSTILE)
    assert_harmless(cleaned)
    assert "<h2>Kept heading</h2>" in cleaned
    assert '<a href="https://www.unicef.org/" rel="noopener noreferrer">UNICEF</a>' in cleaned


@pytest.mark.django_db
def test_clean_sanitises_the_body_in_every_language():
    initiative = InitiativeFactory.build(body_en=HOSTILE, body_fr=HOSTILE, body_ar=HOSTILE)
    initiative.full_clean()
    for field in ("body_en", "body_fr", "body_ar"):
        assert_harmless(getattr(initiative, field))
        assert "Kept heading" in getattr(initiative, field)


@pytest.mark.django_db
def test_hero_image_needs_a_text_alternative():
    image = SimpleUploadedFile("hero.png", b"\x89PNG\r\n", content_type="image/png")
    initiative = InitiativeFactory.build(hero_image=image, hero_alt_en="")
    with pytest.raises(ValidationError) as error:
        initiative.full_clean()
    assert "hero_alt_en" in error.value.message_dict


@pytest.mark.django_db
def test_no_image_needs_no_text_alternative():
    InitiativeFactory.build(hero_alt_en="").full_clean()


@pytest.mark.django_db
def test_end_date_cannot_come_before_start_date():
    initiative = InitiativeFactory.build(
        start_date=datetime.date(2020, 1, 1), end_date=datetime.date(2019, 1, 1)
    )
    with pytest.raises(ValidationError) as error:
        initiative.full_clean()
    assert "end_date" in error.value.message_dict


@pytest.mark.django_db
def test_an_objective_belongs_to_an_aim_of_its_own_initiative():
    aim = ObjectiveFactory()
    step = ObjectiveFactory.build(initiative=InitiativeFactory(), parent=aim)
    with pytest.raises(ValidationError):
        step.full_clean()


@pytest.mark.parametrize(
    ("precision", "expected"),
    [
        (Milestone.Precision.YEAR, "2018"),
        (Milestone.Precision.MONTH, "2018-03"),
        (Milestone.Precision.DAY, "2018-03-14"),
    ],
)
def test_milestone_date_is_as_precise_as_it_is_known(precision, expected):
    milestone = Milestone(date=datetime.date(2018, 3, 14), precision=precision)
    assert milestone.iso_date == expected


@pytest.mark.django_db
def test_featured_initiatives_come_first_then_by_order_then_title():
    InitiativeFactory(title_en="Zebra", order=1)
    InitiativeFactory(title_en="Alpha", order=1)
    InitiativeFactory(title_en="Featured late", order=9, is_featured=True)
    InitiativeFactory(title_en="Draft", is_published=False, is_featured=True)
    titles = [i.title for i in Initiative.objects.published().ordered()]
    assert titles == ["Featured late", "Alpha", "Zebra"]
    assert [i.title for i in Initiative.objects.featured()] == ["Featured late"]


@pytest.mark.django_db
def test_a_missing_translation_is_shown_in_english():
    milestone = MilestoneFactory(title_en="Launch", title_fr="Lancement", place_fr="")
    with translation.override("fr"):
        assert milestone.title == "Lancement"
        assert milestone.place == "Dakar"
        assert not shown_in_english(milestone, "title")
        assert shown_in_english(milestone, "place")
    with translation.override("en"):
        assert not shown_in_english(milestone, "place")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("factory", "field", "value"),
    [
        (InitiativeFactory, "title_ar", "مبادرة \u202eexe.pdf"),
        (InitiativeFactory, "title_en", "Two\nlines"),
        (InitiativeFactory, "hero_alt_fr", "Une image\u2028cachée"),
        (MilestoneFactory, "title_es", "Taller\tregional"),
        (MilestoneFactory, "place_en", "Nairobi\r\nBcc: x@example.org"),
        (ContactFactory, "name", "Amina\u2066 Hassan"),
        (ContactFactory, "organisation_fr", "UNICEF\x00"),
        (ContactFactory, "role_ar", "منسقة\u202b"),
        (PartnerFactory, "name_ar", "يونيسف\u202e"),
        (PartnerFactory, "acronym_en", "UN\x1bICEF"),
        (ThemeFactory, "name_fr", "Thème\u2029"),
        (RegionFactory, "name_en", "East\nAfrica"),
        (CountryFactory, "name_es", "Kenia\u202d"),
    ],
)
def test_names_and_titles_are_one_line_of_visible_text_in_every_language(factory, field, value):
    obj = factory()
    obj.full_clean()
    setattr(obj, field, value)
    with pytest.raises(ValidationError) as refused:
        obj.full_clean()
    assert field in refused.value.message_dict
    assert "one line" in " ".join(refused.value.message_dict[field])
