"""LOG_FORMAT=json: one JSON object a line, with the exception and extra fields."""

from __future__ import annotations

import json
import logging

from bot.logs import JsonFormatter


def _record(**kwargs) -> logging.LogRecord:
    return logging.makeLogRecord(
        {"name": "bot.outbox", "levelno": logging.WARNING, "levelname": "WARNING", **kwargs}
    )


def test_a_json_line_has_time_level_logger_and_message() -> None:
    line = JsonFormatter().format(_record(msg="chat %s: %s", args=(42, "блок"), created=0.5))
    assert "\n" not in line
    assert json.loads(line) == {
        "time": "1970-01-01T00:00:00.500+00:00",
        "level": "WARNING",
        "logger": "bot.outbox",
        "message": "chat 42: блок",
    }


def test_exceptions_and_extra_fields_are_kept() -> None:
    try:
        raise ValueError("bad row")
    except ValueError:
        import sys

        record = _record(msg="failed", exc_info=sys.exc_info(), chat_id=-100)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["chat_id"] == -100
    assert entry["exception"].splitlines()[-1] == "ValueError: bad row"
    assert "\n" not in JsonFormatter().format(record)
