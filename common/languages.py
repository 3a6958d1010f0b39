"""The portal's languages: which one a request reads, and a translated field's value
with English in its place where a translation is missing."""

from django.conf import settings
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import get_language


def current_language():
    code = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def translated_or_english(field, language=None):
    """An expression for field in the language, falling back to English when empty."""
    language = language or current_language()
    english = F(f"{field}_{settings.LANGUAGE_CODE}")
    if language == settings.LANGUAGE_CODE:
        return english
    # Text, so that char and text columns (and SearchHeadline over them) mix freely.
    text = models.TextField()
    return Coalesce(
        NullIf(F(f"{field}_{language}"), Value("", output_field=text), output_field=text),
        english,
        output_field=text,
    )


def shown_in_english(obj, field, language=None):
    """Whether obj's field falls back to English for want of a translation."""
    language = language or current_language()
    if language == settings.LANGUAGE_CODE:
        return False
    english = getattr(obj, f"{field}_{settings.LANGUAGE_CODE}", None)
    return bool(english) and not getattr(obj, f"{field}_{language}", None)


def translated(field, values):
    """{"en": "…", "fr": "…"} as modeltranslation's columns, leaving out empty texts."""
    return {f"{field}_{code}": text for code, text in values.items() if text}
