"""The development stack: `make run`, `make test` and `make bench`'s launcher, embedded
PostgreSQL and Redis, the mail sink, and Celery workers as child processes for the
integration tests and the benchmarks.

Nothing that is deployed imports this package (tests/test_layers.py checks it). Compose's
`mail` service runs devstack.mailsink from a Dockerfile stage of its own.
"""
