"""The shared Redis fixture starts a real server that answers."""

import redis


def test_redis_fixture_is_a_real_server(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    assert client.ping() is True
    assert client.info("server")["redis_version"]
