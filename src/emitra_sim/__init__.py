"""Simulators of e-Mitra's outbound partners (SMS gateway, later billers and payment gateway).

Each runs as its own process and speaks HTTP, so the platform is tested against the same
protocol and failure modes (refusals, timeouts, restarts) it meets in production.
"""
