"""Customer notices: what is due, claims, sending, records, consent and replies."""
