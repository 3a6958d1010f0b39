"""Links to documents elsewhere, checked against a real HTTP server on this machine."""

import contextlib
import datetime
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock

import pytest
from django.utils import timezone

from resources import services
from resources.models import ResourceVersion

from .factories import LinkVersionFactory, ResourceFactory, resource_curator

pytestmark = pytest.mark.django_db

Status = ResourceVersion.LinkStatus


class Handler(BaseHTTPRequestHandler):
    """/report.pdf: a PDF that refuses HEAD; /page: a web page; /old: moved to the PDF;
    /loop: redirects to itself; /slow: answers too late; anything else: 404."""

    def log_message(self, *args):
        pass

    def _answer(self, status, headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", dict(headers).get("Content-Length", "0"))
        self.end_headers()

    def do_HEAD(self):
        if self.path == "/report.pdf":
            self._answer(405)  # as some servers do: the check asks for one byte instead
        else:
            self.do_GET(body=False)

    def do_GET(self, body=True):
        self.server.requests.append((self.command, self.path, self.headers.get("Range")))
        if self.path == "/report.pdf":
            self._answer(
                206,
                [("Content-Type", "application/pdf"), ("Content-Range", "bytes 0-0/245760")],
            )
            if body:
                self.wfile.write(b"%")
                self.wfile.flush()
        elif self.path == "/page":
            self._answer(200, [("Content-Type", "text/html; charset=utf-8")])
        elif self.path == "/old":
            self._answer(301, [("Location", "/report.pdf")])
        elif self.path == "/loop":
            self._answer(302, [("Location", "/loop")])
        elif self.path == "/slow":
            time.sleep(2)
            with contextlib.suppress(OSError):  # the check has hung up by now
                self._answer(200)
        else:
            self._answer(404)


@pytest.fixture
def server(settings):
    settings.LINK_CHECK_ALLOW_PRIVATE = True
    settings.LINK_CHECK_TIMEOUT = 0.5
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.requests = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def checked(url):
    version = LinkVersionFactory(external_url=url)
    services.version_check_link(version_id=version.pk)
    version.refresh_from_db()
    return version


def test_a_working_document_link_records_its_format_and_size(server):
    httpd, base = server
    version = checked(f"{base}/report.pdf")
    assert version.link_status == Status.OK
    assert version.link_http_status == 206
    assert (version.file_format, version.file_size) == ("pdf", 245760)
    assert version.link_checked_at is not None
    # HEAD was refused, so one byte was asked for; the rest of the file never travels.
    assert httpd.requests == [("GET", "/report.pdf", "bytes=0-0")]


def test_a_link_to_a_web_page_says_so(server):
    _, base = server
    version = checked(f"{base}/page")
    assert (version.link_status, version.file_format, version.file_size) == (
        Status.OK,
        "html",
        None,
    )
    assert str(version.format_label) == "Web page"


def test_a_missing_document_is_recorded_as_broken(server):
    _, base = server
    version = checked(f"{base}/gone.pdf")
    assert (version.link_status, version.link_http_status) == (Status.BROKEN, 404)


def test_redirects_are_followed_up_to_the_limit(server, settings):
    _, base = server
    assert checked(f"{base}/old").file_format == "pdf"
    settings.LINK_CHECK_MAX_REDIRECTS = 3
    looping = checked(f"{base}/loop")
    assert looping.link_status == Status.BROKEN
    assert looping.link_error == "too many redirects"


def test_a_server_that_does_not_answer_in_time_is_recorded_as_broken(server):
    _, base = server
    started = time.monotonic()
    version = checked(f"{base}/slow")
    assert time.monotonic() - started < 1.9
    assert (version.link_status, version.link_error) == (Status.BROKEN, "no answer in time")


def test_a_private_address_is_never_fetched(server, settings):
    httpd, base = server
    settings.LINK_CHECK_ALLOW_PRIVATE = False
    version = checked(f"{base}/report.pdf")
    assert version.link_status == Status.UNCHECKED
    assert "private address" in version.link_error
    assert httpd.requests == []
    # Nor a name that resolves to one, such as a cloud's metadata service.
    with mock.patch("resources.services.links.socket.getaddrinfo") as resolve:
        resolve.return_value = [(2, 1, 6, "", ("169.254.169.254", 80))]
        result = services.check_url("http://metadata.example/latest/")
    assert result.status == Status.UNCHECKED


def test_a_link_changed_while_it_was_checked_keeps_the_new_links_state(server):
    _, base = server
    version = LinkVersionFactory(external_url=f"{base}/gone.pdf")
    real_check = services.check_url

    def check_then_change(url):
        result = real_check(url)
        ResourceVersion.objects.filter(pk=version.pk).update(external_url=f"{base}/page")
        return result

    with mock.patch("resources.services.links.check_url", check_then_change):
        services.version_check_link(version_id=version.pk)
    version.refresh_from_db()
    assert version.link_status == Status.UNCHECKED


def test_saving_links_through_the_services_checks_them_after_commit(
    django_capture_on_commit_callbacks,
):
    resource = ResourceFactory()
    with (
        mock.patch("resources.tasks.check_version_link.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.resource_update(
            actor=None,
            resource_id=resource.pk,
            links=[services.Link("fr", "https://example.org/fr.pdf")],
        )
    version = resource.versions.get()
    delay.assert_called_once_with(version.pk, None)
    # A checked link given a new address is unchecked again, its old facts forgotten.
    ResourceVersion.objects.filter(pk=version.pk).update(
        link_status=Status.BROKEN, link_checked_at=timezone.now(), file_format="pdf"
    )
    with mock.patch("resources.tasks.check_version_link.delay"):
        services.resource_update(
            actor=None,
            resource_id=resource.pk,
            links=[services.Link("fr", "https://example.org/moved.pdf")],
        )
    version.refresh_from_db()
    assert (version.link_status, version.link_checked_at, version.file_format) == (
        Status.UNCHECKED,
        None,
        "",
    )


def test_the_schedule_rechecks_the_oldest_links_in_batches(
    settings, django_capture_on_commit_callbacks
):
    settings.LINK_CHECK_BATCH = 2
    now = timezone.now()
    old = now - datetime.timedelta(days=30)
    oldest = LinkVersionFactory(link_checked_at=old - datetime.timedelta(days=1))
    never = LinkVersionFactory(link_checked_at=None)
    LinkVersionFactory(link_checked_at=old)  # next batch
    LinkVersionFactory(link_checked_at=now)  # recent: not again
    demo = LinkVersionFactory(resource=ResourceFactory(is_demo=True), link_checked_at=None)
    with (
        mock.patch("resources.tasks.check_version_link.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert services.versions_recheck_links(now=now) == 2
    queued = [call.args[0] for call in delay.call_args_list]
    assert queued == [never.pk, oldest.pk]
    assert demo.pk not in queued


def test_a_queued_recheck_of_a_link_checked_since_does_nothing(server):
    _, base = server
    version = LinkVersionFactory(external_url=f"{base}/gone.pdf", link_checked_at=timezone.now())
    cutoff = timezone.now() - datetime.timedelta(days=7)
    assert services.version_check_link(version_id=version.pk, checked_before=cutoff) is None
    assert server[0].requests == []


def test_readers_are_told_a_link_may_be_broken_and_curators_can_list_them(client):
    broken = LinkVersionFactory(
        link_status=Status.BROKEN,
        link_checked_at=datetime.datetime(2026, 3, 4, 12, tzinfo=datetime.UTC),
    )
    fine = LinkVersionFactory(link_status=Status.OK, resource=ResourceFactory(title_en="Fine"))
    html = client.get(broken.resource.get_absolute_url()).content.decode()
    assert "link may be broken" in html and "(checked March 4, 2026)" in html
    assert "link may be broken" not in client.get(fine.resource.get_absolute_url()).content.decode()
    client.force_login(resource_curator())
    listed = client.get("/admin/resources/resource/", {"link": "broken"})
    assert list(listed.context["cl"].result_list) == [broken.resource]
