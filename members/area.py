"""The members' area: each membership a person is a focal point of, its focal points and
pending invitations, and what they may do for the member (invite, withdraw an
invitation, leave, remove a colleague, edit the directory entry); and the page an
invitation's link opens.

Every page of one membership looks it up through services.memberships_of(request.user):
for anyone who is not one of its focal points it does not exist (404). State changes
follow the house pattern: GET shows the form or a confirmation, POST calls the service.
"""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from common.ratelimit import too_many_requests
from initiatives.models import Country

from . import services
from .area_forms import EntryForm, InvitationForm
from .models import FocalPoint
from .services.focal_points import invitation_days


def _area_url(membership):
    return f"{reverse('members:area')}#membership-{membership.pk}"


def _membership(request, pk, *, organisation=False):
    """The membership pk if this person is one of its focal points; else 404."""
    memberships = services.memberships_of(request.user).select_related("partner")
    if organisation:
        memberships = memberships.filter(partner__isnull=False)
    return get_object_or_404(memberships, pk=pk)


def _invitation_form(*args, **kwargs):
    return InvitationForm(*args, days=invitation_days(), **kwargs)


@never_cache
@login_required
def members_area(request):
    memberships = list(
        services.memberships_of(request.user)
        .select_related("partner")
        .prefetch_related(
            Prefetch("countries", queryset=Country.objects.order_by("name")),
            Prefetch(
                "focal_points",
                queryset=FocalPoint.objects.select_related("user").order_by("created", "pk"),
                to_attr="focal_point_list",
            ),
            Prefetch(
                "invitations",
                queryset=services.pending_invitations()
                .select_related("invited_by")
                .order_by("-created", "-pk"),
                to_attr="pending_invitation_list",
            ),
        )
        .order_by("-member_since", "pk")
    )
    for membership in memberships:
        membership.renewal = services.renewal_status(membership=membership)
        # A membership with no focal point rows is its applicant's alone (memberships_of).
        membership.is_last_focal_point = len(membership.focal_point_list) <= 1
        for invitation in membership.pending_invitation_list:
            invitation.expires = services.invitation_expires(invitation)
    return render(
        request,
        "members/area.html",
        {"memberships": memberships, "invitation_form": _invitation_form()},
    )


# Invitations ---------------------------------------------------------------------------


@never_cache
@login_required
def invite(request, pk):
    """GET: the invitation form alone; POST: invite (or invite again) one address."""
    membership = _membership(request, pk, organisation=True)
    form = _invitation_form(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        try:
            services.focal_point_invite(membership=membership, actor=request.user, email=email)
        except services.TooManyInvitations as error:
            return too_many_requests(request, error.retry_after)
        except services.FocalPointError as error:
            form.add_error("email", str(error))
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s. It is valid for %(days)s days.")
                % {"email": email, "days": invitation_days()},
            )
            return redirect(_area_url(membership))
    return render(
        request,
        "members/invite.html",
        {"membership": membership, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@never_cache
@login_required
def invitation_withdraw(request, pk, invitation_pk):
    membership = _membership(request, pk, organisation=True)
    invitation = get_object_or_404(membership.invitations, pk=invitation_pk)
    if request.method == "POST":
        if services.focal_point_invitation_withdraw(invitation=invitation, actor=request.user):
            messages.success(
                request,
                _("The invitation to %(email)s is withdrawn: its link no longer works.")
                % {"email": invitation.email},
            )
        else:
            messages.info(
                request,
                _("The invitation to %(email)s was already accepted or withdrawn.")
                % {"email": invitation.email},
            )
        return redirect(_area_url(membership))
    return render(
        request,
        "members/invite_withdraw.html",
        {"membership": membership, "invitation": invitation},
    )


def _sign_in_links(request):
    path = quote(request.get_full_path())
    return {
        "login_url": f"{reverse('account_login')}?next={path}",
        "signup_url": f"{reverse('account_signup')}?next={path}",
    }


def _problem(request, error, invitation=None):
    return render(
        request,
        "members/invite_problem.html",
        {"error": error, "invitation": invitation, **_sign_in_links(request)},
        status=error.status,
    )


@never_cache
def invitation(request, token):
    """The link in an invitation: who invites you to what, then (signed in, with the
    invited address verified) a button that accepts."""
    try:
        invitation = services.invitation_from_token(token)
    except services.InvitationProblem as error:
        return _problem(request, error)
    user = request.user if request.user.is_authenticated else None
    try:
        services.invitation_check_open(invitation, user)
    except services.InvitationProblem as error:
        return _problem(request, error, invitation)
    membership = invitation.membership
    if user is None:
        return render(
            request,
            "members/invite_accept.html",
            {"invitation": invitation, "membership": membership, **_sign_in_links(request)},
        )
    if request.method == "POST":
        try:
            services.focal_point_accept(invitation_token=token, user=user)
        except services.InvitationProblem as error:
            return _problem(request, error, invitation)
        messages.success(
            request,
            _("You are now a focal point of %(member)s.") % {"member": membership},
        )
        return redirect(_area_url(membership))
    if services.is_focal_point(membership, user):
        messages.info(request, _("You are a focal point of %(member)s.") % {"member": membership})
        return redirect(_area_url(membership))
    if invitation.accepted_at is not None:
        # Accepted by this account, which has left since: the link is spent.
        return _problem(request, services.InvitationUsed(), invitation)
    if not services.has_verified(user, invitation.email):
        return _problem(request, services.AddressNotVerified(email=invitation.email), invitation)
    return render(
        request,
        "members/invite_accept.html",
        {"invitation": invitation, "membership": membership},
    )


# Focal points --------------------------------------------------------------------------


@never_cache
@login_required
def leave(request, pk):
    membership = _membership(request, pk)
    error = None
    if request.method == "POST":
        try:
            services.focal_point_leave(membership=membership, actor=request.user)
        except services.LastFocalPoint as problem:
            error = problem
        else:
            messages.success(
                request,
                _("You are no longer a focal point of %(member)s.") % {"member": membership},
            )
            return redirect("members:area")
    others = FocalPoint.objects.filter(membership=membership).exclude(user=request.user).exists()
    return render(
        request,
        "members/area_leave.html",
        {"membership": membership, "error": error, "others": others},
        status=error.status if error else 200,
    )


@never_cache
@login_required
def remove(request, pk, focal_point_pk):
    membership = _membership(request, pk)
    focal_point = get_object_or_404(
        FocalPoint.objects.select_related("user"), membership=membership, pk=focal_point_pk
    )
    if focal_point.user_id == request.user.pk:
        return redirect("members:leave", pk=membership.pk)
    if request.method == "POST":
        if services.focal_point_remove(
            membership=membership, focal_point=focal_point, actor=request.user
        ):
            messages.success(
                request,
                _("%(email)s is no longer a focal point of %(member)s.")
                % {"email": focal_point.user.email, "member": membership},
            )
        return redirect(_area_url(membership))
    return render(
        request,
        "members/area_remove.html",
        {"membership": membership, "focal_point": focal_point},
    )


# The directory entry -------------------------------------------------------------------

FIELD_LABELS = {
    "description": lambda: _("description"),
    "website": lambda: _("website"),
    "logo": lambda: _("logo"),
    "countries": lambda: _("countries of operation"),
}


@never_cache
@login_required
def entry(request, pk):
    membership = _membership(request, pk, organisation=True)
    partner = membership.partner
    if request.method == "POST":
        form = EntryForm(request.POST, request.FILES, has_logo=bool(partner.logo))
        if form.is_valid():
            data = form.cleaned_data
            changed = services.membership_update_entry(
                membership=membership,
                actor=request.user,
                description=data["description"],
                website=data["website"],
                countries=list(data["countries"]),
                logo=data.get("logo"),
                remove_logo=data.get("remove_logo", False),
            )
            if changed:
                messages.success(
                    request,
                    _("Your directory entry is saved. Changed: %(fields)s.")
                    % {"fields": ", ".join(str(FIELD_LABELS[name]()) for name in changed)},
                )
            else:
                messages.info(request, _("Nothing was changed in your directory entry."))
            return redirect(_area_url(membership))
    else:
        form = EntryForm(
            initial={
                "description": membership.description,
                "website": partner.website,
                "countries": list(membership.countries.values_list("pk", flat=True)),
            },
            has_logo=bool(partner.logo),
        )
    return render(
        request,
        "members/entry.html",
        {"membership": membership, "partner": partner, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )
