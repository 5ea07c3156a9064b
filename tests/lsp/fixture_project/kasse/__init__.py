"""Kasse: a small till for a corner shop — prices, receipts, units."""
