"""The bundle: cover, letter, index and every exhibit merged, stamped, bookmarked and linked."""
