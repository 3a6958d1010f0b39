import datetime

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


@shared_task(
    name="resources.check_version_link",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
)
def check_version_link(version_id, checked_before=None):
    """Check where a version's external link leads (see services.links)."""
    services.version_check_link(
        version_id=version_id,
        checked_before=datetime.datetime.fromisoformat(checked_before) if checked_before else None,
    )


@shared_task(name="resources.recheck_links", ignore_result=True)
def recheck_links():
    """Queue a check of the links checked longest ago."""
    services.versions_recheck_links()
