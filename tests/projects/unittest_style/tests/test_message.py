import unittest

from notify.message import Message, Priority


class PriorityTests(unittest.TestCase):
    def test_from_name(self):
        for text, expected in [("low", Priority.LOW), (" Urgent ", Priority.URGENT)]:
            with self.subTest(text=text):
                self.assertIs(Priority.from_name(text), expected)

    def test_unknown_name(self):
        with self.assertRaisesRegex(ValueError, "unknown priority"):
            Priority.from_name("whenever")


class MessageTests(unittest.TestCase):
    def setUp(self):
        self.message = Message("ops@example.org", "Disk full", body="/var is at 99%")

    def test_render(self):
        self.assertEqual(
            self.message.render("[$env] $subject: $body", env="prod"),
            "[prod] Disk full: /var is at 99%",
        )

    def test_escalate_stops_at_urgent(self):
        self.assertTrue(self.message.escalate(10).is_urgent)
        self.assertEqual(self.message.escalate(10).priority, Priority.URGENT)

    def test_recipient_required(self):
        with self.assertRaises(ValueError):
            Message("", "hello")


if __name__ == "__main__":
    unittest.main()
