from django.shortcuts import render


def resource_list(request):
    """The resource library's front page; the searchable catalogue arrives with the library."""
    return render(request, "resources/list.html")
