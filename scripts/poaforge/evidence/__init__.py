"""Evidence intake: each exhibit file sniffed, checked and turned into PDF pages."""
