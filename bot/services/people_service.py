"""The directory as handlers use it: the directory service under the name they know.

`PeopleService` is `DirectoryService` (bot/services/directory.py): each call one unit of
work, reads from the cached directory snapshot, writes that refresh it.
"""

from __future__ import annotations

from bot.services.directory import DirectoryChangeRefused, DirectoryService, PersonView

PeopleService = DirectoryService

__all__ = ["DirectoryChangeRefused", "PeopleService", "PersonView"]
