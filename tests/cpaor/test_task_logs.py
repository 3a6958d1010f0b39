"""Task logs say what caused them: an e-mail's log line carries the application id."""

import json
import logging

from cpaor.logging import ContextFilter, JSONFormatter
from cpaor.tasks import send_email


def test_the_sent_email_log_line_carries_its_application(caplog, mailoutbox):
    with caplog.at_level(logging.INFO, logger="cpaor.tasks"):
        send_email(
            to="focal@example.org",
            subject="We have received your application",
            body="Thank you.",
            log_context={"application_id": 42, "kind": "submitted"},
        )
    assert len(mailoutbox) == 1
    record = next(r for r in caplog.records if r.name == "cpaor.tasks")
    ContextFilter().filter(record)
    line = json.loads(JSONFormatter().format(record))
    assert line["application_id"] == 42
    assert line["kind"] == "submitted"
    assert line["message"] == "e-mail sent: We have received your application"
