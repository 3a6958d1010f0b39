"""Membership pages. Views only read, validate and call services.

An applicant only ever reaches their own applications: every lookup goes through
Application.objects.of(request.user), so someone else's answers 404 as if it did not exist.
"""

import mimetypes

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_filters.views import FilterView

from common.files import file_response
from common.languages import current_language
from common.ratelimit import ratelimit

from . import services
from .directory import public_members
from .filters import MembershipFilter
from .forms import CONSENT_TEXT, FORMS, NEWSLETTER_CONSENT_TEXT, AnswerForm
from .models import Application, ApplicationEvent, Membership, MembershipTier, MembershipType


def join(request):
    """How to get involved: the kinds of membership, their criteria and commitments."""
    tiers = list(MembershipTier.objects.all())
    return render(request, "members/join.html", {"tiers": tiers})


@login_required
def apply(request):
    """Choose how to apply: full member, associate organisation or associate individual."""
    return render(request, "members/apply.html", {"types": MembershipType})


def _form_page(request, form, application=None):
    """The form, with 400 when it comes back with errors: nothing was saved."""
    return render(
        request,
        "members/application_form.html",
        {"form": form, "application": application, "kind": form.KIND},
        status=400 if form.is_bound and form.errors else 200,
    )


def _save(request, form, application=None):
    """Save the draft, and submit it when asked. Returns the redirect."""
    application = services.application_save_draft(
        application=application,
        kind=form.KIND,
        values=form.cleaned_data,
        actor=request.user,
        consent_text=CONSENT_TEXT,
        language=current_language(),
        newsletter_consent_text=NEWSLETTER_CONSENT_TEXT,
    )
    if form.submitting:
        try:
            services.application_submit(application=application, actor=request.user)
        except services.IncompleteApplication as error:
            messages.error(request, str(error))
            return redirect(application.get_absolute_url())
        messages.success(
            request,
            _("Your application has been submitted. We have sent you an acknowledgement."),
        )
    else:
        messages.success(
            request, _("Your draft is saved. You can come back to it from your dashboard.")
        )
    return redirect(application.get_absolute_url())


@login_required
@ratelimit("membership-application", rate="20/h")
def application_create(request, kind):
    form_class = FORMS.get(kind)
    if form_class is None:
        raise Http404
    if request.method == "POST":
        form = form_class(request.POST, request.FILES)
        if form.is_valid():
            return _save(request, form)
    else:
        initial = {}
        if request.GET.get("type") in MembershipType.values:
            initial["membership_type"] = request.GET["type"]
        form = form_class(initial=initial)
    return _form_page(request, form)


def _own(request, pk):
    return get_object_or_404(Application.objects.of(request.user), pk=pk)


@login_required
@ratelimit("membership-application", rate="20/h")
def application_edit(request, pk):
    application = _own(request, pk)
    if not application.is_editable:
        messages.info(request, _("This application has been submitted and can no longer change."))
        return redirect(application.get_absolute_url())
    form_class = FORMS[application.applicant_kind]
    if request.method == "POST":
        form = form_class(request.POST, request.FILES, instance=application)
        if form.is_valid():
            try:
                return _save(request, form, application)
            except services.TransitionNotAllowed as error:
                messages.error(request, str(error))
                return redirect(application.get_absolute_url())
    else:
        form = form_class(instance=application)
    return _form_page(request, form, application)


@login_required
def dashboard(request):
    applications = (
        Application.objects.of(request.user)
        .select_related("hq_country", "person_country")
        .prefetch_related(
            Prefetch("events", queryset=ApplicationEvent.objects.order_by("created", "pk"))
        )
        .order_by("-created")
    )
    memberships = services.memberships_of(request.user).select_related("partner")
    return render(
        request,
        "members/dashboard.html",
        {"applications": applications, "memberships": memberships},
    )


@login_required
def application_detail(request, pk):
    application = get_object_or_404(
        Application.objects.of(request.user)
        .select_related("hq_country", "person_country")
        .prefetch_related("countries"),
        pk=pk,
    )
    return _detail_page(request, application, AnswerForm())


def _detail_page(request, application, answer_form):
    events = list(application.events.order_by("created", "pk"))
    requests = [
        event for event in events if event.to_status == Application.Status.INFORMATION_REQUESTED
    ]
    return render(
        request,
        "members/application_detail.html",
        {
            "application": application,
            "attachments": list(application.attachments.all()),
            "events": events,
            "request_note": requests[-1].note if requests else "",
            "answer_form": answer_form,
            "missing": services.missing_fields(application) if application.is_editable else [],
        },
        status=400 if answer_form.is_bound and answer_form.errors else 200,
    )


@login_required
def application_withdraw(request, pk):
    """GET asks for confirmation; POST withdraws."""
    application = _own(request, pk)
    if request.method == "POST":
        try:
            services.application_withdraw(application=application, actor=request.user)
        except services.TransitionNotAllowed as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Your application has been withdrawn."))
        return redirect(application.get_absolute_url())
    if not application.can_withdraw:
        return redirect(application.get_absolute_url())
    return render(request, "members/application_withdraw.html", {"application": application})


@login_required
@require_POST
def application_answer(request, pk):
    application = _own(request, pk)
    form = AnswerForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.application_answer(
                application=application,
                actor=request.user,
                answer=form.cleaned_data["answer"],
                documents=form.cleaned_data["documents"],
            )
        except services.TransitionNotAllowed as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Thank you: your answer has been sent to the reviewers."))
        return redirect(application.get_absolute_url())
    return _detail_page(request, application, form)


@never_cache
@login_required
def application_document(request, pk):
    """The supporting document, to its applicant and to reviewers only, as an attachment."""
    queryset = Application.objects.all()
    if not request.user.has_perm("members.view_application"):
        queryset = Application.objects.of(request.user)
    application = get_object_or_404(queryset, pk=pk)
    if not application.supporting_document:
        raise Http404
    document = application.supporting_document
    name = application.document_name or document.name.rsplit("/", 1)[-1]
    try:
        return file_response(
            storage=document.storage,
            name=document.name,
            folder="private",
            filename=name,
            content_type=mimetypes.guess_type(document.name)[0] or "application/octet-stream",
            as_attachment=True,
            headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"},
        )
    except FileNotFoundError as error:
        raise Http404 from error


@never_cache
@login_required
def application_attachment(request, pk, attachment_pk):
    """A document sent with an answer: to its applicant and to reviewers only."""
    applications = Application.objects.all()
    if not request.user.has_perm("members.view_application"):
        applications = Application.objects.of(request.user)
    application = get_object_or_404(applications, pk=pk)
    attachment = get_object_or_404(application.attachments, pk=attachment_pk)
    try:
        return file_response(
            storage=attachment.file.storage,
            name=attachment.file.name,
            folder="private",
            filename=attachment.name,
            content_type=mimetypes.guess_type(attachment.file.name)[0]
            or "application/octet-stream",
            as_attachment=True,
            headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"},
        )
    except FileNotFoundError as error:
        raise Http404 from error


class DirectoryView(FilterView):
    filterset_class = MembershipFilter
    template_name = "members/directory.html"
    context_object_name = "members"
    paginate_by = 30
    strict = False

    def get_queryset(self):
        return public_members()

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["data"] = self.request.GET
        return kwargs


directory = DirectoryView.as_view()


# Renewal ---------------------------------------------------------------------------------


def _renewal_page(request, membership, *, action=None, status=200, problem="", until=None):
    """The commitments and the button (`action`, the address it posts to) while renewing
    is open; where the membership stands otherwise; or why a link does not work."""
    renewal = services.renewal_status(membership=membership) if membership else None
    return render(
        request,
        "members/renew.html",
        {
            "membership": membership,
            "renewal": renewal,
            "commitments": services.commitment_texts(),
            "action": action if renewal and renewal.is_open else None,
            "problem": problem,
            "until": until,
        },
        status=status,
    )


def _renewed_message(request, membership, renewed):
    if renewed:
        messages.success(
            request,
            _("Thank you: the membership is renewed. It is next due on %(date)s.")
            % {"date": date_format(membership.renewal_due, "DATE_FORMAT")},
        )
    else:
        messages.info(request, _("Nothing to do: the membership is already renewed."))


@never_cache
def renewal_link(request, token):
    """The page a reminder's link opens: the signed link stands for the focal point it was
    sent to (no sign-in), GET shows the commitments, POST confirms them and renews."""
    try:
        claim = services.renewal_link_read(token)
    except services.RenewalLinkExpired as error:
        return _renewal_page(request, None, status=410, problem="expired", until=error.until)
    except services.RenewalLinkInvalid:
        return _renewal_page(request, None, status=400, problem="invalid")
    membership = (
        Membership.objects.filter(
            pk=claim.membership_id,
            focal_points__user_id=claim.user_id,
            focal_points__user__is_active=True,
        )
        .select_related("partner")
        .first()
    )
    if membership is None:
        # Deleted, or the person it was sent to no longer represents the member (or their
        # account was closed).
        return _renewal_page(request, None, status=404, problem="gone")
    # Once the date the link was sent for has moved, the link only says so.
    current = claim.due == membership.renewal_due
    if request.method == "POST":
        renewed = current and services.membership_renew(
            membership=membership,
            actor=get_user_model().objects.get(pk=claim.user_id),
            via="the e-mailed link",
        )
        _renewed_message(request, membership, renewed)
        return redirect(request.path)
    return _renewal_page(request, membership, action=request.path if current else None)


@never_cache
@login_required
def membership_renew(request, pk):
    """Renewing from the members' area: GET shows the commitments, POST renews."""
    membership = get_object_or_404(
        # The members' area's own rule: someone who left the member cannot renew it.
        services.memberships_of(request.user).select_related("partner"),
        pk=pk,
    )
    if request.method == "POST":
        renewed = services.membership_renew(
            membership=membership, actor=request.user, via="the members' area"
        )
        _renewed_message(request, membership, renewed)
        return redirect(f"{reverse('members:area')}#membership-{membership.pk}")
    return _renewal_page(request, membership, action=request.path)
