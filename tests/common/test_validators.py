import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from common.validators import single_line


@pytest.mark.parametrize(
    "value",
    [
        "Bob\r\nBcc: x@evil.test",
        "tab\there",
        "nul\x00byte",
        "escape\x1b[31m",
        "c1\x85control",
        "line\u2028separator",
        "evil\u202etxt.exe",
        "isolate\u2067x\u2069",
    ],
)
def test_refuses_what_breaks_one_line(value):
    with pytest.raises(ValidationError) as caught:
        single_line(value)
    assert caught.value.code == "single_line"


@pytest.mark.parametrize(
    "value",
    [
        "Bob Smith",
        "Zoë Ñúñez-Łukasz",
        "منظمة إنقاذ الطفولة",
        "Save the Children \u200fمنظمة\u200e (SC)",  # direction marks are fine
        "علي\u200cرضا",  # zero-width non-joiner (Persian)
        "👩\u200d👧 family",  # zero-width joiner in an emoji sequence
        '=HYPERLINK("x")',  # formulas are neutralised on export, not refused
        "x" * 10_000,
        "",
    ],
)
def test_accepts_real_names(value):
    single_line(value)


def test_the_message_is_translated():
    with pytest.raises(ValidationError) as caught:
        single_line("a\nb")
    with translation.override("fr"):
        assert "une seule ligne" in str(caught.value.messages[0])


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["title", "title_ar"])
def test_a_strategy_title_is_one_line_in_every_language(field):
    from cpaor.models import Strategy

    strategy = Strategy(title="Strategy", start_year=2025, end_year=2027)
    setattr(strategy, field, "Strategy\u202e2027")
    with pytest.raises(ValidationError) as caught:
        strategy.full_clean()
    assert field in caught.value.message_dict
