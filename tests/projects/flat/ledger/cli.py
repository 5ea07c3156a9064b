"""`python -m ledger.cli balance FILE`: print balances from a postings file."""

from __future__ import annotations

import argparse
import csv
import sys
from datetime import date

from . import AccountType, Ledger, Posting, parse_amount


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ledger", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    balance = sub.add_parser("balance", help="print the trial balance")
    balance.add_argument("file", type=argparse.FileType("r"))
    balance.add_argument("--as-of", type=date.fromisoformat, default=None)
    return parser


def load(rows, ledger: Ledger) -> None:
    entry: list[Posting] = []
    for row in rows:
        if row["account"] not in ledger.accounts:
            ledger.open_account(row["account"], AccountType(row.get("type", "asset")))
        entry.append(Posting(row["account"], parse_amount(row["amount"]), date.fromisoformat(row["date"])))
        if row.get("end") == "1":
            ledger.post(*entry)
            entry = []


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    ledger = Ledger()
    with args.file as handle:
        load(csv.DictReader(handle), ledger)
    for name, amount in ledger.trial_balance().items():
        print(f"{name:30} {amount}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
