"""Clients of other AWS services (@connections, SQS), each behind a small interface."""
