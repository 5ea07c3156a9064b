"""Messages and their priorities."""

import enum
import string
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Dict, Optional, Tuple


class Priority(enum.IntEnum):
    LOW = 1
    NORMAL = 2
    HIGH = 3
    URGENT = 4

    @classmethod
    def from_name(cls, name: str) -> "Priority":
        try:
            return cls[name.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown priority {name!r}") from None


@dataclass(frozen=True)
class Message:
    recipient: str
    subject: str
    body: str = ""
    priority: Priority = Priority.NORMAL
    tags: Tuple[str, ...] = ()
    created: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    def __post_init__(self):
        if not self.recipient:
            raise ValueError("a message needs a recipient")
        if len(self.subject) > 120:
            raise ValueError("subject longer than 120 characters")

    @property
    def is_urgent(self) -> bool:
        return self.priority >= Priority.HIGH

    def render(self, template: str, **extra: str) -> str:
        """Fill `$subject`, `$body`, `$recipient` and any `extra` fields."""
        values: Dict[str, str] = {"subject": self.subject, "body": self.body, "recipient": self.recipient}
        values.update(extra)
        try:
            return string.Template(template).substitute(values)
        except KeyError as missing:
            raise ValueError(f"template field {missing} has no value") from None

    def escalate(self, steps: int = 1) -> "Message":
        level = min(int(self.priority) + steps, int(Priority.URGENT))
        return replace(self, priority=Priority(level))

    def truncated(self, limit: Optional[int] = None) -> str:
        if limit is None or len(self.body) <= limit:
            return self.body
        return self.body[: max(limit - 1, 0)] + "…"

    def __repr__(self):  # pragma: no cover
        return f"Message(to={self.recipient!r}, subject={self.subject!r}, priority={self.priority.name})"
