"""Serving uploaded files from the local media folder.

Uploads are accepted by their content (common/uploads.py) and stored under safe names,
so the extension tells the real type. They are still served as downloads: never rendered
inline as a page, never sniffed into something else, sandboxed if a browser tried.
Images (thumbnails) may show inline. Behind the proxy the file itself goes out from the
proxy (common/files.py). With object storage (S3), the bucket serves them and this view
is not mounted.

A file is seen by whoever may see what it belongs to: the files and thumbnails of a draft
resource, the picture of a draft initiative, only by the editors who see the draft, and
never from a shared cache. Published content's files are cached publicly.
"""

import mimetypes
import os
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import Q
from django.http import Http404
from django.utils._os import safe_join
from django.views.decorators.http import require_safe

from common.files import file_response

INLINE_TYPES = {"image/png", "image/jpeg", "image/webp", "image/gif"}
PUBLIC, PRIVATE = "public", "private"


def _owners(name):
    """The content a stored file belongs to (a queryset with published() and
    visible_to()), or None for files of content that is never a draft (partner logos)."""
    from initiatives.models import Initiative
    from resources.models import Resource

    if name.startswith("resources/"):
        return Resource.objects.filter(Q(thumbnail=name) | Q(versions__file=name)).order_by()
    if name.startswith("initiatives/"):
        return Initiative.objects.filter(hero_image=name).order_by()
    return None


def audience(request, name):
    """PUBLIC, PRIVATE (this person only: an editor seeing a draft's file) or None (not
    for this person; also a file that no longer belongs to anything)."""
    owners = _owners(name)
    if owners is None or owners.published().exists():
        return PUBLIC
    if owners.visible_to(request.user).exists():
        return PRIVATE
    return None


@require_safe
def serve_media(request, path):
    try:
        full = Path(safe_join(settings.MEDIA_ROOT, path))
    except ValueError as exc:  # ../ out of the media folder
        raise Http404 from exc
    if not full.is_file():
        raise Http404
    # The stored name as the database holds it, whatever ./ or // the address had.
    name = Path(os.path.relpath(full, os.path.abspath(settings.MEDIA_ROOT))).as_posix()
    seen_by = audience(request, name)
    if seen_by is None:
        raise Http404
    content_type = mimetypes.guess_type(full.name)[0] or "application/octet-stream"
    return file_response(
        storage=default_storage,
        name=name,
        folder="media",
        filename=full.name,
        content_type=content_type,
        as_attachment=content_type not in INLINE_TYPES,
        headers={
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            # Published files may show in feed readers and partners' pages.
            "Cross-Origin-Resource-Policy": "cross-origin" if seen_by == PUBLIC else "same-origin",
            "Cache-Control": "public, max-age=86400" if seen_by == PUBLIC else "private, no-store",
        },
    )
