from modeltranslation.translator import TranslationOptions, register

from .models import NewsletterList


@register(NewsletterList)
class NewsletterListTranslationOptions(TranslationOptions):
    fields = ("name", "description")
    required_languages = ("en",)
