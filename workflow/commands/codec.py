"""JSON forms of command arguments, so that events can be stored and replayed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from workflow.effects import JSONDict
from workflow.model import Media, MediaKind, Post, Source, StageLimits

STAGE_LIMIT_FIELDS = ("respond", "reroute", "draft_margin", "review", "resubmit", "publish")


def post_to_json(post: Post) -> JSONDict:
    return {
        "source": post.source.value,
        "url": post.url,
        "text": post.text,
        "author_name": post.author_name,
        "author_url": post.author_url,
        "published_at": post.published_at.isoformat() if post.published_at else None,
        "external_id": post.external_id,
        "attachments": list(post.attachments),
    }


def post_from_json(data: Mapping[str, Any]) -> Post:
    published = data.get("published_at")
    return Post(
        source=Source(data["source"]),
        url=data["url"],
        text=data["text"],
        author_name=data.get("author_name"),
        author_url=data.get("author_url"),
        published_at=datetime.fromisoformat(published) if published else None,
        external_id=data.get("external_id"),
        attachments=tuple(data.get("attachments", ())),
    )


def media_to_json(media: Iterable[Media]) -> list[JSONDict]:
    return [{"kind": m.kind.value, "file_id": m.file_id, "caption": m.caption} for m in media]


def media_from_json(data: Iterable[Mapping[str, Any]]) -> tuple[Media, ...]:
    return tuple(
        Media(kind=MediaKind(m["kind"]), file_id=m["file_id"], caption=m.get("caption"))
        for m in data
    )


def limits_to_json(limits: StageLimits) -> JSONDict:
    def seconds(value: timedelta | None) -> int | None:
        return int(value.total_seconds()) if value is not None else None

    return {name: seconds(getattr(limits, name)) for name in STAGE_LIMIT_FIELDS}


def limits_from_json(data: Mapping[str, Any]) -> StageLimits:
    def length(value: int | None) -> timedelta | None:
        return timedelta(seconds=value) if value is not None else None

    return StageLimits(**{name: length(data.get(name)) for name in STAGE_LIMIT_FIELDS})
