"""Scheduling: requests, the CP-SAT model, repair, explanations, free slots and windows, Golden Book bookings."""
