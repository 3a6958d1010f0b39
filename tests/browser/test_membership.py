"""Membership end to end in a real browser, with real e-mail.

Every e-mail (allauth's and the membership's) is queued after commit on Redis database 11
and a queue of this test's own, sent by a real Celery worker subprocess to a real SMTP
server (the portal's mail sink) that the test reads: sign up, open the verification link
from that outbox, apply, a reviewer asks for information in admin, the applicant answers,
the reviewer approves, the organisation is in the directory, and each e-mail arrived.
"""

import os
import re
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from django.db import connection
from playwright.sync_api import expect

from cpaor.celery import app
from devstack import workers
from devstack.mailsink import MailSink
from members import seed
from tests.celery_app import use_broker
from tests.initiatives.factories import CountryFactory
from tests.members.factories import reviewer

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

REPO = Path(__file__).resolve().parents[2]
REDIS_DB = 11
PASSWORD = "a long and memorable passphrase 2026"


def broker_url():
    parts = urlsplit(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    return urlunsplit(parts._replace(path=f"/{REDIS_DB}"))


@pytest.fixture
def sink():
    with MailSink() as server:
        yield server


@pytest.fixture
def worker(sink, tmp_path, settings):
    """A Celery worker on its own Redis database and queue; the portal's tasks go there."""
    url = broker_url()
    redis.Redis.from_url(url).ping()
    queue = (
        f"test-membership-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{uuid.uuid4().hex[:8]}"
    )
    saved = (app.conf.broker_url, app.conf.task_routes, app.conf.task_always_eager)
    settings.CELERY_BROKER_URL = url
    use_broker(url, routes={"cpaor.send_email": {"queue": queue}})
    app.conf.task_always_eager = False
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "REDIS_URL": url,
        "CELERY_BROKER_URL": url,
        "EMAIL_URL": sink.url,
        # The worker reads each e-mail's outbox row from the test database.
        "DATABASE_URL": workers.database_url(connection),
    }
    process = workers.start_worker(queue=queue, env=env, log=log)
    yield log
    workers.stop_worker(process)
    workers.forget_queue(url, queue)
    use_broker(saved[0], routes=saved[1])
    app.conf.task_always_eager = saved[2]


def mail_to(sink, worker_log, address, words):
    """The first e-mail to address whose subject or body contains words."""

    def matches(message):
        text = message["Subject"] + message.get_body(("plain",)).get_content()
        return message["X-Envelope-To"] == address and words in text

    try:
        return sink.wait_for(matches, timeout=60)
    except TimeoutError:
        pytest.fail(
            f"no e-mail to {address} with {words!r}; got "
            f"{[(m['X-Envelope-To'], m['Subject']) for m in sink.messages]}\n"
            f"worker log:\n{worker_log.read_text()[-3000:]}"
        )


def run_admin_action(page, action_label, organisation):
    page.goto("/admin/members/application/")
    row = page.locator("#result_list tbody tr", has_text=organisation)
    row.locator("input.action-select").check()
    page.locator("select[name=action]").select_option(label=action_label)
    page.locator("button[name=index]").click()


def test_apply_review_and_join_the_directory(page, browser, live_server, sink, worker):
    seed.load()
    senegal = CountryFactory(name_en="Senegal", iso_code="SN")
    CountryFactory(name_en="Mali", iso_code="ML")
    staff = reviewer(username="reviewer", email="reviewer@cpaor.example.org")
    staff.set_password(PASSWORD)
    staff.save()
    email = f"awa.{uuid.uuid4().hex[:6]}@enfance-senegal.example.org"
    organisation = "Enfance Sénégal"

    # Sign up, then verify the address from the link in the real outbox.
    page.goto("/en/accounts/signup/")
    page.locator("#id_email").fill(email)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
    verification = mail_to(sink, worker, email, "/accounts/confirm-email/")
    link = re.search(
        r"https?://\S+/accounts/confirm-email/\S+", verification.get_body(("plain",)).get_content()
    )
    page.goto(link.group(0).replace("http://testserver", live_server.url))
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(r"/en/$"))

    # Apply for full membership, organisation.
    page.goto("/en/membership/")
    page.get_by_role("link", name="Apply for membership").click()
    page.get_by_role("link", name="Full membership for an organisation").click()
    page.get_by_label("organisation name").fill(organisation)
    page.get_by_label("acronym").fill("ES")
    page.get_by_label("type of organisation").select_option(label="National or local NGO / CSO")
    page.get_by_label("headquarters country").select_option(label="Senegal")
    page.get_by_label("countries of operation").select_option(label=["Senegal", "Mali"])
    page.get_by_label("Website").fill("https://enfance-senegal.example.org")
    page.get_by_label("child-protection work").fill("Case management in Dakar.")
    page.get_by_label("focal point name").fill("Awa Ndiaye")
    page.get_by_label("focal point title").fill("Director")
    page.get_by_label("focal point e-mail").fill(email)
    page.get_by_label("focal point phone").fill("+221 77 000 00 00")
    page.get_by_label("motivation").fill("To coordinate with the national working group.")
    page.get_by_label("accepts the humanitarian principles").check()
    page.get_by_label("accepts the CPMS").check()
    page.get_by_label("accepts a safeguarding / PSEA code of conduct").check()
    page.get_by_label(re.compile("^I agree that the CP AoR keeps")).check()
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".messages")).to_contain_text("Your draft is saved")
    page.get_by_role("link", name="Continue the draft").first.click()
    page.get_by_role("button", name="Submit application").click()
    expect(page.locator(".messages")).to_contain_text("Your application has been submitted")
    mail_to(sink, worker, email, "We have received your CP AoR membership application")
    mail_to(sink, worker, staff.email, organisation)

    # The reviewer asks for more information in admin.
    reviewer_context = browser.new_context(base_url=live_server.url)
    admin = reviewer_context.new_page()
    admin.set_default_timeout(10_000)
    admin.goto("/admin/login/")
    admin.get_by_label("Username").fill("reviewer")
    admin.get_by_label("Password").fill(PASSWORD)
    admin.get_by_role("button", name="Log in").click()
    run_admin_action(admin, "Request more information…", organisation)
    admin.get_by_label("Message to the applicant").fill("Please describe your safeguarding policy.")
    admin.get_by_role("button", name="Request more information").click()
    expect(admin.locator(".messagelist")).to_contain_text("Information requested on 1 application")
    mail_to(sink, worker, email, "Please describe your safeguarding policy.")

    # The applicant answers from the dashboard.
    page.goto("/en/membership/dashboard/")
    page.get_by_role("link", name="Answer the reviewers").click()
    page.get_by_label("Your answer").fill("Our code of conduct is signed by every staff member.")
    page.get_by_role("button", name="Send my answer").click()
    expect(page.locator(".messages")).to_contain_text("your answer has been sent")

    # The reviewer approves.
    run_admin_action(admin, "Approve…", organisation)
    admin.get_by_role("button", name="Approve").click()
    expect(admin.locator(".messagelist")).to_contain_text("1 application(s) approved")
    mail_to(sink, worker, email, "your membership is approved")
    reviewer_context.close()

    # The organisation is in the directory, without its focal point.
    page.goto("/en/members/")
    page.get_by_label("Search").fill("enfance senegal")
    page.get_by_role("button", name="Show").click()
    card = page.locator(".directory li", has_text=organisation)
    expect(card).to_have_count(1)
    assert "Senegal" in card.inner_text() and "Mali" in card.inner_text()
    assert email not in page.content()
    page.goto("/en/membership/area/")
    expect(page.locator("main")).to_contain_text(organisation)
    expect(page.locator("main")).to_contain_text(senegal.name)
    # The test process itself only has the in-memory backend: what reached the SMTP
    # server was sent by the worker.
    applicant_mail = [m for m in sink.messages if m["X-Envelope-To"] == email]
    assert len(applicant_mail) == 4, [m["Subject"] for m in applicant_mail]
    assert worker.read_text().count("Task cpaor.send_email") >= 6


def no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_the_form_and_directory_fit_a_phone_in_arabic_and_work_by_keyboard(phone_page, live_server):
    from tests.members.factories import MembershipFactory, UserFactory

    seed.load()
    CountryFactory(name_en="Jordan", name_ar="الأردن", iso_code="JO")
    MembershipFactory(partner__name_en="شبكة حماية الطفل", partner__website="https://net.example")
    user = UserFactory(email="phone@example.org")
    user.set_password(PASSWORD)
    user.save()

    phone_page.goto("/ar/members/")
    assert phone_page.locator("html").get_attribute("dir") == "rtl"
    expect(phone_page.locator(".directory li")).to_have_count(1)
    assert no_horizontal_scroll(phone_page)

    phone_page.goto("/ar/accounts/login/")
    phone_page.locator("#id_login").fill(user.email)
    phone_page.locator("#id_password").fill(PASSWORD)
    phone_page.locator("#id_password").press("Enter")
    phone_page.wait_for_url(lambda url: "/accounts/login/" not in url)

    phone_page.goto("/ar/membership/apply/individual/")
    assert no_horizontal_scroll(phone_page)
    # By keyboard only: the first field takes focus, typing fills it, Enter on the
    # focused "save draft" button saves.
    phone_page.locator("#id_person_name").focus()
    phone_page.keyboard.type("Layla Haddad")
    phone_page.locator("button[name=save]").focus()
    phone_page.keyboard.press("Enter")
    expect(phone_page.locator(".messages")).to_be_visible()
    assert phone_page.locator("html").get_attribute("dir") == "rtl"
    assert no_horizontal_scroll(phone_page)
    expect(phone_page.locator("h1")).to_contain_text("Layla Haddad")

    # Submitting the incomplete draft names each missing field next to it.
    phone_page.goto(phone_page.url.rstrip("/") + "/edit/")
    phone_page.locator("button[name=submit]").click()
    expect(phone_page.locator("#form-errors")).to_be_visible()
    assert phone_page.locator("[aria-invalid=true]").count() >= 3
    assert no_horizontal_scroll(phone_page)


def test_the_applicant_pages_have_no_serious_accessibility_violation(page, live_server):
    from axe_playwright_python.sync_playwright import Axe

    from members import services
    from tests.members.factories import ApplicationFactory, UserFactory

    axe = Axe()
    user = UserFactory(email="axe@example.org")
    user.set_password(PASSWORD)
    user.save()
    application = ApplicationFactory(applicant=user)
    services.application_submit(application=application, actor=user)
    services.application_request_information(
        application=application, actor=reviewer(), message="Which provinces?"
    )
    page.goto("/en/accounts/login/")
    page.locator("#id_login").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    found = {}
    for lang in ("en", "ar"):
        for path in (
            "/membership/apply/",
            "/membership/apply/organisation/?type=full",
            "/membership/apply/individual/",
            "/membership/dashboard/",
            application.get_absolute_url().removeprefix("/en"),
            f"/membership/applications/{application.pk}/withdraw/",
            "/membership/area/",
            "/accounts/email/",
            "/accounts/password/change/",
        ):
            page.goto(f"/{lang}{path}")
            if path == "/membership/apply/individual/":
                # The form with its error messages shown.
                page.locator("button[name=submit]").click()
                expect(page.locator("#form-errors")).to_be_visible()
            problems = [
                f"{violation['id']}: {violation['help']}"
                for violation in axe.run(page).response["violations"]
                if violation["impact"] in ("serious", "critical")
            ]
            if problems:
                found[f"/{lang}{path}"] = problems
    assert found == {}
