"""Touchpoints: the nightly ELT pipeline for customer-touchpoint analytics."""
