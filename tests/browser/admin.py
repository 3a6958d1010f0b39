"""What the admin's browser tests share besides their page (conftest.py's admin_page):
texts in the admin's language, and a staff member signed in."""

from django.utils import translation

from tests.initiatives.factories import UserFactory

DIRECTION = {"en": "ltr", "ar": "rtl"}


def words(language, message, **values):
    with translation.override(language):
        text = translation.gettext(message)
    return text % values if values else text


def log_in(page, path, language, **fields):
    """A superuser signed in, on path, the admin in language: the staff groups made by
    migrations are gone once an earlier transactional test of this process has emptied
    the tables."""
    staff = UserFactory(is_staff=True, is_superuser=True, **fields)
    page.goto(f"/admin/login/?next={path}")
    page.fill("#id_username", staff.username)
    page.fill("#id_password", "a-long-test-password")
    page.get_by_role("button", name=words(language, "Log in"), exact=True).click()
    page.wait_for_url(f"**{path}")
    html = page.locator("html")
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == (
        language,
        DIRECTION[language],
    )
    return staff
