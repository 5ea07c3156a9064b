"""Accounts, postings and the ledger that keeps them balanced."""

from __future__ import annotations

import asyncio
import enum
from collections import defaultdict
from collections.abc import AsyncIterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from .money import Money


class AccountType(enum.Enum):
    ASSET = "asset"
    LIABILITY = "liability"
    EQUITY = "equity"
    INCOME = "income"
    EXPENSE = "expense"

    @property
    def normal_sign(self) -> int:
        """+1 where debits increase the balance, -1 where credits do."""
        return 1 if self in (AccountType.ASSET, AccountType.EXPENSE) else -1


@dataclass
class Account:
    name: str
    type: AccountType
    currency: str = "EUR"
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def is_temporary(self) -> bool:
        return self.type in (AccountType.INCOME, AccountType.EXPENSE)


class Posting(NamedTuple):
    account: str
    amount: Money
    on: date
    memo: str = ""


class UnbalancedEntry(ValueError):
    """The postings of one entry do not sum to zero."""


class Ledger:
    def __init__(self, name: str = "main") -> None:
        self.name = name
        self._accounts: dict[str, Account] = {}
        self._postings: list[Posting] = []

    def open_account(self, name: str, type: AccountType, /, **meta: Any) -> Account:
        if name in self._accounts:
            raise ValueError(f"account {name!r} already exists")
        account = Account(name, type, meta.pop("currency", "EUR"), meta)
        self._accounts[name] = account
        return account

    @property
    def accounts(self) -> list[str]:
        return sorted(self._accounts)

    def post(self, *postings: Posting) -> None:
        """Record one entry; its postings must balance to zero."""
        if len(postings) < 2:
            raise UnbalancedEntry("an entry needs at least two postings")
        unknown = [p.account for p in postings if p.account not in self._accounts]
        if unknown:
            raise KeyError(f"unknown accounts: {', '.join(unknown)}")
        total = sum((p.amount for p in postings[1:]), postings[0].amount)
        if total:
            raise UnbalancedEntry(f"entry is off by {total}")
        self._postings.extend(postings)

    def history(self, account: str, *, since: date | None = None) -> Iterator[Posting]:
        for posting in self._postings:
            if posting.account == account and (since is None or posting.on >= since):
                yield posting

    def balance(self, account: str, *, as_of: date | None = None) -> Money:
        acct = self._accounts[account]
        total = Money.zero(acct.currency)
        for posting in self.history(account):
            if as_of is not None and posting.on > as_of:
                continue
            total = total + posting.amount
        return total

    def trial_balance(self) -> dict[str, Money]:
        return {name: self.balance(name) for name in self.accounts if self.balance(name)}

    def close_period(self, on: date, equity: str = "retained-earnings") -> int:
        """Move the balances of income and expense accounts into `equity`."""

        def closing_entry(account: Account) -> tuple[Posting, Posting] | None:
            amount = self.balance(account.name, as_of=on)
            if not amount:
                return None
            return (
                Posting(account.name, -amount, on, "close"),
                Posting(equity, amount, on, "close"),
            )

        if equity not in self._accounts:
            self.open_account(equity, AccountType.EQUITY)
        entries = [closing_entry(a) for a in self._accounts.values() if a.is_temporary]
        closed = 0
        for entry in filter(None, entries):
            self.post(*entry)
            closed += 1
        return closed

    async def import_postings(self, source: AsyncIterable[Posting], *, batch: int = 2) -> int:
        """Post pairs of postings as they arrive from `source`."""
        pending: list[Posting] = []
        count = 0
        async for posting in source:
            pending.append(posting)
            if len(pending) == batch:
                self.post(*pending)
                count += len(pending)
                pending.clear()
                await asyncio.sleep(0)
        if pending:
            raise UnbalancedEntry(f"{len(pending)} postings left unmatched")
        return count

    def largest_accounts(self, n: int = 3) -> list[tuple[str, Money]]:
        by_size = defaultdict(list)
        for name, amount in self.trial_balance().items():
            by_size[abs(amount.amount)].append(name)
        ranked = sorted(by_size.items(), key=lambda item: item[0], reverse=True)
        return [(name, self.balance(name)) for _, names in ranked for name in names][:n]
