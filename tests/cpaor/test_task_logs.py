"""Task logs say what caused them: an e-mail's log line carries the application id."""

import json
import logging

import pytest

from common import outbox
from common.tasks import send_email
from cpaor.logging import ContextFilter, JSONFormatter


@pytest.mark.django_db
def test_the_sent_email_log_line_carries_its_application(caplog, mailoutbox):
    row = outbox.email_queue(
        to="focal@example.org",
        subject="We have received your application",
        body="Thank you.",
        context={"application_id": 42, "kind": "submitted"},
    )
    with caplog.at_level(logging.INFO, logger="common.tasks"):
        send_email(row.pk)
    assert len(mailoutbox) == 1
    record = next(r for r in caplog.records if r.name == "common.tasks")
    ContextFilter().filter(record)
    line = json.loads(JSONFormatter().format(record))
    assert line["application_id"] == 42
    assert line["kind"] == "submitted"
    assert line["message"] == "e-mail sent: We have received your application"
