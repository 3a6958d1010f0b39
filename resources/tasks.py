from celery import shared_task

from . import services


@shared_task(
    name="resources.extract_version_text",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OSError,),
    retry_backoff=5,
    max_retries=5,
)
def extract_version_text(version_id):
    """Read the page count and text of an uploaded file (see services)."""
    services.version_extract_text(version_id=version_id)


@shared_task(name="resources.requeue_stalled_extractions", ignore_result=True)
def requeue_stalled_extractions():
    """Queue again the versions a killed worker or a lost message left waiting."""
    services.versions_requeue_stalled()
