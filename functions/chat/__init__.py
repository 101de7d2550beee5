"""Real-time domain: the WebSocket API (connections, chat, call-to-action, moderation)."""
