"""Double-entry bookkeeping in plain Python."""

from .accounts import Account, AccountType, Ledger, Posting, UnbalancedEntry
from .money import Money, parse_amount

__all__ = [
    "Account",
    "AccountType",
    "Ledger",
    "Money",
    "Posting",
    "UnbalancedEntry",
    "parse_amount",
]
