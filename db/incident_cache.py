"""Incident values this process has read or committed, kept between units of work.

A press reads its incident up to three times (the check at the press, the step, the card
drawn after it); each full read is one statement per table. With the value kept here a
read becomes one probe of the incident's row (version, text, flags): the cached value is
used when the version and the text match, and read again otherwise, so a change made by
another process is never missed. Only committed values are kept: a unit of work's own
writes are published when it commits (db/uow.py) and forgotten when it rolls back.

Every change of an incident's value goes through a workflow step, which adds one to its
version; the post's text and the intake's flags are the only columns written without one
(VK edits, hints), and the probe reads both.
"""

from __future__ import annotations

from collections import OrderedDict
from weakref import WeakKeyDictionary

from sqlalchemy.engine import Engine

from db.incident_rows import LoadedIncident

CAPACITY = 4096  # incidents kept per database; the open ones of a large region fit


class IncidentCache:
    def __init__(self, capacity: int = CAPACITY) -> None:
        self._capacity = capacity
        self._values: OrderedDict[int, LoadedIncident] = OrderedDict()

    def get(self, incident_id: int) -> LoadedIncident | None:
        value = self._values.get(incident_id)
        if value is not None:
            self._values.move_to_end(incident_id)
        return value

    def put(self, value: LoadedIncident) -> None:
        """Keep the value unless a newer version is kept already (reads may finish late)."""
        incident_id = value.incident.id
        kept = self._values.get(incident_id)
        if kept is not None and kept.incident.version > value.incident.version:
            return
        self._values[incident_id] = value
        self._values.move_to_end(incident_id)
        while len(self._values) > self._capacity:
            self._values.popitem(last=False)

    def drop(self, incident_id: int) -> None:
        self._values.pop(incident_id, None)

    def __len__(self) -> int:
        return len(self._values)


_caches: WeakKeyDictionary[Engine, IncidentCache] = WeakKeyDictionary()


def cache_for(engine: Engine) -> IncidentCache:
    """The cache of one database (one engine): tests open many, each with its own."""
    cache = _caches.get(engine)
    if cache is None:
        cache = _caches[engine] = IncidentCache()
    return cache
