"""The embedded demo store: a real HTTP server on 127.0.0.1 speaking the BigCommerce API."""
