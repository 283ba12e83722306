"""Login limits against a real burst: 60 concurrent logins posted to the app served for real
(werkzeug, a thread per request), with the in-memory counters on SQLite and with the Redis ones.

Failed logins are counted per (account, address) pair, per address, and per account at a higher
threshold; each attempt is counted before its password is checked, so requests sent together
cannot all pass the limit while the first ones are being checked.
"""

from __future__ import annotations

import http.client
import os
import threading
import time
import uuid
from collections import Counter
from urllib.parse import urlencode

import pytest
from werkzeug.serving import make_server

from lms.users import models
from tests.conftest import PASSWORD, POSTGRES_URL

REDIS_URL = os.environ.get("LMS_TEST_REDIS_URL")
PER_PAIR, PER_ADDRESS, PER_ACCOUNT = 5, 8, 12
LIMITS = {
    "LMS_LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS": f"{PER_PAIR} per 15 minutes",
    "LMS_LOGIN_LIMIT_PER_ADDRESS": f"{PER_ADDRESS} per 15 minutes",
    "LMS_LOGIN_LIMIT_PER_ACCOUNT": f"{PER_ACCOUNT} per 15 minutes",
}
BURST = 60
#: a password check takes ~110 ms in production (scrypt, n=2**15); the tests' cheap hashes take
#: well under 1 ms, which would hide the race the burst looks for
CHECK_SECONDS = 0.05


@pytest.fixture(params=["memory", "redis"])
def storage(request, database_url_for_tests) -> str:
    sqlite = database_url_for_tests.startswith("sqlite")
    if request.param == "memory" and not sqlite:
        pytest.skip("the in-memory counters are tried on SQLite")
    if request.param == "redis":
        if not REDIS_URL:
            pytest.skip("needs LMS_TEST_REDIS_URL (a Redis for the login counters)")
        if POSTGRES_URL and sqlite:
            pytest.skip("the Redis counters are tried on PostgreSQL, as in production")
    return request.param


@pytest.fixture
def key_prefix() -> str:
    """Counters of their own in the shared Redis (other tests, other runs)."""
    return f"lms-test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def app_config(app_config, storage, key_prefix):
    config = {**app_config, **LIMITS, "LMS_PROXY_FIX": 1}
    if storage == "redis":
        config.update(LMS_RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=key_prefix)
    return config


@pytest.fixture(autouse=True)
def redis_cleanup(storage, key_prefix):
    yield
    if storage == "redis":
        import redis

        connection = redis.Redis.from_url(REDIS_URL)
        for key in connection.scan_iter(match=f"*{key_prefix}*"):
            connection.delete(key)
        connection.close()


@pytest.fixture
def slow_password_checks(monkeypatch):
    check = models.check_password_hash

    def slow_check(hashed: str, password: str) -> bool:
        time.sleep(CHECK_SECONDS)
        return check(hashed, password)

    monkeypatch.setattr(models, "check_password_hash", slow_check)


@pytest.fixture
def served(app, slow_password_checks):
    """The app served for real (werkzeug, one thread per request) on 127.0.0.1: ``post(email,
    password, address)`` → the status of ``POST /login``."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()

    def post(email: str, password: str, address: str = "196.200.1.7") -> int:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        try:
            connection.request(
                "POST",
                "/login",
                body=urlencode({"email": email, "password": password}),
                headers={
                    "Host": app.config["SERVER_NAME"],
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-Forwarded-For": address,  # LMS_PROXY_FIX=1: the visitor's address
                },
            )
            return connection.getresponse().status
        finally:
            connection.close()

    yield post
    server.shutdown()
    thread.join()


def burst(post, attempts: list[tuple[str, str]]) -> Counter:
    """Every (email, address) sends a wrong password at the same instant; the statuses."""
    barrier = threading.Barrier(len(attempts))
    statuses: list[int] = []

    def attempt(email: str, address: str) -> None:
        barrier.wait()
        statuses.append(post(email, "wrong password", address))

    threads = [threading.Thread(target=attempt, args=attempt_args) for attempt_args in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Counter(statuses)


def test_a_burst_on_one_account_from_one_address_stops_at_the_pair_limit(
    storage, served, make_user
):
    user = make_user()

    statuses = burst(served, [(user.email, "196.200.1.7")] * BURST)

    assert statuses == {401: PER_PAIR, 429: BURST - PER_PAIR}
    assert served(user.email, PASSWORD, "196.200.1.7") == 429  # the right password too
    assert served(user.email, PASSWORD, "196.200.1.8") == 302  # its owner, elsewhere, gets in


def test_a_burst_on_many_accounts_from_one_address_stops_at_the_address_limit(
    storage, served, make_user
):
    user = make_user()
    guesses = [(f"guess{n}@example.org", "196.200.1.7") for n in range(BURST)]

    statuses = burst(served, guesses)

    assert statuses == {401: PER_ADDRESS, 429: BURST - PER_ADDRESS}
    assert served(user.email, PASSWORD, "196.200.1.7") == 429
    assert served(user.email, PASSWORD, "196.200.1.8") == 302


def test_a_burst_on_one_account_from_many_addresses_stops_at_the_account_limit(
    storage, served, make_user
):
    user = make_user()
    spread = [(user.email, f"196.200.{n // 200}.{n % 200 + 1}") for n in range(BURST)]

    statuses = burst(served, spread)

    assert statuses == {401: PER_ACCOUNT, 429: BURST - PER_ACCOUNT}
    assert served(user.email, PASSWORD, "41.250.0.1") == 429  # a new address: still refused
