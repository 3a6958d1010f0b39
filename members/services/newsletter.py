"""What approving an application does for the newsletter: the applicant who ticked
"Send me the CP AoR newsletter" is subscribed, confirmed at once, to the list in the
application's language."""

from allauth.account.models import EmailAddress
from django.contrib.auth.base_user import AbstractBaseUser

from newsletters import services as newsletters
from newsletters.models import NewsletterList

from ..models import Application


def _verified_address(application):
    """The focal point's (or the individual's) address if the applicant's account
    verified it, else the account's own verified address; None if neither is verified.
    No second confirmation e-mail: allauth made the applicant prove the address before
    they could apply, and an address nobody proved is never subscribed."""
    if not application.applicant_id:
        return None
    verified = {
        address.lower(): address
        for address in EmailAddress.objects.filter(
            user_id=application.applicant_id, verified=True
        ).values_list("email", flat=True)
    }
    for candidate in (application.contact_email, application.applicant.email):
        if candidate and candidate.strip().lower() in verified:
            return candidate.strip()
    return None


def _newsletter_for(language):
    """The active list written in the language (English: the Global one), else None."""
    lists = NewsletterList.objects.active().filter(language=language).order_by("order", "pk")
    return lists.first()


def _subscribe_to_newsletter(application: Application, *, actor: AbstractBaseUser | None):
    """Called by application_approve in its transaction: without the tick, nothing; with
    it, a confirmed subscription and a consent record quoting the box and the
    application. Approving twice, or an address already on the list, adds nothing."""
    if not application.wants_newsletter:
        return False
    email = _verified_address(application)
    newsletter = _newsletter_for(application.language)
    if email is None or newsletter is None:
        return False
    name = application.focal_name if application.is_organisation else application.person_name
    if application.is_organisation and email.lower() != (application.focal_email or "").lower():
        name = ""  # the account's own address: the focal point's name is someone else's
    # The reference staff find the application by in admin.
    source = f"Membership application #{application.pk}"
    return newsletters.subscriber_subscribe_confirmed(
        email=email,
        name=name,
        language=application.language,
        list_id=newsletter.pk,
        consent_text=application.newsletter_consent_text,
        source=source,
        actor=actor,
    )
