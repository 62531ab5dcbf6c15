"""Request and response bodies of the intake API (pydantic); the OpenAPI document is built
from these same models (bot/intake/openapi.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from bot.intake.clean import cleaned_json
from workflow.model import (
    DeadlineKind,
    DeadlineState,
    Importance,
    IncidentStatus,
    Party,
    Source,
)

MAX_URL = 2000
MAX_TEXT = 50_000
MAX_ATTACHMENTS = 50


def check_http_url(value: str) -> str:
    """An absolute http(s) URL, kept as given: idempotency compares it byte for byte."""
    if any(ch.isspace() for ch in value):
        raise ValueError("must not contain spaces")
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an absolute http:// or https:// URL")
    return value


# The same rule as check_http_url, for clients that validate against the OpenAPI document.
URL_PATTERN = r"^[Hh][Tt][Tt][Pp][Ss]?://[^\s/?#]+\S*$"

HttpUrl = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_URL,
        json_schema_extra={"format": "uri", "pattern": URL_PATTERN},
    ),
    AfterValidator(check_http_url),
]


class NewIncident(BaseModel):
    """A post or comment found by monitoring software (п.2)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    source: Source = Field(description="the social network")
    url: HttpUrl = Field(description="link to the post or comment")
    text: str = Field(default="", max_length=MAX_TEXT, description="the text as posted")
    author_name: str | None = Field(default=None, max_length=300)
    author_url: HttpUrl | None = Field(default=None, description="the author's profile")
    attachments: list[HttpUrl] = Field(
        default_factory=list, max_length=MAX_ATTACHMENTS, description="photos, videos, files"
    )
    published_at: AwareDatetime | None = Field(
        default=None, description="when the author posted it (ISO 8601 with a time zone)"
    )
    detected_at: AwareDatetime | None = Field(
        default=None,
        description="when monitoring found it; the answer clock starts here (default: now)",
    )
    importance: Importance = Field(default=Importance.NORMAL, description="high: п.17")
    topic_hint: str | None = Field(default=None, max_length=200)
    external_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="the monitoring system's id; a repeat returns the same incident",
    )

    @model_validator(mode="before")
    @classmethod
    def _no_control_chars(cls, data: Any) -> Any:
        return cleaned_json(data)  # the intake's one rule, before the fields are checked

    @model_validator(mode="after")
    def _something_posted(self) -> NewIncident:
        if not self.text and not self.attachments:
            raise ValueError("text: a post needs text or at least one attachment")
        return self


class DeadlineView(BaseModel):
    kind: DeadlineKind
    party: Party
    org_code: str | None
    started_at: datetime
    due_at: datetime
    state: DeadlineState
    ended_at: datetime | None
    overdue: bool = Field(description="running and past due")


class IncidentState(BaseModel):
    id: int
    source: Source
    url: str
    external_id: str | None
    status: IncidentStatus
    importance: Importance
    detected_at: datetime
    published_at: datetime | None
    topic: str | None
    location: str | None
    answer_due_at: datetime | None = Field(description="the running answer deadline (п.9, п.17)")
    deadlines: list[DeadlineView]
    flags: list[str] = Field(description='triage hints, e.g. "possible_p21"')
    suggested_topic: str | None
    suggested_orgs: list[str]
    duplicates: int = Field(description="near-identical posts attached to this incident")
    version: int


class IntakeResult(IncidentState):
    outcome: Literal["created", "existing", "duplicate"] = Field(
        description="created (201); existing: the same post was already an incident (200); "
        "duplicate: attached to an open incident by the same author with the same text (200)"
    )
    created: bool


class FieldError(BaseModel):
    field: str = Field(description='dotted path of the bad field, e.g. "attachments.2"')
    message: str


class ErrorBody(BaseModel):
    error: str = Field(description="machine-readable code, e.g. invalid_request")
    message: str
    fields: list[FieldError] = Field(default_factory=list)


class VkEvent(BaseModel):
    """The envelope VK's Callback API posts; `object` depends on `type`."""

    model_config = ConfigDict(extra="allow")

    type: str
    group_id: int
    event_id: str | None = None
    v: str | None = None
    secret: str | None = None
    object: dict[str, Any] | None = None


# --- validation errors as field lists ---------------------------------------------------------


def field_errors(error: ValidationError) -> list[FieldError]:
    """One entry per problem, named by its dotted path ("(body)" for the body as a whole)."""
    result = []
    for problem in error.errors(include_url=False):
        loc = [str(part) for part in problem.get("loc", ())]
        message = str(problem.get("msg", "invalid")).removeprefix("Value error, ")
        if problem.get("type") == "extra_forbidden":
            message = "unknown field"
        elif problem.get("type") == "missing":
            message = "required"
        if not loc and ": " in message and message.split(": ", 1)[0].isidentifier():
            # Model-level checks name their field in front of the message.
            name, message = message.split(": ", 1)
            loc = [name]
        result.append(FieldError(field=".".join(loc) or "(body)", message=message))
    return result


def is_malformed_json(error: ValidationError) -> bool:
    return any(problem.get("type") == "json_invalid" for problem in error.errors())
