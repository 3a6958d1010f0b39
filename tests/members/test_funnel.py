"""The application funnel in admin: stages reached, statuses now, median days to a
decision, as a chart drawn by the server and the same figures in tables."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from members import services
from members.models import Application

from .factories import ApplicationFactory, UserFactory, reviewer

pytestmark = pytest.mark.django_db

FUNNEL = "/admin/members/application/funnel/"


def submitted(**kwargs):
    application = ApplicationFactory(**kwargs)
    services.application_submit(application=application, actor=application.applicant)
    return application


def decided_after(days, approve=True):
    application = submitted()
    services.application_start_review(application=application, actor=reviewer())
    if approve:
        services.application_approve(application=application, actor=reviewer())
    else:
        services.application_decline(application=application, actor=reviewer(), note="No.")
    application.refresh_from_db()
    Application.objects.filter(pk=application.pk).update(
        decided_at=application.submitted_at + timedelta(days=days)
    )
    return application


@pytest.fixture
def staff_client(client):
    client.force_login(reviewer())
    return client


def test_the_funnel_counts_stages_statuses_and_the_median_wait(staff_client):
    ApplicationFactory()  # a draft: started, never submitted
    submitted()
    decided_after(2)
    decided_after(4)
    decided_after(10, approve=False)
    response = staff_client.get(FUNNEL)
    assert response.status_code == 200
    figures = response.context["figures"]
    assert [count for _, count in figures["stages"]] == [5, 4, 3, 3, 2]
    statuses = dict(figures["statuses"])
    assert statuses["Approved"] == 2 and statuses["Declined"] == 1
    assert statuses["Submitted"] == 1 and statuses["Draft"] == 1
    assert figures["median_days"] == 4.0
    html = response.content.decode()
    assert "4.0 days" in html
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"' in html
    assert "<title>Applications reaching each stage</title>" in html
    assert "<desc>Started: 5; Submitted: 4; Reviewed: 3; Decided: 3; Approved: 2</desc>" in html
    assert "style=" not in html.split('id="content-main"')[1].split("</svg>")[0]


def test_the_period_leaves_out_older_applications_and_a_bad_one_falls_back(staff_client):
    old = decided_after(3)
    Application.objects.filter(pk=old.pk).update(created=timezone.now() - timedelta(days=200))
    submitted()
    recent = staff_client.get(f"{FUNNEL}?period=90").context["figures"]
    assert recent["stages"][0][1] == 1 and recent["median_days"] is None
    assert "no decision yet" in staff_client.get(f"{FUNNEL}?period=90").content.decode()
    assert staff_client.get(f"{FUNNEL}?period=all").context["figures"]["stages"][0][1] == 2
    fallback = staff_client.get(f"{FUNNEL}?period=%27;drop").context
    assert fallback["period"] == "365"


def test_the_funnel_is_for_reviewers_only(client):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(FUNNEL).status_code == 403


def test_the_funnel_costs_the_same_queries_for_few_and_many_applications(staff_client):
    def count():
        with CaptureQueriesContext(connection) as context:
            assert staff_client.get(FUNNEL).status_code == 200
        return len(context.captured_queries)

    decided_after(1)
    few = count()
    for days in range(12):
        decided_after(days, approve=days % 2 == 0)
        submitted()
    assert count() == few
