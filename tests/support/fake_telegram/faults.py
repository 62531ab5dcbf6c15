"""Faults on demand: failing the next K calls or a seeded random share of them."""

from __future__ import annotations

from collections.abc import Iterable

from tests.support.fake_telegram.models import Call, FaultKind, _Fault


class _FaultInjection:
    """Choosing faults for calls; mixed into FakeTelegram, whose `_faults` and `_random` it
    uses."""

    def fail_next(
        self,
        count: int,
        kind: FaultKind,
        *,
        retry_after: int = 1,
        methods: Iterable[str] | None = None,
        chat_id: int | None = None,
    ) -> None:
        """Fail the next `count` matching calls (by default: delivery methods, any chat)."""
        self._faults.append(
            _Fault(
                kind,
                retry_after,
                None if methods is None else frozenset(methods),
                chat_id,
                remaining=count,
            )
        )

    def fail_share(
        self,
        share: float,
        kind: FaultKind,
        *,
        retry_after: int = 1,
        methods: Iterable[str] | None = None,
        chat_id: int | None = None,
    ) -> None:
        """Fail a share (0..1) of matching calls, chosen by the server's seeded random."""
        self._faults.append(
            _Fault(
                kind,
                retry_after,
                None if methods is None else frozenset(methods),
                chat_id,
                share=share,
            )
        )

    def clear_faults(self) -> None:
        self._faults.clear()

    def _pick_fault(self, call: Call) -> _Fault | None:
        for fault in self._faults:
            if fault.remaining is not None and fault.remaining > 0 and fault.matches(call):
                fault.remaining -= 1
                return fault
        # One draw per call, so that shares of different kinds exclude each other.
        draw = self._random.random()
        edge = 0.0
        for fault in self._faults:
            if fault.remaining is None and fault.matches(call):
                edge += fault.share
                if draw < edge:
                    return fault
        return None
