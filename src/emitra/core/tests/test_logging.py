import json
import logging

from emitra.core.logging import JsonFormatter
from emitra.core.masking import mask_aadhaar, mask_mobile, mask_personal_numbers


def test_log_lines_are_json_with_personal_numbers_masked():
    record = logging.LogRecord(
        "emitra",
        logging.INFO,
        __file__,
        1,
        "sent to %s for %s",
        ("9829012345", "234567890123"),
        None,
    )
    line = json.loads(JsonFormatter().format(record))
    assert line["event"] == "sent to XXXXXX2345 for XXXX-XXXX-0123"
    assert line["level"] == "info"


def test_masking_helpers():
    assert mask_aadhaar("2345 6789 0123") == "XXXX-XXXX-0123"
    assert mask_mobile("+91 98290 12345") == "XXXXXX2345"
    assert mask_personal_numbers("no numbers here 12345") == "no numbers here 12345"
