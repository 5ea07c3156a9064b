"""Delivery channels: each knows one way of getting a message out."""

import abc
import asyncio
import re
from typing import TYPE_CHECKING, Any, Callable, List

if TYPE_CHECKING:
    from notify.message import Message

_PHONE = re.compile(r"^\+[1-9]\d{7,14}$")


class DeliveryError(RuntimeError):
    def __init__(self, channel: str, reason: str):
        super().__init__(f"{channel}: {reason}")
        self.channel = channel
        self.reason = reason


class Channel(abc.ABC):
    name = "channel"

    def __init__(self) -> None:
        self.sent: List["Message"] = []

    def accepts(self, message: "Message") -> bool:
        return True

    @abc.abstractmethod
    def send(self, message: "Message") -> None:
        raise NotImplementedError

    def send_all(self, messages, *, stop_on_error=False):
        failures = []
        for message in messages:
            try:
                self.send(message)
            except DeliveryError as error:
                if stop_on_error:
                    raise
                failures.append((message, error))
        return failures


class EmailChannel(Channel):
    name = "email"

    def __init__(self, sender: str, *, max_body: int = 10_000) -> None:
        super().__init__()
        if "@" not in sender:
            raise ValueError(f"not an e-mail address: {sender!r}")
        self.sender = sender
        self.max_body = max_body

    def accepts(self, message):
        return "@" in message.recipient

    def send(self, message):
        if len(message.body) > self.max_body:
            raise DeliveryError(self.name, "body too long")
        self.sent.append(message)


class SmsChannel(Channel):
    name = "sms"
    LIMIT = 160

    def accepts(self, message):
        return bool(_PHONE.match(message.recipient))

    def send(self, message):
        text = message.truncated(self.LIMIT)
        if not text:
            raise DeliveryError(self.name, "empty text")
        self.sent.append(message)


class WebhookChannel(Channel):
    """Posts messages to a URL through an injected async `post` callable."""

    name = "webhook"

    def __init__(self, url: str, post: Callable[..., Any], *, retries: int = 3) -> None:
        super().__init__()
        if not url.startswith(("https://", "http://")):
            raise ValueError(f"not an http(s) URL: {url!r}")
        self.url = url
        self._post = post
        self.retries = retries

    def send(self, message):
        asyncio.run(self.deliver(message))

    async def deliver(self, message) -> int:
        payload = {"to": message.recipient, "subject": message.subject, "priority": int(message.priority)}
        for attempt in range(1, self.retries + 1):
            status = await self._post(self.url, json=payload)
            if 200 <= status < 300:
                self.sent.append(message)
                return attempt
            if status in (400, 401, 403, 404):
                raise DeliveryError(self.name, f"HTTP {status}")
            await asyncio.sleep(0)
        raise DeliveryError(self.name, f"gave up after {self.retries} attempts")


def debug_dump(channel: Channel) -> None:  # pragma: no cover
    for message in channel.sent:
        print(channel.name, message)
