"""The consent ledger: consent decisions and erasure receipts, under the keyed pseudonym.

Written by :class:`sigilo.consent.hook.ConsentLedgerHook` inside the tracker store's
transaction (atomic with the conversation); read by :mod:`sigilo.access`. No Rasa
import, nothing created at import.
"""
