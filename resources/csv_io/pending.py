"""A CSV file a curator checked (a clean dry run), kept so that "Import now" writes the
same bytes without choosing the file again.

The bytes go to the private storage (never served), under a random name the curator's
session holds; the import takes them back and deletes them. A file not imported within
an hour is refused and deleted by the next check of any file."""

import datetime
import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, storages
from django.utils import timezone

SESSION_KEY = "resources_csv_checked"
FOLDER = "resource-imports"
KEPT_FOR = datetime.timedelta(hours=1)


def _storage():
    if "private" in settings.STORAGES:
        return storages["private"]
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT)


def keep(request, data: bytes, filename: str) -> None:
    """Keep the checked bytes for this session, in place of any file checked before."""
    storage = _storage()
    discard(request)
    _sweep(storage)
    name = storage.save(f"{FOLDER}/{secrets.token_urlsafe(18)}.csv", ContentFile(data))
    request.session[SESSION_KEY] = {
        "name": name,
        "filename": filename[:200],
        "checked_at": timezone.now().isoformat(),
    }


def kept(request):
    """{"name", "filename", "checked_at"} of the file this session checked, or None when
    there is none or it is older than an hour."""
    entry = request.session.get(SESSION_KEY)
    if not isinstance(entry, dict) or not str(entry.get("name", "")).startswith(f"{FOLDER}/"):
        return None
    try:
        checked_at = datetime.datetime.fromisoformat(entry["checked_at"])
    except (KeyError, TypeError, ValueError):
        return None
    if timezone.now() - checked_at > KEPT_FOR:
        discard(request)
        return None
    return entry


def read(request):
    """The kept bytes, or None when they are gone (expired, or imported already)."""
    entry = kept(request)
    if entry is None:
        return None
    try:
        with _storage().open(entry["name"], "rb") as stored:
            return stored.read()
    except (FileNotFoundError, OSError):
        request.session.pop(SESSION_KEY, None)
        return None


def discard(request) -> None:
    entry = request.session.pop(SESSION_KEY, None)
    if isinstance(entry, dict) and str(entry.get("name", "")).startswith(f"{FOLDER}/"):
        _storage().delete(entry["name"])


def discard_quietly(request) -> None:
    """Forget the kept file without touching the storage (which may be what failed)."""
    request.session.pop(SESSION_KEY, None)


def _sweep(storage) -> None:
    """Delete the files checked more than an hour ago and never imported."""
    try:
        _folders, names = storage.listdir(FOLDER)
    except (FileNotFoundError, NotImplementedError, OSError):
        return
    limit = timezone.now() - KEPT_FOR
    for name in names:
        path = f"{FOLDER}/{name}"
        try:
            if storage.get_modified_time(path) < limit:
                storage.delete(path)
        except (FileNotFoundError, NotImplementedError, OSError):
            continue
