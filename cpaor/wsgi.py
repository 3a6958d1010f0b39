import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpaor.settings")
application = get_wsgi_application()

# Everything loaded at start-up (Django, the apps, their modules: some 120,000 objects)
# lives as long as the process: frozen out of the cyclic collector's sight, its full
# collections no longer walk them, a pause of some 60 ms in the page that set one off.
gc.freeze()
