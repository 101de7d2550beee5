"""Vitrine's CDK app: one construct per domain, wired by the stack.

(local/ runs the same app on one machine.)"""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
