"""Serving uploaded files from the local media folder.

Uploads are accepted by their content (resources/uploads.py) and stored under safe names,
so the extension tells the real type. They are still served as downloads: never rendered
inline as a page, never sniffed into something else, sandboxed if a browser tried.
Images (thumbnails) may show inline. With object storage (S3), the bucket serves them
and this view is not mounted.
"""

import mimetypes
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404
from django.utils._os import safe_join
from django.views.decorators.http import require_safe

INLINE_TYPES = {"image/png", "image/jpeg"}


@require_safe
def serve_media(request, path):
    try:
        full = Path(safe_join(settings.MEDIA_ROOT, path))
    except ValueError as exc:  # ../ out of the media folder
        raise Http404 from exc
    if not full.is_file():
        raise Http404
    content_type = mimetypes.guess_type(full.name)[0] or "application/octet-stream"
    inline = content_type in INLINE_TYPES
    response = FileResponse(
        full.open("rb"), as_attachment=not inline, filename=full.name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "public, max-age=86400"
    return response
