"""Backup and restore of the database and the uploaded files (manage.py backup/restore).

A backup is a folder with database.dump (pg_dump's custom format, restorable table by
table with pg_restore) and files.tar.gz (the public uploads and the private membership
documents, from the local folders or from the object storage buckets alike: a backup
taken from one restores into the other). The pg_dump / pg_restore used are those of the
server's major version: the ones in settings.PG_BIN_DIR (the development launcher's
embedded Postgres, the image's postgresql-client), or the ones on PATH (Debian's
pg_wrapper picks by version).
"""

import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

import psycopg
from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.db import connection


class BackupError(Exception):
    pass


def libpq_url():
    params = connection.settings_dict
    user = params["USER"] or "postgres"
    password = f":{params['PASSWORD']}" if params["PASSWORD"] else ""
    host = params["HOST"] or "127.0.0.1"
    port = params["PORT"] or 5432
    return f"postgresql://{user}{password}@{host}:{port}/{params['NAME']}"


def server_major(url):
    with psycopg.connect(url) as conn:
        return conn.info.server_version // 10000


def tool(name, url):
    """The pg tool matching the server's major version."""
    if settings.PG_BIN_DIR:
        configured = Path(settings.PG_BIN_DIR) / name
        if configured.exists():
            version = subprocess.run([configured, "--version"], capture_output=True, text=True)
            major = int(version.stdout.split()[-1].split(".")[0])
            if major == server_major(url):
                return str(configured)
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return found


def file_stores():
    """(folder in the archive, storage): the public uploads and the private documents."""
    from members.models import private_storage

    return {"media": storages["default"], "private": private_storage()}


def walk(storage, folder=""):
    """Every file name in a storage, through the storage API (local folder or bucket)."""
    try:
        directories, files = storage.listdir(folder)
    except FileNotFoundError:  # a local folder nothing was ever uploaded to
        return
    for name in files:
        yield f"{folder}/{name}" if folder else name
    for directory in directories:
        yield from walk(storage, f"{folder}/{directory}" if folder else directory)


def archive_storage(archive, folder, storage):
    for name in walk(storage):
        with storage.open(name, "rb") as handle:
            info = tarfile.TarInfo(f"{folder}/{name}")
            info.size = storage.size(name)
            archive.addfile(info, handle)


def restore_storage(root, storage):
    """Put every file under root back at its own name, replacing what is there."""
    for path in sorted(root.rglob("*")):
        if path.is_file():
            name = path.relative_to(root).as_posix()
            if storage.exists(name):
                storage.delete(name)
            with path.open("rb") as handle:
                saved = storage.save(name, File(handle))
            if saved != name:
                raise BackupError(f"{name} was restored as {saved}")


def backup(directory):
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    url = libpq_url()
    dump = directory / "database.dump"
    result = subprocess.run(
        [tool("pg_dump", url), "--format=custom", "--no-owner", "--file", str(dump), url],
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise BackupError(result.stderr.strip())
    with tarfile.open(directory / "files.tar.gz", "w:gz") as archive:
        for folder, storage in file_stores().items():
            archive_storage(archive, folder, storage)
    return dump


def restore(directory):
    directory = Path(directory)
    dump = directory / "database.dump"
    if not dump.is_file():
        raise BackupError(f"{dump} does not exist")
    url = libpq_url()
    connection.close()  # pg_restore --clean drops the tables this connection may hold
    result = subprocess.run(
        [tool("pg_restore", url), "--clean", "--if-exists", "--no-owner", "--single-transaction",
         "--exit-on-error", "--dbname", url, str(dump)],
        capture_output=True,
        text=True,
    )  # fmt: skip
    if result.returncode:
        raise BackupError(result.stderr.strip())
    files = directory / "files.tar.gz"
    if files.is_file():
        with tempfile.TemporaryDirectory() as scratch, tarfile.open(files) as archive:
            # The "data" filter refuses absolute paths, ../ and links out of the folder.
            archive.extractall(scratch, filter="data")
            for folder, storage in file_stores().items():
                restore_storage(Path(scratch) / folder, storage)
