"""Every inline button's data, in one place (Telegram allows 64 bytes)."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class Act(StrEnum):
    """What a button on an incident card asks for."""

    TAKE = "tk"
    DECLINE = "nd"  # "not ours" (п.11)
    CLARIFY = "cq"  # clarification request (п.13)
    DRAFT = "dr"  # draft answer (п.12)
    INTERIM = "im"  # interim answer (п.12, п.18)
    INFO = "in"  # information for a consolidated answer (п.19)
    PUBLISH = "pb"  # confirm publication with a link (п.16)
    ROUTE = "rt"  # п.10, п.19
    REROUTE = "rr"  # п.11
    HIGH = "hi"  # п.17
    NORMAL = "no"
    CLOSE = "cl"  # п.21
    REOPEN = "ro"
    FULL_TEXT = "ft"
    REVIEW = "rv"  # open a pending draft for review (п.14)
    APPROVE = "ap"
    RETURN = "rj"
    PICK = "pk"  # choose the consolidating organisation (п.19)
    LIMITS = "lm"  # п.18 stage limits
    TIMELINE = "tl"
    OPEN = "op"  # send the card to this chat now (a flood summary's buttons)
    DISMISS = "dm"  # п.10: no answer needed, with a ground
    WITHDRAW = "wd"  # п.19: take a silent organisation off a consolidated incident


class CardCb(CallbackData, prefix="c"):
    incident: int
    act: Act
    arg: int = 0  # a draft id, where the action concerns one


class PickOp(StrEnum):
    TOGGLE = "t"
    CONFIRM = "c"
    CANCEL = "x"


class OrgPickCb(CallbackData, prefix="o"):
    """Choosing organisations for routing (several at once, п.19) or the consolidator."""

    incident: int
    op: PickOp
    org: int = 0  # Organisation.id


class ReasonOp(StrEnum):
    TOGGLE = "t"
    COMMENT = "m"
    SEND = "s"
    CANCEL = "x"


class ReturnCb(CallbackData, prefix="r"):
    """Returning a draft with п.14 reasons, toggled one by one."""

    incident: int
    draft: int
    op: ReasonOp
    reason: str = ""  # a ReturnReason value with TOGGLE


class CloseCb(CallbackData, prefix="z"):
    incident: int
    reason: str  # a NoAnswerReason value (п.21), or "x" to cancel


class DismissCb(CallbackData, prefix="d"):
    """п.10: the ground a post needs no answer on (a DismissalGround value)."""

    incident: int
    ground: str


class WithdrawCb(CallbackData, prefix="w"):
    """п.19: the silent organisation to withdraw (Organisation.id)."""

    incident: int
    org: int


class FlowOp(StrEnum):
    SEND = "s"
    CANCEL = "x"


class FlowCb(CallbackData, prefix="f"):
    """Finishing or abandoning a guided step (a draft being composed, a comment asked)."""

    op: FlowOp


class LimitOp(StrEnum):
    NEXT = "n"  # the step's next common length
    CONFIRM = "c"


class LimitCb(CallbackData, prefix="l"):
    """Choosing the п.18 step lengths: each press moves one step to its next common value."""

    incident: int
    op: LimitOp
    step: int = 0  # index into the stage-limit fields


class PageOp(StrEnum):
    DONE = "d"  # a page duty done: the report sent, the administrator removed
    BLOCK = "b"  # blacklist an incident's author on its page (п.21 on an official page)


class PageCb(CallbackData, prefix="pg"):
    """The buttons of the official pages' duties (docs/pages.md)."""

    op: PageOp
    id: int  # a duty's id (DONE) or an incident's (BLOCK)


class PublishCb(CallbackData, prefix="p"):
    """ "Опубликовать": the bot publishes the approved draft where the incident was (п.16)."""

    incident: int
    draft: int


class ReportCb(CallbackData, prefix="rp"):
    """The period picker of /report (issue 13): a PeriodChoice value."""

    period: str
