from datetime import date

import pytest

from ledger import AccountType, Ledger


@pytest.fixture
def ledger():
    book = Ledger("test")
    book.open_account("cash", AccountType.ASSET)
    book.open_account("sales", AccountType.INCOME)
    book.open_account("rent", AccountType.EXPENSE)
    return book


@pytest.fixture
def jan1():
    return date(2024, 1, 1)
