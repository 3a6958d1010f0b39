"""A library alert end to end, in French, in a real browser with real e-mail.

A coordinator searches the library, asks to be e-mailed new resources like these, and
confirms from the e-mail the worker sent; a curator publishes a matching resource; the
beat's daily task, run by a real Celery worker, sends the digest to a real SMTP server
(the portal's mail sink); its short link names the resource and its link stops the alert.
"""

import datetime
import re

import pytest
from django.db.models import F

from alerts.models import SearchAlert
from alerts.tasks import daily
from cpaor.celery import app
from resources.models import Resource
from resources.services import resource_publish
from tests.integration.outbox_worker import *  # noqa: F403 - the fixtures
from tests.integration.outbox_worker import QUEUE
from tests.resources.factories import ResourceFactory, VersionFactory

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ADDRESS = "coordinatrice@ong.example.org"


def text_of(message):
    return message["Subject"] + "\n" + message.get_body(("plain",)).get_content()


def mail(sink, log, words):
    try:
        return sink.wait_for(
            lambda m: m["X-Envelope-To"] == ADDRESS and words in text_of(m), timeout=60
        )
    except TimeoutError:
        pytest.fail(
            f"no e-mail with {words!r}; got {[m['Subject'] for m in sink.messages]}\n"
            f"worker log:\n{log.read_text()[-3000:]}"
        )


def path_in(message, part):
    found = re.search(rf"http://testserver(\S*{part}\S*)", text_of(message))
    assert found, text_of(message)
    return found.group(1)


def test_a_french_search_becomes_a_confirmed_alert_whose_digest_the_worker_sends(
    page, live_server, broker, sink, worker
):
    ResourceFactory(title_en="Family reunification toolkit", title_fr="Boîte à outils")
    page.goto("/fr/resources/")
    page.locator("input[name=q]").fill("réunification")
    page.locator("input[name=q]").press("Enter")
    page.wait_for_url("**/fr/resources/?q=*")
    page.locator('a[href^="/fr/alerts/new/"]').click()

    form = page.locator("form.alert-form")
    assert "réunification" in page.locator(".alert-search").inner_text()
    assert page.locator("html").get_attribute("lang") == "fr"
    form.locator("input[type=email]").fill(ADDRESS)
    form.locator("input[value=weekly]").check()
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/fr/alerts/check-your-email/")

    confirmation = mail(sink, worker, "/fr/alerts/confirm/")
    assert confirmation["Content-Language"] == "fr"
    page.goto(path_in(confirmation, "/alerts/confirm/"))
    assert SearchAlert.objects.get().confirmed_at is None  # opening the link is not enough
    with page.expect_navigation():
        page.locator("form[action*='/alerts/confirm/'] button").click()
    alert = SearchAlert.objects.get()
    assert alert.confirmed_at is not None and alert.query == "q=r%C3%A9unification"

    # A curator publishes a resource the search finds; a week has gone by.
    new = ResourceFactory(
        status=Resource.Status.DRAFT,
        title_en="Family reunification in emergencies",
        title_fr="La réunification familiale en situation d'urgence",
    )
    VersionFactory(resource=new, language="fr")
    resource_publish(actor=None, resource_ids=[new.pk])
    SearchAlert.objects.update(
        last_sent_through=F("last_sent_through") - datetime.timedelta(days=7, minutes=1)
    )
    with app.connection_for_write(broker) as connection:
        daily.apply_async(connection=connection, queue=QUEUE)

    digest = mail(sink, worker, f"http://testserver/r/{new.pk}/")
    body = text_of(digest)
    assert digest["Content-Language"] == "fr"
    assert "La réunification familiale en situation d'urgence" in body
    assert "Boîte à outils" not in body  # published before the alert
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert digest.get_content_type() == "text/plain"

    page.goto(path_in(digest, "/alerts/unsubscribe/"))
    with page.expect_navigation():
        page.locator("form[action*='/alerts/unsubscribe/'] button").click()
    assert not SearchAlert.objects.exists()
    assert len(sink.messages) == 2  # the confirmation and one digest
