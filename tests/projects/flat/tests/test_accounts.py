import asyncio
from decimal import Decimal

import pytest

from ledger import Money, Posting, UnbalancedEntry


def eur(value):
    return Money(Decimal(value))


def test_post_and_balance(ledger, jan1):
    ledger.post(Posting("cash", eur("100"), jan1), Posting("sales", eur("-100"), jan1))
    assert ledger.balance("cash") == eur("100")
    assert ledger.trial_balance() == {"cash": eur("100"), "sales": eur("-100")}


def test_unbalanced_entry_is_refused(ledger, jan1):
    with pytest.raises(UnbalancedEntry):
        ledger.post(Posting("cash", eur("1"), jan1), Posting("sales", eur("-2"), jan1))


def test_close_period_moves_income_to_equity(ledger, jan1):
    ledger.post(Posting("cash", eur("40"), jan1), Posting("sales", eur("-40"), jan1))
    assert ledger.close_period(jan1) == 1
    assert ledger.balance("sales") == eur("0")
    assert ledger.balance("retained-earnings") == eur("-40")


def test_import_postings(ledger, jan1):
    async def feed():
        for amount in ("5", "-5"):
            yield Posting("cash" if amount == "5" else "sales", eur(amount), jan1)

    assert asyncio.run(ledger.import_postings(feed())) == 2
