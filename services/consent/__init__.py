"""Consent: personal information shared only on a lawful basis, only the part needed, and
every disclosure logged where the person can read it."""
