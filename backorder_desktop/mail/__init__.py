"""Notice templates and SMTP sending."""
