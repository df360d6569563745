"""Pure dataclasses and rules: queue, allocation, ETA cascade, notice selection (no I/O)."""
