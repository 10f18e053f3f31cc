"""Intake: consultations at any desk, from any channel, never refused."""
