"""allauth, fitted to the portal: its e-mails go through Celery, and signing up with an
address that already has an account costs the same time as a real sign-up."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import SignupForm
from django.contrib.auth.hashers import make_password


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request):
        """The address allauth's limits count: the one the portal's own limits count, so
        a short X-Forwarded-For (fewer entries than trusted proxies) is REMOTE_ADDR,
        not an error."""
        from django.core.exceptions import PermissionDenied

        from common.ratelimit import client_address

        address = client_address(request)
        if not address:
            raise PermissionDenied("Unable to determine the client's address")
        return address

    def send_mail(self, template_prefix, email, context):
        """Render now (in the reader's language), send after commit from a worker: the
        answer never waits for, nor reveals anything through, the SMTP server."""
        from allauth.account.adapter import context as allauth_context
        from django.contrib.sites.shortcuts import get_current_site

        from common import outbox

        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request)}
        ctx.update(context)
        message = self.render_mail(template_prefix, email, ctx)
        html = next(
            (
                content
                for content, mimetype in getattr(message, "alternatives", [])
                if mimetype == "text/html"
            ),
            None,
        )
        if message.content_subtype == "html":
            html, body = message.body, ""
        else:
            body = message.body
        outbox.email_queue(
            to=list(message.to),
            subject=message.subject,
            body=body,
            html=html,
            headers=dict(message.extra_headers or {}),
            context={"kind": template_prefix.rsplit("/", 1)[-1]},
        )


class PortalSignupForm(SignupForm):
    def try_save(self, request):
        if self.account_already_exists:
            # A real sign-up hashes the password; so does this one, or the quicker answer
            # would tell that the address is known.
            make_password(self.cleaned_data.get("password1") or "")
        return super().try_save(request)
