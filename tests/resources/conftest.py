import pytest


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    # A CSV file checked in the admin is kept in the private storage (csv_io/pending.py).
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
