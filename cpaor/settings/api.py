"""The read-only JSON API (api/): Django REST framework, its schema and CORS."""
