"""Backorder Desktop test suite."""
