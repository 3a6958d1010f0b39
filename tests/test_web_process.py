"""The web process as gunicorn starts it: cpaor.wsgi."""

import os
import subprocess
import sys

from django.conf import settings


def test_the_start_up_objects_are_frozen_out_of_the_collectors_sight():
    # Full collections walk every tracked object: with Django's start-up objects among
    # them, the page that sets one off waits some 60 ms more (bench/resources_search.py).
    script = "import gc, cpaor.wsgi; print(gc.get_freeze_count(), len(gc.get_objects()))"
    answer = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "cpaor.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    frozen, tracked = map(int, answer.stdout.split())
    assert frozen > 50_000
    assert tracked < frozen / 10
