"""The service layer: every operation the CLI and the web app offer, as plain functions over a Workspace."""
