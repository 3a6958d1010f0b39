"""Checking the links of language versions that point to a document published elsewhere.

A worker checks a link after the transaction that saved it has committed, and beat checks
again, in batches, the links checked longest ago (LINK_CHECK_MAX_AGE_DAYS). A check asks
with HEAD, and with a GET of the first byte where a server refuses HEAD; it follows a
few redirects, gives up after LINK_CHECK_TIMEOUT seconds, and records what it found on
the version's own row: ok, broken (with the HTTP status or the reason) or unchecked,
and, when the server says, the document's format and size, which readers see before
they spend their connection on it.

It never connects to a private, loopback or link-local address (the portal's own
network, a cloud's metadata service): it resolves the name itself, refuses any address
that is not global, and connects to the address it checked, so a second answer from
the name server cannot send it elsewhere. LINK_CHECK_ALLOW_PRIVATE lifts that for tests.
"""

import datetime
import ipaddress
import logging
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urljoin

import urllib3
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from common import uploads
from common.queueing import delay

from ..models import WEB_PAGE, Resource, ResourceVersion

logger = logging.getLogger(__name__)

LinkStatus = ResourceVersion.LinkStatus
REDIRECTS = {301, 302, 303, 307, 308}
# What a server's Content-Type says the link holds, in the file formats' own terms.
CONTENT_TYPES = {
    "application/pdf": uploads.PDF,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": uploads.DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": uploads.XLSX,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": uploads.PPTX,
    "image/png": uploads.PNG,
    "image/jpeg": uploads.JPEG,
    "text/html": WEB_PAGE,
    "application/xhtml+xml": WEB_PAGE,
}


class Refused(Exception):
    """The link leads to an address the portal does not connect to."""


@dataclass(frozen=True)
class LinkCheck:
    status: str
    http_status: int | None = None
    file_format: str = ""
    file_size: int | None = None
    error: str = ""


def _timeout() -> float:
    return float(settings.LINK_CHECK_TIMEOUT)


def _address(host: str, port: int) -> str:
    """The address to connect to for host: the first it resolves to, when every one of
    them is global (a name with one private address among public ones is refused)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = [info[4][0] for info in infos]
    if not settings.LINK_CHECK_ALLOW_PRIVATE:
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%")[0])
            mapped = getattr(ip, "ipv4_mapped", None)
            if not (mapped or ip).is_global or ip.is_multicast:
                raise Refused(f"{host} is a private address")
    return addresses[0]


def _request(method: str, url: str, headers: dict[str, str]):
    """One request to url, at the address checked, without following redirects."""
    parts = urllib3.util.parse_url(url)
    if parts.scheme not in ("http", "https") or not parts.host:
        raise Refused("not a web address")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = _address(parts.host, port)
    timeout = urllib3.Timeout(connect=_timeout(), read=_timeout())
    host_header = parts.host if parts.port is None else f"{parts.host}:{parts.port}"
    if parts.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address,
            port,
            timeout=timeout,
            retries=False,
            server_hostname=parts.host,
            assert_hostname=parts.host,
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False)
    try:
        response = pool.urlopen(
            method,
            parts.request_uri,
            headers={**headers, "Host": host_header},
            redirect=False,
            preload_content=False,
            retries=False,
        )
        # Only the headers matter; the body (a whole document, for a GET a server that
        # ignores Range) is never read.
        response.release_conn()
        return response
    finally:
        pool.close()


def _length(response) -> int | None:
    content_range = response.headers.get("Content-Range", "")
    total = content_range.rpartition("/")[2]
    if response.status == 206 and total.isdigit():
        return int(total)
    length = response.headers.get("Content-Length", "")
    if response.status == 200 and length.isdigit():
        return int(length)
    return None


def _result(response) -> LinkCheck:
    if response.status >= 400:
        return LinkCheck(LinkStatus.BROKEN, response.status, error=f"HTTP {response.status}")
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    file_format = CONTENT_TYPES.get(content_type, "")
    # A web page's own size says little of what it costs to open (its pictures, scripts).
    size = None if file_format == WEB_PAGE else _length(response)
    return LinkCheck(LinkStatus.OK, response.status, file_format, size)


def check_url(url: str) -> LinkCheck:
    """What the link leads to now; never raises for what the other end does."""
    headers = {
        "User-Agent": f"CP AoR portal link check (+{settings.SITE_URL})",
        "Accept": "*/*",
    }
    deadline = time.monotonic() + 3 * _timeout()
    try:
        for _hop in range(settings.LINK_CHECK_MAX_REDIRECTS + 1):
            response = _request("HEAD", url, headers)
            if response.status >= 400 and time.monotonic() < deadline:
                # Many servers answer HEAD with 403, 405 or 501: ask for one byte instead.
                response = _request("GET", url, {**headers, "Range": "bytes=0-0"})
            location = response.headers.get("Location")
            if response.status not in REDIRECTS or not location:
                return _result(response)
            url = urljoin(url, location)
            if time.monotonic() >= deadline:
                break
        return LinkCheck(LinkStatus.BROKEN, response.status, error="too many redirects")
    except Refused as refusal:
        return LinkCheck(LinkStatus.UNCHECKED, error=f"not checked: {refusal}")
    except (urllib3.exceptions.TimeoutError, TimeoutError):
        return LinkCheck(LinkStatus.BROKEN, error="no answer in time")
    except socket.gaierror:
        return LinkCheck(LinkStatus.BROKEN, error="host not found")
    except (urllib3.exceptions.HTTPError, OSError) as error:
        return LinkCheck(LinkStatus.BROKEN, error=f"could not connect: {type(error).__name__}")


def _enqueue(version_id: int, checked_before: str | None) -> None:
    from ..tasks import check_version_link

    delay(check_version_link, version_id, checked_before, later="the hourly re-check")


def versions_check_links_after_commit(
    version_ids: Iterable[int], checked_before: datetime.datetime | None = None
) -> None:
    """Check each version's link once the transaction commits (the worker must see it)."""
    stamp = checked_before.isoformat() if checked_before else None
    for version_id in list(version_ids):
        transaction.on_commit(lambda version_id=version_id: _enqueue(version_id, stamp))


def version_links_saved(*, resource: Resource, versions: Iterable[ResourceVersion]) -> None:
    """Links just written by the services: what was known of the old ones is forgotten,
    and each is checked after commit. Demo resources' links are examples: never checked."""
    ids = [version.pk for version in versions]
    if resource.is_demo or not ids:
        return
    ResourceVersion.objects.filter(pk__in=ids).update(
        link_status=LinkStatus.UNCHECKED,
        link_http_status=None,
        link_checked_at=None,
        link_error="",
        file_format="",
        file_size=None,
    )
    versions_check_links_after_commit(ids)


def version_check_link(*, version_id: int, checked_before: datetime.datetime | None = None):
    """Check a version's link and record what was found on its row.

    Safe to repeat: with checked_before, a link checked since then is left alone (beat
    may queue one again before a busy worker got to it). The request is made outside any
    transaction; the result is written only if the link is still the one checked."""
    version = (
        ResourceVersion.objects.filter(pk=version_id)
        .exclude(external_url="")
        .only("pk", "external_url", "link_checked_at")
        .first()
    )
    if version is None:
        return None
    if checked_before and version.link_checked_at and version.link_checked_at >= checked_before:
        return None
    try:
        result = check_url(version.external_url)
    except Exception:  # one link's surprise is that link's failure, recorded below
        logger.exception("Could not check the link of resource version %s", version_id)
        result = LinkCheck(LinkStatus.BROKEN, error="the check failed")
    fields = {
        "link_status": result.status,
        "link_http_status": result.http_status,
        "link_checked_at": timezone.now(),
        "link_error": result.error[:200],
    }
    if result.status == LinkStatus.OK:
        fields.update(file_format=result.file_format, file_size=result.file_size)
    ResourceVersion.objects.filter(pk=version_id, external_url=version.external_url).update(
        **fields
    )
    return result


def versions_recheck_links(now: datetime.datetime | None = None) -> int:
    """Queue a check of the LINK_CHECK_BATCH links checked longest ago, if that is longer
    ago than LINK_CHECK_MAX_AGE_DAYS (or never). Run by beat; returns how many."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.LINK_CHECK_MAX_AGE_DAYS)
    ids = list(
        ResourceVersion.objects.exclude(external_url="")
        .filter(resource__is_demo=False)
        .filter(Q(link_checked_at=None) | Q(link_checked_at__lt=cutoff))
        .order_by(F("link_checked_at").asc(nulls_first=True), "pk")
        .values_list("pk", flat=True)[: settings.LINK_CHECK_BATCH]
    )
    with transaction.atomic():
        versions_check_links_after_commit(ids, checked_before=cutoff)
    return len(ids)
