"""Mingle on two app hosts against one PostgreSQL, as docs/scaling.md describes.

Each "host" is a gunicorn server in a network namespace of its own, reachable
only at its address inside that namespace, and reaching the shared services
(PostgreSQL, Redis for the rate limits, the SMTP server) through its veth
link to this machine, as a second machine would through the network. Clients
in several processes RSVP through both hosts at once; an outbox worker on one
host is killed with SIGKILL in the middle of a batch and another starts on the
other host. Afterwards exactly the seats were given, every message arrived
once, and the per-e-mail rate limit counted the requests of both hosts.

The namespaces need root and iproute2; where they cannot be made the test
says so and skips. It needs TEST_DATABASE_URL (PostgreSQL) and a Redis server
(TEST_REDIS_URL, by default database 7 on 127.0.0.1:6379, emptied first).
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from events.models import Event, OutboxMessage, OutboxStatus, Registration, RegistrationStatus
from tests.conftest import ROOT
from tests.live_server import Reply, post_json_from_processes

pytestmark = pytest.mark.slow

CAPACITY = 200
RSVPS = 400
PROCESSES_PER_HOST = 3
CONNECTIONS_PER_PROCESS = 25
# The per-e-mail limit both hosts share, and how many requests test it (half on each host).
EMAIL_LIMIT = 4
EMAIL_TRIES = 2 * EMAIL_LIMIT
# The outbox worker is killed while the SMTP server holds this message (of the
# worker's first batch of 20) without answering it.
KILLED_AT = 7
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/7")
PORT = 8000
DEADLINE = 180.0


@dataclass(frozen=True)
class Network:
    """Two namespaces, each linked to this machine by a veth pair."""

    services: str  # this machine's end of host A's link: where the shared services listen
    hosts: dict[str, tuple[str, str]]  # host name -> (namespace, its address in it)


def _ip(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", *arguments], capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def network() -> Iterator[Network]:
    """Create the namespaces and links (or skip, saying why), and remove them afterwards."""
    if shutil.which("ip") is None:
        pytest.skip("network namespaces cannot be created here: iproute2's `ip` is missing")
    tag = f"{os.getpid() % 100000}"
    subnet = 10 + os.getpid() % 240  # 10.77.<subnet>.0/29, apart from parallel runs
    made: list[str] = []
    links: list[str] = []
    try:
        hosts = {}
        for index, name in enumerate(("a", "b")):
            namespace, outside, inside = f"mingle{tag}{name}", f"mg{tag}{name}o", f"mg{tag}{name}i"
            here, there = f"10.77.{subnet}.{4 * index + 1}", f"10.77.{subnet}.{4 * index + 2}"
            created = _ip("netns", "add", namespace)
            if created.returncode != 0:
                pytest.skip("network namespaces cannot be created here "
                            f"(`ip netns add`: {created.stderr.strip()})")
            made.append(namespace)
            steps = [
                ("link", "add", outside, "type", "veth", "peer", "name", inside),
                ("link", "set", inside, "netns", namespace),
                ("addr", "add", f"{here}/30", "dev", outside),
                ("link", "set", outside, "up"),
                ("-n", namespace, "link", "set", "lo", "up"),
                ("-n", namespace, "addr", "add", f"{there}/30", "dev", inside),
                ("-n", namespace, "link", "set", inside, "up"),
                ("-n", namespace, "route", "add", "default", "via", here),
            ]
            for step in steps:
                result = _ip(*step)
                if result.returncode != 0:
                    pytest.skip(f"network namespaces cannot be set up here (`ip {' '.join(step)}`:"
                                f" {result.stderr.strip()})")
                if step[:2] == ("link", "add"):
                    links.append(outside)
            hosts[name] = (namespace, there)
        yield Network(services=f"10.77.{subnet}.1", hosts=hosts)
    finally:
        for namespace in made:
            _ip("netns", "del", namespace)
        for link in links:
            _ip("link", "del", link)  # gone with its namespace already, normally


class Forwarder:
    """TCP forwarders on this machine's end of a link to services that listen on 127.0.0.1
    only, as a firewall's port forward would give the hosts; one event loop thread."""

    def __init__(self, listen_host: str) -> None:
        self.listen_host = listen_host
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.servers: list[asyncio.Server] = []

    def forward(self, target_host: str, target_port: int) -> int:
        """Listen on a free port of ``listen_host``; pipe each connection to the target."""
        async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                up_reader, up_writer = await asyncio.open_connection(target_host, target_port)
            except OSError:
                writer.close()
                return
            await asyncio.gather(_copy(reader, up_writer), _copy(up_reader, writer))

        async def start() -> int:
            server = await asyncio.start_server(pipe, self.listen_host, 0)
            self.servers.append(server)
            return server.sockets[0].getsockname()[1]

        return asyncio.run_coroutine_threadsafe(start(), self.loop).result(10)

    def stop(self) -> None:
        for server in self.servers:
            self.loop.call_soon_threadsafe(server.close)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


async def _copy(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    try:
        while data := await source.read(65536):
            sink.write(data)
            await sink.drain()
    except (OSError, asyncio.IncompleteReadError):
        pass
    finally:
        sink.close()


class HoldingInbox:
    """A real SMTP server's mailbox that, at its ``hold_at``-th message, neither accepts nor
    refuses it until the sender goes away.

    A sender that dies while waiting for the answer drops the connection, and
    aiosmtpd then cancels this handler: the message was never accepted, as
    with any SMTP server that had not answered its end of data.
    """

    def __init__(self, hold_at: int) -> None:
        self.hold_at = hold_at
        self.arrivals = 0
        self.envelopes: list[tuple[list[str], bytes]] = []
        self.holding = threading.Event()
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.arrivals += 1
        if self.arrivals == self.hold_at:
            self.holding.set()
            await asyncio.sleep(DEADLINE)  # cancelled when the sender dies
            return "451 4.3.0 Try again later"
        with self.lock:
            self.envelopes.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"

    def accepted(self) -> list[tuple[str, str]]:
        """(recipient, subject) of every accepted message."""
        with self.lock:
            envelopes = list(self.envelopes)
        return [(rcpt[0].lower(), str(message_from_bytes(raw, policy=policy.default)["Subject"]))
                for rcpt, raw in envelopes]


@dataclass(frozen=True)
class Stack:
    """The shared services and the two hosts' base URLs, with the hosts' environment."""

    urls: dict[str, str]
    env: dict[str, str]
    network: Network
    inbox: HoldingInbox
    logs: Path

    def log_tail(self) -> str:
        return "\n".join(f"--- {path.name}\n{path.read_text(errors='replace')[-2500:]}"
                         for path in sorted(self.logs.glob("*.log")))


def _free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _in_namespace(namespace: str, command: list[str], env: dict[str, str],
                  log: Path) -> subprocess.Popen[bytes]:
    # `ip netns exec` enters the namespace and then executes the command itself,
    # so the process started here is the command (a signal reaches it directly).
    with log.open("ab") as out:
        return subprocess.Popen(["ip", "netns", "exec", namespace, *command], cwd=ROOT, env=env,
                                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the host at {url} exited:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.2)
    pytest.fail(f"the host at {url} did not answer:\n{log.read_text(errors='replace')}")


@pytest.fixture(scope="module")
def stack(database_url: str, request: pytest.FixtureRequest,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """PostgreSQL, Redis and SMTP reachable from both namespaces, and a gunicorn host in each."""
    if not database_url.startswith("postgresql"):
        pytest.skip("hosts share a PostgreSQL server, not a SQLite file: this test runs "
                    "with TEST_DATABASE_URL")
    network: Network = request.getfixturevalue("network")
    import redis

    try:
        redis.Redis.from_url(REDIS_URL).flushdb()
    except redis.RedisError as error:
        pytest.skip(f"the rate limits' Redis is not reachable at {REDIS_URL}: {error}")
    logs = tmp_path_factory.mktemp("two-hosts")
    forwarder = Forwarder(network.services)
    database, limits = make_url(database_url), make_url(REDIS_URL)
    database_port = forwarder.forward(database.host or "127.0.0.1", database.port or 5432)
    redis_port = forwarder.forward(limits.host or "127.0.0.1", limits.port or 6379)
    inbox = HoldingInbox(KILLED_AT)
    smtp_port = _free_port(network.services)
    smtp = Controller(inbox, hostname=network.services, port=smtp_port)
    smtp.start()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "MINGLE_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),  # one key: links made on one host open on the other
        "BASE_URL": "http://mingle.example.org",
        "DATABASE_URL": database.set(host=network.services, port=database_port)
        .render_as_string(hide_password=False),
        "RATELIMIT_STORAGE_URI": limits.set(host=network.services, port=redis_port)
        .render_as_string(hide_password=False),
        "RATELIMIT_ENABLED": "1",
        # Every client here comes from one address per link: the per-address limit is
        # not what is tested.
        "RATELIMIT_RSVP": "100000 per minute",
        "RATELIMIT_RSVP_EMAIL": f"{EMAIL_LIMIT} per minute",
        "OUTBOX_IN_PROCESS": "0",
        "MAIL_SERVER": network.services,
        "MAIL_PORT": str(smtp_port),
        "MAIL_DEFAULT_SENDER": "programme@mingle.example.org",
        "MINGLE_INSTANCE": str(logs / "instance"),
    }
    servers, urls = [], {}
    try:
        for name, (namespace, address) in network.hosts.items():
            log = logs / f"host-{name}.log"
            command = [sys.executable, "-m", "gunicorn", "wsgi:app", "--bind",
                       f"{address}:{PORT}", "--workers", "2", "--threads", "4",
                       "--worker-class", "gthread", "--timeout", "60", "--graceful-timeout", "5"]
            servers.append(_in_namespace(namespace, command, env, log))
            urls[name] = f"http://{address}:{PORT}"
        for (name, url), server in zip(urls.items(), servers, strict=True):
            _wait_healthy(url, server, logs / f"host-{name}.log")
        yield Stack(urls, env, network, inbox, logs)
    finally:
        for server in servers:
            _stop(server)
        smtp.stop()
        forwarder.stop()


def start_worker(stack: Stack, host: str, number: int) -> subprocess.Popen[bytes]:
    namespace, _ = stack.network.hosts[host]
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--interval", "0.5"]
    return _in_namespace(namespace, command, stack.env, stack.logs / f"worker-{number}.log")


def wait_until(done: Callable[[], bool], what: str, stack: Stack) -> None:
    deadline = time.monotonic() + DEADLINE
    while not done():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting until {what}\n{stack.log_tail()}")
        time.sleep(0.2)


def rsvp_through_both_hosts(stack: Stack, event: Event,
                            bodies: list[dict[str, Any]]) -> list[Reply]:
    """Half of ``bodies`` through each host, both halves at once, each from several processes."""
    path = f"/api/v1/events/{event.id}/registrations"
    with ThreadPoolExecutor(2) as pool:
        halves = [pool.submit(post_json_from_processes, url, path, bodies[index::2],
                              processes=PROCESSES_PER_HOST, connections=CONNECTIONS_PER_PROCESS)
                  for index, url in enumerate(stack.urls.values())]
        return [reply for half in halves for reply in half.result()]


def post_json(url: str, body: dict[str, Any]) -> int:
    request = urllib.request.Request(url, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_two_hosts_share_seats_limits_and_an_outbox_that_survives_a_killed_worker(
        stack: Stack, session: Session, make_event: Callable[..., Event]) -> None:
    race = make_event(capacity=CAPACITY)
    bodies = [{"name": f"Racer {n}", "email": f"racer{n}@example.org"} for n in range(RSVPS)]

    replies = rsvp_through_both_hosts(stack, race, bodies)

    odd = [reply for reply in replies if reply.status != 201]
    assert len(replies) == RSVPS and not odd, f"{odd[:3]}\n{stack.log_tail()}"
    assert Counter(reply.body["status"] for reply in replies) == {
        "confirmed": CAPACITY, "waitlisted": RSVPS - CAPACITY}

    # One person, many events, alternately through either host: the per-e-mail limit is
    # counted once for both hosts (each host's two workers would otherwise allow it four
    # times over).
    others = [make_event(capacity=10, title=f"Evening {n}") for n in range(EMAIL_TRIES)]
    codes = [post_json(f"{list(stack.urls.values())[n % 2]}/api/v1/events/{other.id}"
                       "/registrations", {"name": "Heidi", "email": "heidi@example.org"})
             for n, other in enumerate(others)]
    assert codes == [201] * EMAIL_LIMIT + [429] * (EMAIL_TRIES - EMAIL_LIMIT), stack.log_tail()

    session.expire_all()
    queued = session.scalar(select(func.count()).select_from(OutboxMessage))
    assert queued == RSVPS + EMAIL_LIMIT

    # A worker on host A sends until the SMTP server holds the 7th message; then it is
    # killed, mid-batch, waiting for the answer.
    first = start_worker(stack, "a", 1)
    try:
        assert stack.inbox.holding.wait(DEADLINE), stack.log_tail()
        first.send_signal(signal.SIGKILL)
        first.wait(15)
    finally:
        _stop(first)
    assert len(stack.inbox.accepted()) == KILLED_AT - 1
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.status == OutboxStatus.sent)) == KILLED_AT - 1
    stranded = select(OutboxMessage.id).where(OutboxMessage.status == OutboxStatus.queued,
                                              OutboxMessage.claimed_until.is_not(None))
    assert len(session.scalars(stranded).all()) > 1, "the worker died between batches"

    # Its claims lapse after the lease (five minutes); move their end to now rather
    # than wait. A worker started on host B then sends everything that is left.
    session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(stranded))
                    .values(claimed_until=func.now()).execution_options(
                        synchronize_session=False))
    session.commit()
    second = start_worker(stack, "b", 2)
    try:
        def all_sent() -> bool:
            session.expire_all()
            return session.scalar(select(func.count()).select_from(OutboxMessage).where(
                OutboxMessage.status != OutboxStatus.sent)) == 0
        wait_until(all_sent, "the restarted worker sent every message", stack)
    finally:
        _stop(second)

    confirmed = session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == race.id, Registration.status == RegistrationStatus.confirmed))
    assert confirmed == CAPACITY
    assert session.get(Event, race.id).seats_taken == CAPACITY  # type: ignore[union-attr]
    accepted = stack.inbox.accepted()
    twice = [key for key, count in Counter(accepted).items() if count > 1]
    assert not twice, f"sent twice: {twice[:5]}"
    assert len(accepted) == session.scalar(select(func.count()).select_from(OutboxMessage))
    racers = Counter(recipient for recipient, _ in accepted if recipient.startswith("racer"))
    assert set(racers) == {body["email"] for body in bodies}
    assert set(racers.values()) == {1}
    assert Counter(recipient for recipient, _ in accepted)["heidi@example.org"] == EMAIL_LIMIT
