import unittest

from notify import Dispatcher, EmailChannel, Message, Priority, SmsChannel, WebhookChannel


class DispatchTests(unittest.TestCase):
    def setUp(self):
        self.email = EmailChannel("noreply@example.org")
        self.sms = SmsChannel()
        self.dispatcher = Dispatcher(self.email, self.sms)

        @self.dispatcher.rule("email")
        def everything(message):
            return True

        @self.dispatcher.rule("sms", min_priority=Priority.HIGH)
        def pages(message):
            return "page" in message.tags

    def test_normal_message_goes_by_email(self):
        self.assertEqual(self.dispatcher.dispatch(Message("dev@example.org", "build green")), 1)
        self.assertEqual(len(self.email.sent), 1)
        self.assertEqual(self.sms.sent, [])

    def test_unknown_channel(self):
        with self.assertRaises(KeyError):
            self.dispatcher.rule("pigeon")


class WebhookTests(unittest.IsolatedAsyncioTestCase):
    async def test_retries_until_success(self):
        statuses = iter([503, 502, 200])

        async def post(url, json):
            return next(statuses)

        hook = WebhookChannel("https://hooks.example.org/x", post)
        self.assertEqual(await hook.deliver(Message("ops", "deploy")), 3)


if __name__ == "__main__":
    unittest.main()
