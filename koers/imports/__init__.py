"""Importing from the browser: upload, preview, background import and history."""
