from modeltranslation.translator import TranslationOptions, register

from .models import Resource, Topic


@register(Topic)
class TopicTranslationOptions(TranslationOptions):
    fields = ("name",)
    required_languages = ("en",)


@register(Resource)
class ResourceTranslationOptions(TranslationOptions):
    fields = ("title", "summary")
    required_languages = ("en",)
