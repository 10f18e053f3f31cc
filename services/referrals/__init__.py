"""Referrals: closed-loop hand-offs between agencies, pick-up deadlines and escalation,
support meetings, and the case timeline."""
