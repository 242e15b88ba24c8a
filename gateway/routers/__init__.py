"""The gateway's HTTP and WebSocket routes, one module per audience."""
