"""weiquan — 催收维权助手.

Local evidence vault, timeline, detection of unlawful debt-collection acts and
lawful action planning for borrowers in mainland China.
"""

__version__ = "0.1.0"
