"""The benchmarks' own databases, made afresh on the server of DATABASE_URL (or REDIS_URL)."""

import os
from urllib.parse import urlsplit, urlunsplit

import psycopg

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/cpaor"


def with_path(url, name):
    """url on another database: a Postgres database name or a Redis database number."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def database_url(name):
    return with_path(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL), name)


def drop_database(name):
    with psycopg.connect(database_url("postgres"), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def recreate_database(name):
    """Drop and create the database `name`; return its URL."""
    drop_database(name)
    with psycopg.connect(database_url("postgres"), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return database_url(name)
