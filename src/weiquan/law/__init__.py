"""Jurisdiction packs: legal facts, thresholds, channels, interest rules and lenders as validated data.

Use :func:`weiquan.law.pack.load_pack`.
"""
