"""The documented backup and restore bring back the database and the uploads."""

import pytest
from django.core.management import call_command

from cpaor.seed import load as load_site_content
from initiatives.models import Initiative
from initiatives.seed import load as load_initiatives

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_backup_then_restore_brings_back_what_was_lost(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    (tmp_path / "media" / "resources").mkdir(parents=True)
    (tmp_path / "media" / "resources" / "toolkit.pdf").write_bytes(b"%PDF-1.7 toolkit")
    (tmp_path / "private" / "membership").mkdir(parents=True)
    (tmp_path / "private" / "membership" / "statutes.pdf").write_bytes(b"%PDF-1.7 statutes")
    load_site_content()
    load_initiatives()
    titles = sorted(Initiative.objects.values_list("title_en", flat=True))
    assert len(titles) == 9

    call_command("backup", str(tmp_path / "backup"))
    assert (tmp_path / "backup" / "database.dump").stat().st_size > 10_000

    # Disaster: an initiative deleted, the uploads gone.
    Initiative.objects.filter(slug="government-leadership-engagement").delete()
    (tmp_path / "media" / "resources" / "toolkit.pdf").unlink()
    (tmp_path / "private" / "membership" / "statutes.pdf").unlink()

    call_command("restore", str(tmp_path / "backup"), yes=True)

    assert sorted(Initiative.objects.values_list("title_en", flat=True)) == titles
    gle = Initiative.objects.get(slug="government-leadership-engagement")
    assert gle.objectives.count() > 0
    assert (tmp_path / "media" / "resources" / "toolkit.pdf").read_bytes() == b"%PDF-1.7 toolkit"
    statutes = tmp_path / "private" / "membership" / "statutes.pdf"
    assert statutes.read_bytes() == b"%PDF-1.7 statutes"


def test_restore_refuses_a_folder_without_a_backup(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="database.dump does not exist"):
        call_command("restore", str(tmp_path), yes=True)
