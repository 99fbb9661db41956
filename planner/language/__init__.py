"""Texts for people in their language: dates and times by CLDR."""
