"""notify: route messages to e-mail, SMS and webhooks by rules."""

from notify.channels import Channel, EmailChannel, SmsChannel, WebhookChannel
from notify.dispatch import Dispatcher
from notify.message import Message, Priority

__all__ = ["Channel", "Dispatcher", "EmailChannel", "Message", "Priority", "SmsChannel", "WebhookChannel"]
