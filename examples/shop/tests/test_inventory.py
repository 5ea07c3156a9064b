"""Inventory tests in the unittest style some teams still write."""

import unittest

from shop.inventory import Inventory, OutOfStock


class ReservationTest(unittest.TestCase):
    def setUp(self):
        self.inventory = Inventory({"MUG-01": 10})

    def test_reserve_reduces_availability(self):
        self.inventory.reserve("MUG-01", 4)
        self.assertEqual(self.inventory.available("MUG-01"), 6)

    def test_reserving_too_much_raises(self):
        with self.assertRaises(OutOfStock) as caught:
            self.inventory.reserve("MUG-01", 11)
        self.assertEqual(caught.exception.available, 10)


if __name__ == "__main__":
    unittest.main()
