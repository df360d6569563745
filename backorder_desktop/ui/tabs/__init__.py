"""The three tabs: column definitions and quick filters over the rows services/views.py reads."""
