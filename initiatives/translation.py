from modeltranslation.translator import TranslationOptions, register

from .models import Contact, Country, Initiative, Milestone, Objective, Partner, Region, Theme


@register(Theme)
class ThemeTranslationOptions(TranslationOptions):
    fields = ("name",)


@register(Region)
class RegionTranslationOptions(TranslationOptions):
    fields = ("name",)


@register(Country)
class CountryTranslationOptions(TranslationOptions):
    fields = ("name",)


@register(Partner)
class PartnerTranslationOptions(TranslationOptions):
    fields = ("name", "acronym")


@register(Initiative)
class InitiativeTranslationOptions(TranslationOptions):
    fields = ("title", "summary", "body", "hero_alt")
    required_languages = ("en",)


@register(Objective)
class ObjectiveTranslationOptions(TranslationOptions):
    fields = ("text",)


@register(Milestone)
class MilestoneTranslationOptions(TranslationOptions):
    fields = ("title", "place", "description")


@register(Contact)
class ContactTranslationOptions(TranslationOptions):
    fields = ("role", "organisation")
