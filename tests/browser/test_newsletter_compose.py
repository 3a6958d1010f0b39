"""An editor writes an Arabic issue in Markdown and watches the preview follow, right to
left, in a real browser under the portal's strict CSP; without JavaScript the Preview
button gives the same, unsaved."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from newsletters.models import Issue
from tests.initiatives.factories import UserFactory
from tests.newsletters.factories import IssueFactory, NewsletterListFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, path):
    # A superuser: the editors' group and its permissions, made by migrations, are gone
    # once an earlier test of this process has emptied the tables (tests/newsletters
    # checks what the group may do).
    editor = UserFactory(is_staff=True, is_superuser=True)
    page.goto(f"/admin/login/?next={path}")
    page.fill("#id_username", editor.username)
    page.fill("#id_password", "a-long-test-password")
    page.click("input[type=submit]")
    page.wait_for_url(f"**{path}")


def policy_reports(page):
    reports = []
    page.on(
        "console",
        lambda message: (
            reports.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return reports


def test_typing_markdown_in_an_arabic_issue_updates_the_preview_right_to_left(page):
    arabic = NewsletterListFactory(name_en="Regional Arabic", language="ar")
    issue = IssueFactory(newsletter=arabic, subject="نشرة كانون الأول", body="نص قديم")
    reports = policy_reports(page)
    log_in(page, f"/admin/newsletters/issue/{issue.pk}/change/")

    panel = page.locator(".compose-preview")
    assert panel.get_attribute("dir") == "rtl"
    assert panel.get_attribute("lang") == "ar"
    page.locator("#id_body").fill("## أخبار المنطقة\n\n- **حماية الطفل** أولاً\n- التعليم")
    panel.locator("h2", has_text="أخبار المنطقة").wait_for()
    assert panel.locator("li strong").inner_text() == "حماية الطفل"
    assert panel.evaluate("element => getComputedStyle(element).direction") == "rtl"
    # The list items start on the right, as Arabic readers expect.
    item = panel.locator("li").first.bounding_box()
    box = panel.bounding_box()
    assert item["x"] + item["width"] > box["x"] + box["width"] - 60

    # Scripts typed into the body never reach the page.
    page.locator("#id_body").fill("آمن <img src=x onerror=\"document.title='pwned'\"> **نعم**")
    panel.locator("strong", has_text="نعم").wait_for()
    assert page.title() != "pwned"
    assert panel.locator("img").count() == 1
    assert panel.locator("img").get_attribute("onerror") is None

    # Choosing an English list turns the preview left to right.
    english = NewsletterListFactory(name_en="Global", language="en")
    page.reload()
    page.select_option("#id_newsletter", str(english.pk))
    expect(panel).to_have_attribute("dir", "ltr")
    assert panel.get_attribute("lang") == "en"

    # The test and the e-mail's preview at the top are the form's own buttons: what is
    # typed is saved first (tests/browser/test_admin_jobs.py sends a test).
    assert page.locator(".object-tools a[href$='/test/']").count() == 0
    assert page.locator("#issue_form .issue-try button[name=_save_test]").count() == 1

    issue.refresh_from_db()
    assert issue.body == "نص قديم"  # previewing saved nothing
    assert reports == []
    assert serious(Axe().run(page, context=".field-body")) == []


def serious(results):
    return [
        f"{violation['id']}: {violation['help']}"
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def test_on_a_phone_the_preview_sits_under_the_body(browser, live_server):
    issue = IssueFactory(newsletter=NewsletterListFactory(language="ar"), body="**مرحبا**")
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 360, "height": 740}, is_mobile=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        log_in(page, f"/admin/newsletters/issue/{issue.pk}/change/")
        source = page.locator("#id_body").bounding_box()
        preview = page.locator(".compose-preview").bounding_box()
        assert preview["y"] >= source["y"] + source["height"]
        assert preview["x"] + preview["width"] <= 360
    finally:
        context.close()


def test_without_javascript_the_preview_button_keeps_the_typed_text(browser, live_server):
    issue = IssueFactory(subject="June", body="Saved")
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        log_in(page, f"/admin/newsletters/issue/{issue.pk}/change/")
        page.locator("#id_body").fill("Typed **draft**")
        page.get_by_role("button", name="Preview", exact=True).click()
        page.locator(".compose-preview strong", has_text="draft").wait_for()
        assert page.locator("#id_body").input_value() == "Typed **draft**"
        assert Issue.objects.get(pk=issue.pk).body == "Saved"
    finally:
        context.close()


def test_an_uploaded_image_is_inserted_where_the_cursor_is(page):
    from newsletters.models import IssueImage

    issue = IssueFactory(body="Before\n\nAfter")
    image = IssueImage.objects.create(
        issue=issue,
        image="newsletters/images/2026/12/school-1a2b3c4d.png",
        alt_text="A school in Maiduguri",
        width=40,
        height=30,
    )
    reports = policy_reports(page)
    log_in(page, f"/admin/newsletters/issue/{issue.pk}/change/")
    snippet = f"![A school in Maiduguri]({image.image.url})"
    assert page.get_by_label("Markdown for “A school in Maiduguri”").input_value() == snippet
    body = page.locator("#id_body")
    body.focus()
    body.evaluate("element => element.setSelectionRange(7, 7)")  # after "Before\n"
    page.get_by_role("button", name="Insert in the body").click()
    assert body.input_value() == f"Before\n{snippet}\nAfter"
    preview = page.locator(".compose-preview img[alt='A school in Maiduguri']")
    preview.wait_for(state="attached")
    assert preview.get_attribute("src") == image.image.url
    assert reports == []
