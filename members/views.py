from django.shortcuts import render


def join(request):
    """How to get involved: the two kinds of membership."""
    return render(request, "members/join.html")
