"""Bulk backorder edits: preview, CSV, re-read, queue, apply, results."""
