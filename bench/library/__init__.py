"""The resource library benchmark's parts: words, generation and measurement."""
