"""A member's year, in English and in Arabic, in a real browser with real e-mail.

An organisation in Syria applies with a document; a reviewer asks for information in
admin; the applicant answers with a second document and the reviewers' e-mail carries the
answer; the reviewer approves; the organisation's focal point invites a colleague, who
signs in and accepts; thirty days before the renewal date the beat's task, run by a real
Celery worker, reminds both focal points in the member's language, and the reminder's
link renews the membership. Every e-mail goes through the outbox to a real SMTP server
(the portal's mail sink), sent by the worker.
"""

import datetime
import re

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone, translation
from playwright.sync_api import expect

from initiatives import seed as initiatives_seed
from initiatives.models import Country
from members import seed
from members.models import Application, ApplicationAttachment, FocalPoint, Membership
from members.services.emails import SUBJECTS, Notice
from members.services.memberships import add_years
from members.tasks import renewals_daily
from tests.integration.outbox_worker import *  # noqa: F403
from tests.members.factories import UserFactory, reviewer
from tests.resources.files import pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long and memorable passphrase 2026"
ORGANISATIONS = {"en": "Hope for Aleppo Children", "ar": "أمل لأطفال حلب"}


def person(email, language):
    """An account whose address is verified, as after allauth's confirmation."""
    user = UserFactory(email=email)
    user.set_password(PASSWORD)
    user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def sign_in(page, email, language):
    page.goto(f"/{language}/accounts/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def text_of(message):
    return message["Subject"] + "\n" + message.get_body(("plain",)).get_content()


def mail(sink, log, address, words):
    """The first e-mail to address whose subject or body contains words."""
    try:
        return sink.wait_for(
            lambda m: m["X-Envelope-To"] == address and words in text_of(m), timeout=60
        )
    except TimeoutError:
        pytest.fail(
            f"no e-mail to {address} with {words!r}; got "
            f"{[(m['X-Envelope-To'], m['Subject']) for m in sink.messages]}\n"
            f"worker log:\n{log.read_text()[-3000:]}"
        )


def subject(notice, language, **names):
    with translation.override(language):
        return str(SUBJECTS[notice]) % names


def link_in(message, path):
    found = re.search(rf"https?://[^\s/]+(\S*{path}\S*)", text_of(message))
    assert found, text_of(message)
    return found.group(1)


def run_admin_action(admin, action_label, organisation):
    admin.goto("/admin/members/application/")
    row = admin.locator("#result_list tbody tr", has_text=organisation)
    row.locator("input.action-select").check()
    admin.locator("select[name=action]").select_option(label=action_label)
    admin.locator("button[name=index]").click()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_member_from_syria_applies_is_approved_invites_a_colleague_and_renews(
    language, browser, page, live_server, sink, worker, tmp_path
):
    initiatives_seed.load()
    seed.load()
    staff = reviewer(username="reviewer", email="reviewer@cpaor.example.org")
    staff.set_password(PASSWORD)
    staff.save()
    applicant = f"rania.{language}@hope-aleppo.example.org"
    colleague = f"omar.{language}@hope-aleppo.example.org"
    person(applicant, language)
    organisation = ORGANISATIONS[language]
    with translation.override(language):
        syria = str(Country.objects.get(iso_code="SY").name)
        jordan = str(Country.objects.get(iso_code="JO").name)
    profile = tmp_path / "profile.pdf"
    profile.write_bytes(pdf_bytes(["Organisation profile"]))
    statutes = tmp_path / "statutes.pdf"
    statutes.write_bytes(pdf_bytes(["Statutes", "Registration in Damascus"]))

    # Apply from Syria, with the organisation's profile.
    sign_in(page, applicant, language)
    page.goto(f"/{language}/membership/apply/organisation/?type=full")
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    page.locator("#id_org_name").fill(organisation)
    page.locator("#id_org_acronym").fill("HAC")
    page.locator("#id_org_type").select_option(index=1)
    page.locator("#id_hq_country").select_option(label=syria)
    page.locator("#id_countries").select_option(label=[syria, jordan])
    page.locator("#id_website").fill("https://hope-aleppo.example.org")
    page.locator("#id_cp_work").fill("Case management and safe spaces in Aleppo and Idlib.")
    page.locator("#id_focal_name").fill("Rania Khoury")
    page.locator("#id_focal_title").fill("Director")
    page.locator("#id_focal_email").fill(applicant)
    page.locator("#id_focal_phone").fill("+963 11 000 0000")
    page.locator("#id_motivation").fill("To coordinate with the Syria child protection AoR.")
    for name in ("accepts_principles", "accepts_cpms", "accepts_code_of_conduct", "consent"):
        page.locator(f"#id_{name}").check()
    page.locator("#id_supporting_document").set_input_files(profile)
    page.locator("button[name=submit]").click()
    expect(page.locator(".messages")).to_be_visible()
    application = Application.objects.get(org_name=organisation)
    assert application.status == "submitted" and application.language == language
    assert application.hq_country.iso_code == "SY"
    assert application.supporting_document.name.endswith(".pdf")
    mail(sink, worker, applicant, subject(Notice.SUBMITTED, language))
    mail(sink, worker, staff.email, organisation)

    # The reviewer asks for more information in admin.
    reviewer_context = browser.new_context(base_url=live_server.url)
    admin = reviewer_context.new_page()
    admin.set_default_timeout(10_000)
    admin.goto("/admin/login/")
    admin.locator("#id_username").fill("reviewer")
    admin.locator("#id_password").fill(PASSWORD)
    admin.locator("#id_password").press("Enter")
    admin.wait_for_url(lambda url: "/login/" not in url)
    run_admin_action(admin, "Request more information…", organisation)
    admin.get_by_label("Message to the applicant").fill("Please send your registration.")
    admin.get_by_role("button", name="Request more information").click()
    expect(admin.locator(".messagelist")).to_contain_text("Information requested")
    request = mail(sink, worker, applicant, "Please send your registration.")
    assert request["Subject"].strip() == subject(Notice.INFORMATION_REQUESTED, language)

    # The applicant answers with a second document; the reviewers read the answer.
    page.goto(link_in(request, f"/{language}/membership/"))
    page.locator("#id_answer").fill("Our statutes and registration are attached.")
    page.locator("#id_documents").set_input_files(statutes)
    page.locator("#answer button[type=submit]").click()
    expect(page.locator(".messages")).to_be_visible()
    expect(page.get_by_role("link", name="statutes.pdf")).to_be_visible()
    answered = mail(sink, worker, staff.email, "Our statutes and registration are attached.")
    assert answered["Subject"].strip() == subject(Notice.ANSWER_RECEIVED, "en", name=organisation)
    assert ApplicationAttachment.objects.filter(application=application).count() == 1

    # The reviewer approves; the welcome is in the applicant's language.
    run_admin_action(admin, "Approve…", organisation)
    admin.get_by_role("button", name="Approve").click()
    expect(admin.locator(".messagelist")).to_contain_text("approved")
    reviewer_context.close()
    mail(sink, worker, applicant, subject(Notice.APPROVED, language))
    membership = Membership.objects.get(application=application)
    page.goto(f"/{language}/members/")
    expect(page.locator(".directory li", has_text=organisation)).to_have_count(1)

    # The focal point invites a colleague, who signs in and accepts.
    page.goto(f"/{language}/membership/area/{membership.pk}/invite/")
    page.locator("#id_email").fill(colleague)
    page.locator("#id_email").press("Enter")
    expect(page.locator(".messages")).to_contain_text(colleague)
    invitation = mail(sink, worker, colleague, "/membership/invitations/")
    assert invitation["Content-Language"] == language
    person(colleague, language)
    second = browser.new_context(base_url=live_server.url)
    colleague_page = second.new_page()
    colleague_page.set_default_timeout(10_000)
    sign_in(colleague_page, colleague, language)
    colleague_page.goto(link_in(invitation, "/membership/invitations/"))
    colleague_page.locator("main form button[type=submit]").click()
    expect(colleague_page.locator(f"#membership-{membership.pk}")).to_contain_text(organisation)
    second.close()
    assert FocalPoint.objects.filter(membership=membership, user__email=colleague).exists()

    # Thirty days before the renewal date, the beat's task reminds both focal points.
    due = timezone.localdate() + datetime.timedelta(days=30)
    Membership.objects.filter(pk=membership.pk).update(renewal_due=due)
    renewals_daily.delay()
    reminder = mail(sink, worker, applicant, "/membership/renew/")
    mail(sink, worker, colleague, "/membership/renew/")
    assert reminder["Content-Language"] == language
    page.goto(link_in(reminder, "/membership/renew/"))
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("status")).to_be_visible()
    membership.refresh_from_db()
    assert membership.renewal_due == add_years(due, 1)
    assert page.locator("html").get_attribute("lang") == language
