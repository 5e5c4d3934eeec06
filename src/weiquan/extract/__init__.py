"""Extraction: OCR of screenshots and speech-to-text of recordings into timeline events.

``weiquan.extract.base`` is the plug-in contract; ``screenshot`` and ``recording`` are the built-in
extractors; the job runner is ``weiquan.services.extraction``.
"""
