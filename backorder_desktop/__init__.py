"""Backorder Desktop: the backorder back office for small BigCommerce merchants."""

__version__ = "0.1.0"
