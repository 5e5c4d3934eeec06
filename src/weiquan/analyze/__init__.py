"""Detection of unlawful collection acts: text rules, a trained classifier and timeline patterns."""
