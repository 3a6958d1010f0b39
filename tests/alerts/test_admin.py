"""Staff read alerts, watches and digests in admin; nothing there changes them."""

import pytest
from django.utils import timezone

from alerts.models import Digest
from tests.alerts.factories import LanguageWatchFactory, SearchAlertFactory
from tests.initiatives.factories import UserFactory
from tests.resources.factories import ResourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_staff_find_failed_digests_and_cannot_edit_them(staff):
    alert = SearchAlertFactory(label="Type: Toolkit")
    LanguageWatchFactory(resource=ResourceFactory(title_en="Field guide"))
    now = timezone.now()
    failed = Digest.objects.create(
        alert=alert, period_start=now, period_end=now, status="failed", last_error="550 gone"
    )
    Digest.objects.create(
        alert=alert, period_start=now.replace(year=2020), period_end=now, status="sent"
    )
    page = staff.get("/admin/alerts/digest/?status__exact=failed").content.decode()
    assert "550 gone" in page and page.count('class="field-status"') == 1
    assert "Type: Toolkit" in staff.get("/admin/alerts/searchalert/").content.decode()
    assert "Field guide" in staff.get("/admin/alerts/languagewatch/").content.decode()
    assert staff.get("/admin/alerts/digest/add/").status_code == 403
    response = staff.post(f"/admin/alerts/digest/{failed.pk}/change/", {"status": "sent"})
    assert response.status_code == 403
    failed.refresh_from_db()
    assert failed.status == "failed"
