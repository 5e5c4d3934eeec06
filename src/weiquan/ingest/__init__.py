"""Importers: one module per source format, each yielding normalised records with provenance."""
