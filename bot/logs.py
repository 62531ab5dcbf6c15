"""Logging set-up: readable lines by default, or one JSON object a line (`LOG_FORMAT=json`)
for log collectors (Loki, ELK, journald with a JSON parser)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# LogRecord's own attributes: anything else on a record came from `extra=` and is kept.
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """`{"time", "level", "logger", "message", ["exception"], …extra}` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: str, log_format: str = "text") -> None:
    """The root logger's one handler on standard error, in the chosen format."""
    handler = logging.StreamHandler()
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    # Like basicConfig: leaves a root logger alone that already has handlers (pytest).
    logging.basicConfig(level=level, handlers=[handler])
    # aiogram writes a line for every update handled ("Update id=… is handled"): at INFO
    # that is one line per button press, noise beside the bot's own lines and a cost on
    # every press. Kept when debugging.
    if str(level).upper() not in {"DEBUG", str(logging.DEBUG)}:
        logging.getLogger("aiogram.event").setLevel(logging.WARNING)
