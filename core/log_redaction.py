"""Logs never hold a whole mobile or ID number: a filter on the log handlers masks both in the
message, the exception text and the stack (an IntegrityError's "Key (mobile)=(13800138000)", a
provider's error echoing the number). Message bodies are kept out at the source (care.channels)."""

import logging
import re

from core.masking import mask_id_number, mask_mobile

# Mainland mobiles, also written +86 138 0013 8000 or 138-0013-8000; ID numbers: 17 digits and a
# check character. Not inside a longer run of digits or letters (order numbers, timestamps, hashes).
_MOBILE = re.compile(r"(?<![\dA-Za-z])(?:\+?86[ -]?)?(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?![\dA-Za-z])")
_ID_NUMBER = re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])")


def redact(text: str) -> str:
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text)
    return _MOBILE.sub(lambda m: mask_mobile("".join(m.groups())), text)


class RedactPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string is logging's problem, not ours
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
