from modeltranslation.translator import TranslationOptions, register

from .models import Strategy, StrategyGoal


@register(Strategy)
class StrategyTranslationOptions(TranslationOptions):
    fields = ("title", "summary")


@register(StrategyGoal)
class StrategyGoalTranslationOptions(TranslationOptions):
    fields = ("text",)
