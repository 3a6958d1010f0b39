from django.shortcuts import render


def index(request):
    """The CP AoR newsletters: the Global one in English and the regional ones."""
    return render(request, "newsletters/index.html")
