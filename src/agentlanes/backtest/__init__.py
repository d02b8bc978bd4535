"""Backtests: replay history to measure footprint predictions and conflict detection."""
