"""Vitrine's CDK app: one construct per domain, wired by the stack (local/ runs it on one machine)."""
