"""Uploads on object storage, against a real S3-compatible server (moto in server mode,
started here): public media in one bucket read straight from it, membership documents in
another that only signed one-minute addresses open, handed out after the permission
check; backup and restore bring back the database and both buckets."""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.core.management import call_command

from cpaor.settings import s3_storage
from devstack.processes import free_port, make_preexec
from members.models import Application
from tests.members.factories import ApplicationFactory, UserFactory
from tests.resources.files import pdf_bytes

pytestmark = [pytest.mark.integration]

PUBLIC, PRIVATE = "cpaor-media", "cpaor-private"
PUBLIC_READ = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{PUBLIC}/*",
        }
    ],
}


@pytest.fixture(scope="module")
def s3_server(tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        preexec_fn=make_preexec(),
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/moto-api/", timeout=2)
            break
        except OSError:
            if time.monotonic() > deadline:
                raise AssertionError(log.read_text()[-2000:]) from None
            time.sleep(0.3)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)


@pytest.fixture
def buckets(s3_server, settings, monkeypatch):
    """The portal's storages pointed at two fresh buckets on the server."""
    monkeypatch.setenv("AWS_S3_ENDPOINT_URL", s3_server)
    monkeypatch.setenv("AWS_S3_REGION_NAME", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name="us-east-1",
        aws_access_key_id="test-key",
        aws_secret_access_key="test-secret",
    )
    for bucket in (PUBLIC, PRIVATE):
        if bucket in {b["Name"] for b in client.list_buckets()["Buckets"]}:
            for item in client.list_objects_v2(Bucket=bucket).get("Contents", []):
                client.delete_object(Bucket=bucket, Key=item["Key"])
        else:
            client.create_bucket(Bucket=bucket)
    # What README tells the operator: anyone may read the public bucket's objects; the
    # private bucket keeps S3's default, nobody without a signature.
    client.put_bucket_policy(Bucket=PUBLIC, Policy=json.dumps(PUBLIC_READ))
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_storage(PUBLIC, public=True),
        "private": s3_storage(PRIVATE, public=False),
    }
    # A FileField keeps the storage it was given when the model was defined.
    field = Application._meta.get_field("supporting_document")
    monkeypatch.setattr(field, "storage", storages["private"])
    return client


def keys(client, bucket):
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=bucket).get("Contents", []))


def get(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read(), dict(response.headers)


@pytest.mark.django_db
def test_public_media_and_private_documents_live_in_their_own_buckets(buckets, client):
    name = default_storage.save("resources/files/toolkit.pdf", ContentFile(b"%PDF-1.7 toolkit"))
    public_url = default_storage.url(name)
    assert "X-Amz-Signature" not in public_url
    assert get(public_url)[0] == b"%PDF-1.7 toolkit"

    content = pdf_bytes()
    application = ApplicationFactory(document_name="Statutes 2026.pdf")
    application.supporting_document.save("statutes.pdf", ContentFile(content))
    document = application.supporting_document.name
    assert keys(buckets, PRIVATE) == [document]
    assert document not in keys(buckets, PUBLIC)

    page = f"/en/membership/applications/{application.pk}/document/"
    assert client.get(page).status_code == 302  # to the log-in page
    client.force_login(UserFactory())
    assert client.get(page).status_code == 404
    client.force_login(application.applicant)
    response = client.get(page)
    assert response.status_code == 302
    assert "no-store" in response["Cache-Control"]
    signed = response["Location"]
    query = parse_qs(urlsplit(signed).query)
    assert "X-Amz-Signature" in query
    assert int(query["X-Amz-Expires"][0]) <= 60
    body, headers = get(signed)
    assert body == content
    assert headers["Content-Disposition"].startswith("attachment;")
    assert "Statutes 2026.pdf" in headers["Content-Disposition"]
    # The same object without the signature is refused.
    unsigned = signed.split("?", 1)[0]
    with pytest.raises(urllib.error.HTTPError) as refused:
        get(unsigned)
    assert refused.value.code == 403


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_bring_back_the_database_and_both_buckets(buckets, tmp_path):
    default_storage.save("resources/files/toolkit.pdf", ContentFile(b"%PDF-1.7 toolkit"))
    application = ApplicationFactory()
    application.supporting_document.save("statutes.pdf", ContentFile(b"%PDF-1.7 statutes"))
    document = application.supporting_document.name

    call_command("backup", str(tmp_path / "backup"))

    # Disaster: the application and both buckets' objects are gone.
    Application.objects.filter(pk=application.pk).delete()
    for bucket in (PUBLIC, PRIVATE):
        for key in keys(buckets, bucket):
            buckets.delete_object(Bucket=bucket, Key=key)

    call_command("restore", str(tmp_path / "backup"), yes=True)

    restored = Application.objects.get(pk=application.pk)
    assert restored.supporting_document.name == document
    assert restored.supporting_document.read() == b"%PDF-1.7 statutes"
    assert keys(buckets, PRIVATE) == [document]
    assert default_storage.open("resources/files/toolkit.pdf").read() == b"%PDF-1.7 toolkit"


def test_the_content_security_policy_allows_the_buckets_origin():
    code = "import cpaor.settings as s; print(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'])"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={
            **os.environ,
            "AWS_STORAGE_BUCKET_NAME": PUBLIC,
            "AWS_PRIVATE_STORAGE_BUCKET_NAME": PRIVATE,
            "AWS_S3_ENDPOINT_URL": "https://objects.example.org:9000",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "https://objects.example.org:9000" in result.stdout, result.stderr
