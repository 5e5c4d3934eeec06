"""The Chinese leaf: the one vocabulary of labels (``labels``) and Chinese formatting (``format``).

Nothing here imports the rest of weiquan; every layer may import it.
"""
