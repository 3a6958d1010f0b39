"""One person's data (GDPR), from the reviewers' queue: export it or erase it."""

import json

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext

from .. import services
from ..forms import PersonLookupForm
from ..models import Application


class PersonalDataMixin:
    """The "A person's data (GDPR request)" page of the applications' admin."""

    def get_urls(self):
        return [
            path(
                "person-data/",
                self.admin_site.admin_view(self.person_data_view),
                name="members_application_person_data",
            ),
            *super().get_urls(),
        ]

    def person_data_view(self, request):
        if not request.user.has_perm("members.erase_personal_data"):
            raise PermissionDenied
        form = PersonLookupForm(request.POST or request.GET or None)
        person = None
        if form.is_bound and form.is_valid():
            person = (
                get_user_model().objects.filter(email__iexact=form.cleaned_data["email"]).first()
            )
            if person is None:
                form.add_error("email", gettext("No account has this e-mail address."))
        if person is not None and request.method == "POST":
            if "export" in request.POST:
                data = services.person_export(user=person)
                response = HttpResponse(
                    json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
                    content_type="application/json; charset=utf-8",
                )
                response["Content-Disposition"] = (
                    f'attachment; filename="personal-data-{person.pk}.json"'
                )
                return response
            if "erase" in request.POST and request.POST.get("confirm_erase") == "yes":
                count = services.person_erase(user=person, actor=request.user)
                self.message_user(
                    request,
                    gettext(
                        "Personal data erased: the account is closed and %(count)d "
                        "application(s) anonymised."
                    )
                    % {"count": count},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:members_application_person_data"))
            if "erase" in request.POST:
                form.add_error(None, gettext("Tick the box to confirm the erasure."))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("A person's data (GDPR request)"),
            "form": form,
            "person": person,
            "applications": (
                Application.objects.filter(applicant=person).order_by("created") if person else []
            ),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/members/application/person_data.html", context)
