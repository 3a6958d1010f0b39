"""Handing a stored file to the person a view has just allowed to see it.

Three ways, by where the file lives and what is in front of the portal:

* local disk behind the proxy (`FILES_ACCEL_REDIRECT=1`, set by docker-compose.yml): an
  empty answer with `X-Accel-Redirect: /_files/<storage>/<name>`; the proxy (Caddy, see
  deploy/Caddyfile; nginx understands the same header) sends the file itself, so no
  gunicorn worker spends minutes streaming 50 MB to a slow field connection;
* object storage (S3): a redirect to a signed address that expires within a minute, made
  for this person after the permission check; the bucket itself is never public for
  private documents;
* local disk without a proxy (`make run`, tests): the file streamed by Django.

Headers the view sets (type, disposition, caching, sandbox) travel with each answer;
the proxy copies them onto the file it sends.
"""

from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.utils.http import content_disposition_header

ACCEL_PREFIX = "/_files"
SIGNED_URL_SECONDS = 60


def file_response(
    *,
    storage,
    name: str,
    folder: str,
    filename: str,
    content_type: str,
    as_attachment: bool,
    headers: dict[str, str] | None = None,
):
    """The answer that gives `name` from `storage` to the current request.

    folder names the storage to the proxy ("media" or "private": the folders it mounts);
    raises FileNotFoundError when the file is gone.
    """
    headers = dict(headers or {})
    if not isinstance(storage, FileSystemStorage):
        disposition = content_disposition_header(as_attachment, filename)
        url = storage.url(
            name,
            parameters={
                "ResponseContentType": content_type,
                "ResponseContentDisposition": disposition,
            },
            expire=SIGNED_URL_SECONDS,
        )
        response = HttpResponseRedirect(url)
        # The signed address is this person's: never kept by a shared cache.
        response["Cache-Control"] = "private, no-store"
        return response
    if settings.FILES_ACCEL_REDIRECT:
        if not storage.exists(name):
            raise FileNotFoundError(name)
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = f"{ACCEL_PREFIX}/{folder}/{quote(name)}"
        response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    else:
        response = FileResponse(
            storage.open(name, "rb"),
            as_attachment=as_attachment,
            filename=filename,
            content_type=content_type,
        )
    for header, value in headers.items():
        response[header] = value
    return response
