"""Evidence vault: write-once content-addressed blobs plus a hash-chained ledger."""

from weiquan.vault.vault import AddResult, Vault

__all__ = ["AddResult", "Vault"]
