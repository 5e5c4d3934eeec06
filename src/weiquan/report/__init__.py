"""Reports and rendering: documents (PDF/DOCX), charts, the evidence package."""
