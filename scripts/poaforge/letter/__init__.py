"""The letter: the POA composed once and laid out as PDF, DOCX and form text."""
