"""JSON logs with the request id, and personal numbers masked before anything is written."""

from __future__ import annotations

import logging
from typing import Any

import structlog
from structlog.typing import EventDict, WrappedLogger

from emitra.core.masking import mask_personal_numbers


def mask_processor(logger: WrappedLogger, name: str, event: EventDict) -> EventDict:
    for key, value in list(event.items()):
        if isinstance(value, str):
            event[key] = mask_personal_numbers(value)
    return event


PRE_CHAIN: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


class JsonFormatter(structlog.stdlib.ProcessorFormatter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                mask_processor,
                structlog.processors.JSONRenderer(ensure_ascii=False),
            ],
            foreign_pre_chain=PRE_CHAIN,
        )

    def format(self, record: logging.LogRecord) -> str:
        if isinstance(record.msg, str):
            record.msg = mask_personal_numbers(record.getMessage())
            record.args = ()
        return super().format(record)


def configure_structlog() -> None:
    structlog.configure(
        processors=[*PRE_CHAIN, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
