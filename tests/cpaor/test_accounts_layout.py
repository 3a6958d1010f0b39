import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("lang", "heading"), [("en", "Sign In"), ("fr", "Connexion"), ("ar", "تسجيل الدخول")]
)
def test_sign_in_page_uses_the_portal_layout_in_the_reader_language(client, lang, heading):
    html = client.get(f"/{lang}/accounts/login/").content.decode()
    assert f'<html lang="{lang}"' in html
    assert '<a class="skip-link" href="#main">' in html
    assert 'class="wrap account-page"' in html
    assert heading in html
