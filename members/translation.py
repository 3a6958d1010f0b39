from modeltranslation.translator import TranslationOptions, register

from .models import MembershipTier


@register(MembershipTier)
class MembershipTierTranslationOptions(TranslationOptions):
    fields = ("title", "summary", "criteria", "commitments")
    required_languages = ("en",)
