"""The unit of work: one session, one transaction, one commit.

Services open one (`async with UnitOfWork(sessions) as uow:`), reach the repositories
through it, and the work is committed once when the block ends without an exception
(rolled back otherwise). Repositories flush but never commit.
"""

from __future__ import annotations

import asyncio
from functools import cached_property
from types import TracebackType
from weakref import WeakKeyDictionary

from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    AsyncSessionTransaction,
    async_sessionmaker,
)

from db.deadline_repository import DeadlineRepository
from db.directory_repository import DirectoryRepository
from db.fsm_repository import FsmRepository
from db.incident_cache import IncidentCache, cache_for
from db.incident_store import IncidentStore
from db.intake_repository import IntakeRepository
from db.outbox_repository import OutboxRepository
from db.pages_repository import PageRepository
from db.publication_repository import PublicationRepository
from db.read_repository import ReadRepository
from db.report_repository import ReportRepository
from db.retention_repository import RetentionRepository

# SQLite has one writer at a time. Writing units of work of this process take their turn
# here, in order, instead of racing for the file lock (a read transaction that turns into a
# write while another writes fails at once with "database is locked"). Readers, and the
# sender's short transactions, are not held up; PostgreSQL needs no turn.
_sqlite_writers: WeakKeyDictionary[Engine, asyncio.Lock] = WeakKeyDictionary()


def _writer_turn(sessions: async_sessionmaker[AsyncSession]) -> asyncio.Lock | None:
    bind = sessions.kw.get("bind")
    engine = bind.sync_engine if isinstance(bind, AsyncEngine) else bind
    if not isinstance(engine, Engine) or engine.dialect.name != "sqlite":
        return None
    lock = _sqlite_writers.get(engine)
    if lock is None:
        lock = _sqlite_writers[engine] = asyncio.Lock()
    return lock


def _incident_cache(session: AsyncSession) -> IncidentCache | None:
    bind = session.bind
    engine = bind.sync_engine if isinstance(bind, AsyncEngine) else bind
    return cache_for(engine) if isinstance(engine, Engine) else None


class UnitOfWork:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, write: bool = False) -> None:
        """`write`: this unit of work changes the database (on SQLite it waits its turn)."""
        self._sessions = sessions
        self._session: AsyncSession | None = None
        self._transaction: AsyncSessionTransaction | None = None
        self._turn = _writer_turn(sessions) if write else None

    @classmethod
    def over(cls, session: AsyncSession) -> UnitOfWork:
        """Repositories over a session whose transactions the caller manages itself: only
        the outbox sender, which must end every read before a network request (SQLite)
        and so commits several short transactions on one session."""
        unit = cls.__new__(cls)
        unit._session = session
        unit._transaction = None
        unit._turn = None
        return unit

    async def __aenter__(self) -> UnitOfWork:
        if self._turn is not None:
            await self._turn.acquire()
        try:
            self._session = self._sessions()
            self._transaction = await self._session.begin()
        except BaseException:
            if self._turn is not None:
                self._turn.release()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._session is not None and self._transaction is not None
        try:
            if exc_type is None:
                try:
                    await self._transaction.commit()
                except BaseException:
                    self._ended(committed=False)
                    raise
                self._ended(committed=True)
            else:
                self._ended(committed=False)
                await self._transaction.rollback()
        finally:
            try:
                await self._session.close()
            finally:
                if self._turn is not None:
                    self._turn.release()

    def _ended(self, *, committed: bool) -> None:
        store = self.__dict__.get("incidents")  # only if this unit of work used it
        if store is not None:
            if committed:
                store.committed()
            else:
                store.rolled_back()

    @property
    def wrote_publication_jobs(self) -> bool:
        store = self.__dict__.get("publications")
        return bool(store is not None and store.jobs_added)

    @property
    def session(self) -> AsyncSession:
        """For repositories only (they live in db/); services use the repositories."""
        if self._session is None:
            raise RuntimeError("the unit of work is not open")
        return self._session

    async def flush(self) -> None:
        await self.session.flush()

    @cached_property
    def incidents(self) -> IncidentStore:
        return IncidentStore(self.session, _incident_cache(self.session))

    @cached_property
    def directory(self) -> DirectoryRepository:
        return DirectoryRepository(self.session)

    @cached_property
    def outbox(self) -> OutboxRepository:
        return OutboxRepository(self.session)

    @cached_property
    def deadlines(self) -> DeadlineRepository:
        return DeadlineRepository(self.session)

    @cached_property
    def intake(self) -> IntakeRepository:
        return IntakeRepository(self.session)

    @cached_property
    def reports(self) -> ReportRepository:
        return ReportRepository(self.session)

    @cached_property
    def reads(self) -> ReadRepository:
        return ReadRepository(self.session)

    @cached_property
    def retention(self) -> RetentionRepository:
        return RetentionRepository(self.session)

    @cached_property
    def fsm(self) -> FsmRepository:
        return FsmRepository(self.session)

    @cached_property
    def pages(self) -> PageRepository:
        return PageRepository(self.session)

    @cached_property
    def publications(self) -> PublicationRepository:
        return PublicationRepository(self.session)
