"""What the sender tells people itself: a permanent delivery failure, to the administrators."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.clock import Clock, SystemClock
from bot.services.outbox_writer import OutboxWriter
from db.uow import UnitOfWork
from workflow.effects import Addressee, AddresseeKind, Message
from workflow.roles import Role

DELIVERY_FAILED_KEY = "outbox.delivery_failed"


@dataclass(frozen=True)
class DeliveryFailure:
    chat_id: int
    error: str
    key: str  # the key of the row that failed
    row_ids: tuple[int, ...]  # every row given up, the failing one first
    chat_unreachable: bool  # the chat itself (not just this message) cannot be reached


# Runs in the unit of work that records the failure, so the two commit together.
FailureCallback = Callable[[UnitOfWork, DeliveryFailure], Awaitable[None]]

ADMINS = Addressee(AddresseeKind.ROLE, role=Role.ADMIN)


def notify_admins(
    writer: OutboxWriter, *, clock: Clock | None = None, key: str = DELIVERY_FAILED_KEY
) -> FailureCallback:
    """A failure callback that writes a notice (key `key`) to the administrators.

    The failed chat itself is left out, and a failed notice is not reported again, so an
    unreachable administrator cannot start a loop.
    """
    clock = clock or SystemClock()

    async def callback(uow: UnitOfWork, failure: DeliveryFailure) -> None:
        if failure.key == key:
            return
        notice = Message(
            ADMINS,
            key,
            {
                "chat_id": failure.chat_id,
                "error": failure.error,
                "messages": len(failure.row_ids),
                "chat_unreachable": failure.chat_unreachable,
            },
        )
        await writer.messages(
            uow, [notice], clock.now(), exclude_chats=frozenset({failure.chat_id})
        )

    return callback
