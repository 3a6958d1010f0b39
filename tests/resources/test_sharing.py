"""Links that share well and citations a reference manager imports: Open Graph and
Twitter card metadata, short links in the reader's language, RIS, BibTeX and CSL-JSON."""

import json
import re

import bibtexparser
import pytest
import rispy
from django.contrib.staticfiles import finders

from tests.initiatives.factories import InitiativeFactory, PartnerFactory
from tests.newsletters.factories import IssueFactory

from .factories import LinkVersionFactory, ResourceFactory

pytestmark = pytest.mark.django_db


def meta(html, name):
    found = re.search(rf'<meta (?:property|name)="{re.escape(name)}" content="([^"]*)"', html)
    return found.group(1) if found else None


def test_a_resource_page_says_what_it_is_to_a_chat_app(client):
    ResourceFactory(
        slug="case-management-toolkit",
        title_en="Case Management Toolkit",
        title_fr="Boîte à outils de gestion de cas",
        type="toolkit",
    )
    html = client.get("/fr/resources/case-management-toolkit/").content.decode()
    assert meta(html, "og:title") == "Boîte à outils de gestion de cas"
    assert meta(html, "og:type") == "article"
    assert meta(html, "og:url") == "http://testserver/fr/resources/case-management-toolkit/"
    assert meta(html, "og:locale") == "fr_FR"
    assert meta(html, "og:description").startswith("Boîte à outils · 2019 · A short summary")
    assert meta(html, "og:image") == "http://testserver/static/img/share.png"
    assert meta(html, "twitter:card") == "summary_large_image"
    assert finders.find("img/share.png")  # served by the portal, with the other static files


def test_initiative_and_newsletter_issue_pages_carry_their_own_titles(client):
    InitiativeFactory(slug="niaf", title_en="NIAF", summary_en="Needs identification.")
    html = client.get("/en/initiatives/niaf/").content.decode()
    assert meta(html, "og:title") == "NIAF"
    assert meta(html, "og:description") == "Needs identification."
    issue = IssueFactory(status="sent", subject="March news", preheader="Mine action")
    html = client.get(issue.get_absolute_url()).content.decode()
    assert meta(html, "og:title") == "March news"
    assert meta(html, "og:description") == "Mine action"
    home = client.get("/ar/").content.decode()
    assert meta(home, "og:locale") == "ar_AR"
    assert 'property="og:locale:alternate" content="fr_FR"' in home


def test_a_short_link_opens_the_resource_in_the_readers_language(client):
    resource = ResourceFactory(slug="mhpss-guide")
    draft = ResourceFactory(slug="secret", status="draft")
    response = client.get(f"/r/{resource.pk}/", headers={"accept-language": "ar,en;q=0.5"})
    assert (response.status_code, response["Location"]) == (302, "/ar/resources/mhpss-guide/")
    assert "Accept-Language" in response["Vary"]
    english = client.get(f"/r/{resource.pk}/", headers={"accept-language": "de"})
    assert english["Location"] == "/en/resources/mhpss-guide/"
    assert client.get(f"/r/{draft.pk}/").status_code == 404
    assert client.get("/r/999999/").status_code == 404
    page = client.get("/en/resources/mhpss-guide/").content.decode()
    assert f"http://testserver/r/{resource.pk}/" in page


@pytest.fixture
def cited():
    resource = ResourceFactory(
        slug="protection-report",
        title_en="Children & Armed Conflict: 100% of cases_2024",
        summary_en="What coordinators found.",
        type="report",
        publication_precision="month",
    )
    resource.publishers.set(
        [PartnerFactory(name_en="Save the Children"), PartnerFactory(name_en="UNICEF")]
    )
    LinkVersionFactory(resource=resource, language="fr")
    return resource


def test_ris_holds_the_citation(client, cited):
    response = client.get("/en/resources/protection-report/cite.ris")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/x-research-info-systems")
    assert 'filename="protection-report.ris"' in response["Content-Disposition"]
    (entry,) = rispy.loads(response.content.decode())
    assert entry["type_of_reference"] == "RPRT"
    assert entry["title"] == "Children & Armed Conflict: 100% of cases_2024"
    assert entry["authors"] == ["Save the Children", "UNICEF"]
    assert entry["year"] == "2019" and entry["date"] == "2019/01//"
    assert entry["urls"] == ["http://testserver/en/resources/protection-report/"]
    assert entry["language"] == "fr"


def test_bibtex_escapes_what_tex_would_read_as_commands(client, cited):
    text = client.get("/en/resources/protection-report/cite.bib").content.decode()
    (entry,) = bibtexparser.loads(text).entries
    assert entry["ENTRYTYPE"] == "techreport"
    assert entry["title"] == r"{Children \& Armed Conflict: 100\% of cases\_2024}"
    assert entry["author"] == "{Save the Children} and {UNICEF}"
    assert (entry["year"], entry["month"]) == ("2019", "1")


def test_csl_json_in_the_readers_language(client, cited):
    (item,) = json.loads(client.get("/fr/resources/protection-report/cite.json").content)
    assert item["type"] == "report"
    assert item["author"] == [{"literal": "Save the Children"}, {"literal": "UNICEF"}]
    assert item["issued"] == {"date-parts": [[2019, 1]]}
    assert item["URL"] == "http://testserver/fr/resources/protection-report/"
    assert client.get("/en/resources/protection-report/cite.doc").status_code == 404
    assert client.get("/en/resources/no-such/cite.ris").status_code == 404
    page = client.get("/en/resources/protection-report/").content.decode()
    assert 'href="/en/resources/protection-report/cite.bib"' in page
