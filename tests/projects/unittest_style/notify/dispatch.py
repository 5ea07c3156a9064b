"""Routing messages to channels by rules."""

import functools
import logging
import sys
from collections import Counter
from typing import Callable, Dict, List, Optional

from notify.channels import Channel, DeliveryError
from notify.message import Message, Priority

logger = logging.getLogger(__name__)

Rule = Callable[[Message], bool]


class Dispatcher:
    def __init__(self, *channels: Channel, fallback: Optional[Channel] = None) -> None:
        self.channels: Dict[str, Channel] = {c.name: c for c in channels}
        self.rules: List[tuple] = []
        self.fallback = fallback
        self.stats: Counter = Counter()

    def rule(self, channel: str, *, min_priority: Priority = Priority.LOW) -> Callable[[Rule], Rule]:
        """Decorator: route messages the function accepts to `channel`."""
        if channel not in self.channels:
            raise KeyError(f"no channel named {channel!r}")

        def register(predicate: Rule) -> Rule:
            @functools.wraps(predicate)
            def guarded(message: Message) -> bool:
                return message.priority >= min_priority and predicate(message)

            self.rules.append((guarded, channel))
            return predicate

        return register

    def route(self, message: Message) -> List[Channel]:
        chosen = [self.channels[name] for check, name in self.rules if check(message)]
        chosen = [c for c in chosen if c.accepts(message)]
        if not chosen and self.fallback is not None:
            chosen = [self.fallback]
        return chosen

    def dispatch(self, message: Message) -> int:
        delivered = 0
        for channel in self.route(message):
            try:
                channel.send(message)
            except DeliveryError as error:
                logger.warning("delivery failed: %s", error)
                self.stats["failed"] += 1
                if message.is_urgent and self.fallback is not None and channel is not self.fallback:
                    self.fallback.send(message)
                    delivered += 1
            else:
                delivered += 1
        self.stats["delivered"] += delivered
        return delivered

    def dispatch_many(self, messages, **kwargs) -> Dict[str, int]:
        by_priority = sorted(messages, key=lambda m: m.priority, reverse=True)
        return {m.subject: self.dispatch(m, **kwargs) for m in by_priority}


def main(argv=None) -> int:
    from notify.channels import EmailChannel

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m notify.dispatch RECIPIENT SUBJECT", file=sys.stderr)
        return 2
    dispatcher = Dispatcher(EmailChannel("noreply@example.org"))
    dispatcher.rule("email")(lambda m: True)
    return 0 if dispatcher.dispatch(Message(*args)) else 1


if __name__ == "__main__":
    sys.exit(main())
