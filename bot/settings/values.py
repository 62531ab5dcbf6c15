"""Kinds of setting values and how their text forms are read.

Each reader accepts what an `.env` file holds (text) and also an already typed value, so
tests and tools may pass `timedelta`, `date` or `int` objects directly. A reader raises
`ValueError` saying what the value should look like; the error message names the variable.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time, timedelta
from typing import Annotated, Any

from pydantic import BeforeValidator, TypeAdapter, ValidationError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# What each kind of value accepts, for the error message (settings_error_message).
ACCEPTS = {
    "duration": "an ISO 8601 duration such as PT30M or PT2H, or a number of seconds",
    "timezone": "an IANA time zone name such as Europe/Moscow",
}


def _parse_duration(value: Any) -> Any:
    """Accept seconds (`1800`) besides ISO 8601 (`PT30M`), which pydantic parses itself."""
    if isinstance(value, str) and value.strip().lstrip("+-").isdigit():
        return int(value.strip())
    return value


def positive(value: timedelta) -> timedelta:
    if value <= timedelta(0):
        raise ValueError("must be a positive duration")
    return value


Duration = Annotated[timedelta, BeforeValidator(_parse_duration)]
_DURATION = TypeAdapter(Duration)


def _is_off(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip().lower() == "off")


def optional_duration(value: Any) -> timedelta | None:
    """`off`, seconds, or an ISO 8601 duration (the same forms as the timers)."""
    if _is_off(value):
        return None
    try:
        parsed = _DURATION.validate_python(value.strip() if isinstance(value, str) else value)
    except ValidationError as error:
        raise ValueError(f"must be {ACCEPTS['duration']}, or off") from error
    return positive(parsed)


def optional_share(value: Any) -> float | None:
    """A share of a deadline strictly between 0 and 1, or `off`."""
    if _is_off(value):
        return None
    try:
        share = float(value)
    except (TypeError, ValueError) as error:
        raise ValueError("must be a number between 0 and 1, or off") from error
    if not 0 < share < 1:
        raise ValueError("must be a number between 0 and 1, or off")
    return share


def optional_time(value: Any) -> time | None:
    """A local time of day HH:MM, or `off`."""
    if _is_off(value):
        return None
    if isinstance(value, time):
        return value
    try:
        return time.fromisoformat(str(value).strip())
    except ValueError as error:
        raise ValueError("must be a time HH:MM, or off") from error


def optional_weekday(value: Any) -> int | None:
    """A weekday name (0 = Monday in the result), or `off`."""
    if _is_off(value):
        return None
    if isinstance(value, int) and 0 <= value <= 6:
        return value
    name = str(value).strip().lower()
    if name not in WEEKDAYS:
        raise ValueError("must be mon, tue, wed, thu, fri, sat, sun or off")
    return WEEKDAYS.index(name)


def _parts(value: str) -> list[str]:
    return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]


def parse_date_list(value: str | Iterable[date]) -> frozenset[date]:
    """Comma-separated dates YYYY-MM-DD (`;` also separates); empty is no date."""
    if not isinstance(value, str):
        return frozenset(value)
    dates = set()
    for part in _parts(value):
        try:
            dates.add(date.fromisoformat(part))
        except ValueError as error:
            raise ValueError(f"{part!r} is not a date YYYY-MM-DD") from error
    return frozenset(dates)


def parse_chat_list(value: str | Iterable[int]) -> frozenset[int]:
    """Comma-separated Telegram chat ids (`;` also separates); empty is no chat."""
    if not isinstance(value, str):
        return frozenset(value)
    for part in _parts(value):
        if not part.lstrip("-").isdigit():
            raise ValueError(f"{part!r} is not a chat id (a number like -1001234567890)")
    return frozenset(int(part) for part in _parts(value))


def parse_address_list(value: str | Iterable[str]) -> frozenset[str]:
    """Comma-separated addresses (proxies); empty is none."""
    if not isinstance(value, str):
        return frozenset(value)
    return frozenset(part.strip() for part in value.split(",") if part.strip())
