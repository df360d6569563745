"""Goods in and orders out: shipments, purchase orders, receiving, releasing, cancelling."""
