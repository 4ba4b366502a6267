"""A package, so that tests/e2e/conftest.py is imported as tests.e2e.conftest and does not
shadow the root conftest (some tests do `from conftest import redis_url`)."""
