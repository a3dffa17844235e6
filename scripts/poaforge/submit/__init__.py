"""Submission: upload-ready files, the checklist and the manifest of hashes."""
