"""Building in a process of its own, so the processes that serve hold only what they serve.

An edge. Under gunicorn the workers are forked from the master, and each
starts with every memory page the master has. A build leaves a lot there
(the builder's records of every file, what reading the build cache
allocated and freed), so a master that builds gives each worker several
times the memory the site needs. Here the master forks one *publisher*
process before it builds anything; the publisher builds, writes the
revisions ledger, watches the content folder (:mod:`feedsvc.serve.watcher`) and
sends each new snapshot to the master: the catalog and the feeds, pickled,
with the descriptors of the files holding article bodies and feed bytes
(:mod:`feedsvc.build.blobstore`) passed over a Unix socket. The master unpickles
it into a fresh, compact heap, swaps it in and reloads its workers.

Messages, each a fixed header (kind, payload length) then the payload:
``snapshot`` (pickled :class:`~feedsvc.build.snapshot.Snapshot`, descriptors
attached), ``delta`` (what changed since the last one sent, a pickled
:class:`~feedsvc.build.delta.Delta`, when the master asked for deltas), ``fault`` (JSON: why the content cannot be published, or
``null`` once it can), ``built``/``failed`` (JSON: a build's figures, for
the master's :class:`~feedsvc.build.builder.BuildReport`) and ``error`` (JSON: the first build failed, and why). The
master sends ``watch`` (JSON: the watcher's timing, and whether it takes deltas) once gunicorn listens,
and ``resync`` when it could not apply a delta (a whole snapshot follows).
The wire format is :mod:`feedsvc.serve.wire`'s.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import socket
import stat
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime

from feedsvc.build.builder import Builder, BuildReport, release_memory
from feedsvc.build.delta import delta
from feedsvc.build.snapshot import Snapshot
from feedsvc.content.site import SiteConfigError
from feedsvc.serve.poller import Poller
from feedsvc.serve.watcher import Watcher
from feedsvc.serve.wire import Link, load_snapshot, send_delta, send_snapshot

__all__ = ["STOP_GRACE", "Publisher", "PublisherError", "close_listeners"]

log = logging.getLogger(__name__)

# After the publisher's socket closes, how long the master waits to learn whether it is
# stopping too (systemd and a terminal's Ctrl-C signal every process of the service).
STOP_GRACE = 0.5


class PublisherError(RuntimeError):
    """The publisher process could not build the content; the message says why."""


class Publisher:
    """The master's side: start the publisher, take in what it sends, report its faults.

    A publisher that dies (killed, out of memory) is started again from the
    master, which builds from the build cache and publishes on; one that
    keeps dying (RESTARTS within RESTART_WINDOW seconds) is left dead, and
    /healthz says so.
    """

    RESTARTS = 3
    RESTART_WINDOW = 60.0

    def __init__(
        self,
        link: Link,
        pid: int,
        build: Callable[[], Builder],
        clock: Callable[[], datetime],
        report: BuildReport | None = None,
        follow: Callable[[], float] | None = None,
        timing: Mapping[str, float | bool] | None = None,
    ) -> None:
        self.link = link
        self.pid = pid
        self.fault: dict[str, str] | None = None  # as Watcher.fault: read by /healthz
        self.restarts: list[float] = []  # when the publisher was started again (monotonic)
        self._build = build
        self._clock = clock
        self._follow = follow
        self._report = report  # where the publisher's build figures are recorded (the app's metrics)
        self._timing: dict[str, float | bool] = dict(timing or {})  # the watcher's (Watcher.configured)
        self._thread: threading.Thread | None = None
        self.stopping = False  # the server is stopping: a publisher that goes too is not started again

    @classmethod
    def start(
        cls,
        build: Callable[[], Builder],
        clock: Callable[[], datetime],
        report: BuildReport | None = None,
        follow: Callable[[], float] | None = None,
        timing: Mapping[str, float | bool] | None = None,
    ) -> tuple[Publisher, Snapshot]:
        """Fork the publisher around ``build`` (returns a Builder); return it and the first snapshot.

        The figures of each build it makes are recorded in ``report``, here in the master.
        ``follow``, if given, is called in the publisher once it watches (:class:`~feedsvc.serve.poller.Poller`):
        it follows the site's sources, and the watcher publishes what it imports.
        ``timing``, if given (the watcher's, as :meth:`watch` takes it), has the publisher watch the
        folder before its first build lists it (:meth:`~feedsvc.serve.watcher.Watcher.arm`): the first
        snapshot then comes once changes are watched, and the first change after the start is
        published without a look at every file.

        :raise SiteConfigError: site.toml is broken. :raise PublisherError: any other failed first build.
        """
        publisher = cls(*_spawn(build, clock, follow=follow, timing=timing), build, clock, report, follow, timing)
        try:
            while True:
                message = publisher.link.receive()
                if message is None:
                    raise PublisherError("the publisher process stopped before its first build; see the log above")
                kind, payload, fds = message
                if kind == "snapshot":
                    return publisher, load_snapshot(payload, fds)
                if kind == "error":
                    error = json.loads(payload)
                    raise (SiteConfigError if error["site_config"] else PublisherError)(error["message"])
                publisher._record(kind, payload)
        except BaseException:
            publisher.link.close()
            os.waitpid(publisher.pid, 0)  # it exits once it has said why (or has died): no zombie left
            raise

    def watch(
        self,
        on_snapshot: Callable[[Snapshot], object],
        on_fault: Callable[[], object],
        release: Callable[[], object] | None = None,
        on_delta: Callable[[bytearray, list[int]], object] | None = None,
        **timing: float | bool,
    ) -> None:
        """Tell the publisher to watch the folder; take in its snapshots and faults from a thread.

        ``release`` is called before each new snapshot is loaded, for the
        caller to let go of the old one: loaded while the old one still
        lives, the new one is spread among its pages, and a master that
        takes in many snapshots grows by a fifth (at 10,000 articles).
        With ``on_delta``, each publish after the first whole snapshot is sent
        as a delta (payload and descriptors, see :func:`feedsvc.serve.wire.dump_delta`);
        one ``on_delta`` cannot apply (it raises) is followed by a whole snapshot.
        """
        self._timing = {**self._timing, **timing, "deltas": on_delta is not None}
        self.link.send("watch", json.dumps(self._timing).encode())
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._listen,
                args=(on_snapshot, on_fault, release, on_delta),
                name="feedsvc-publisher",
                daemon=True,
            )
            self._thread.start()

    def _listen(
        self,
        on_snapshot: Callable[[Snapshot], object],
        on_fault: Callable[[], object],
        release: Callable[[], object] | None,
        on_delta: Callable[[bytearray, list[int]], object] | None = None,
    ) -> None:
        while True:
            while (message := self._receive()) is not None:
                kind, payload, fds = message
                del message  # below, the payload is let go of as soon as it is loaded
                if kind == "snapshot":
                    self._take(payload, fds, on_snapshot, release)
                    continue
                if kind == "delta" and on_delta is not None:
                    try:
                        on_delta(payload, fds)
                        if self.fault is not None:
                            # published: the folder serves as it is again. Said to the workers too (gunicorn:
                            # reloaded, as for the fault): they were forked with it, and a delta does not
                            # reach what they report, so /healthz said "stale" until some later reload
                            self.fault = None
                            on_fault()
                    except Exception:
                        log.exception("could not apply the publisher's delta; asking for the whole snapshot")
                        with contextlib.suppress(OSError):  # a publisher gone is started again, whole
                            self.link.send("resync")
                    continue
                try:
                    if kind == "fault":
                        self.fault = json.loads(payload)
                        on_fault()
                    elif kind == "error":  # a restarted publisher could not build: it has exited
                        reason = json.loads(payload)["message"]
                        self._stopped(f"the publisher process could not build ({reason})", on_fault)
                    else:
                        self._record(kind, payload)
                except Exception:
                    log.exception("could not take in a message from the publisher process")
            if self._thread is None:
                return  # closing
            time.sleep(STOP_GRACE)  # a service stop signals every process at once: let the master's arrive
            if self.stopping:
                log.info("the publisher process stopped with the server")
                return
            if not self._restart():
                self._stopped("the publisher process stopped and was restarted too often", on_fault)
                return

    def _restart(self) -> bool:
        """Start a new publisher after the last one died; False if it died too often lately."""
        now = time.monotonic()
        self.restarts = [t for t in self.restarts if now - t < self.RESTART_WINDOW]
        _reap(self.pid)
        if len(self.restarts) >= self.RESTARTS:
            return False
        self.restarts.append(now)
        log.error("the publisher process (pid %d) stopped; starting a new one", self.pid)
        self.link.close()
        watching = {k: v for k, v in self._timing.items() if k != "deltas"}
        self.link, self.pid = _spawn(self._build, self._clock, again=True, follow=self._follow, timing=watching)
        self.link.send("watch", json.dumps(self._timing).encode())
        return True

    def _stopped(self, reason: str, on_fault: Callable[[], object]) -> None:
        since = datetime.now().astimezone().isoformat(timespec="seconds")
        self.fault = {"path": "", "reason": f"{reason}: restart the server to publish again", "since": since}
        log.error("%s; content changes are not published until a restart", reason)
        on_fault()

    def _receive(self) -> tuple[str, bytearray, list[int]] | None:
        try:
            return self.link.receive()
        except OSError:  # closed under us: the same as its end
            return None

    def _take(
        self,
        payload: bytearray,
        fds: list[int],
        on_snapshot: Callable[[Snapshot], object],
        release: Callable[[], object] | None,
    ) -> None:
        """Load a snapshot and hand it over; nothing of the old one or of the message is held meanwhile."""
        if release is not None:
            release()
        try:
            snapshot = load_snapshot(payload, fds)
        except Exception:  # our own bytes from our own code: only a bug gets here
            log.exception("could not load the snapshot the publisher sent; stopping the server")
            os.kill(os.getpid(), signal.SIGTERM)  # nothing left to serve: a supervisor restarts it
            return
        payload.clear()
        release_memory()  # what loading freed (the message, the old snapshot) goes back to the system
        self.fault = None  # published: the folder serves as it is again
        try:
            on_snapshot(snapshot)
        except Exception:
            log.exception("could not swap in the snapshot %s", snapshot.catalog.version)

    def _record(self, kind: str, payload: bytes | bytearray) -> None:
        if self._report is None:
            return
        figures = json.loads(payload)
        if kind == "built":
            self._report.snapshot_built(**figures)
        elif kind == "failed":
            self._report.snapshot_failed(**figures)

    def close(self, timeout: float = 5.0) -> int | None:
        """Stop the publisher: it exits when its socket closes (a build under way is cut short).

        Returns its exit code (None if someone else reaped it: gunicorn's master reaps every child).
        """
        listener, self._thread = self._thread, None  # None: what follows is a close, not a death
        with contextlib.suppress(OSError):  # it is gone already
            self.link.sock.shutdown(socket.SHUT_RDWR)  # the listener reads the end, the publisher too
        if listener is not None and listener is not threading.current_thread():
            listener.join(timeout)  # before the socket closes under it
        self.link.close()
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
                if pid:
                    return os.waitstatus_to_exitcode(status)
                time.sleep(0.01)
            os.kill(self.pid, signal.SIGKILL)  # stuck: it holds nothing that must be saved
            return os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
        except ChildProcessError:
            return None


def _spawn(
    build: Callable[[], Builder],
    clock: Callable[[], datetime],
    again: bool = False,
    follow: Callable[[], float] | None = None,
    timing: Mapping[str, float | bool] | None = None,
) -> tuple[Link, int]:
    """Fork a publisher around ``build`` (``again``: a restart); return the master's end of its socket and its pid.

    ``timing``: the watcher's, to watch the folder before the first build (None: once told to).
    """
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    pid = os.fork()
    if pid == 0:  # the publisher
        ours.close()
        close_listeners()
        _publisher_main(Link(theirs), build, clock, again, follow, timing)  # never returns
    theirs.close()
    return Link(ours), pid


def close_listeners() -> None:
    """Close every stream socket this process holds that is not connected: the server's listeners.

    Called in a publisher just forked. The first is forked by ``feedsvc serve`` with the
    socket it bound for gunicorn, a successor's (SIGUSR2) or a socket-activated one's with
    the socket handed over, a restarted one from the gunicorn master with its listeners.
    Held here too, a listening socket outlives the server by the moment the publisher takes
    to exit: a reader's connection queued there meanwhile, accepted by nobody, is reset
    when the publisher exits, where it would be refused (or, handed over, served by the successor).
    A socket connected to a peer (the master's link to this publisher) is kept.
    """
    for name in os.listdir("/proc/self/fd") if os.path.isdir("/proc/self/fd") else os.listdir("/dev/fd"):
        fd = int(name)
        try:
            if not stat.S_ISSOCK(os.fstat(fd).st_mode):
                continue
        except OSError:  # the listing's own descriptor, closed once listed
            continue
        if _unconnected_stream(fd):
            os.close(fd)


def _unconnected_stream(fd: int) -> bool:
    """Whether socket descriptor ``fd`` is a stream socket without a peer (bound or listening)."""
    held = socket.socket(fileno=os.dup(fd))  # family and type read from the descriptor; closed below
    with held:
        if held.type != socket.SOCK_STREAM:
            return False
        try:
            held.getpeername()
        except OSError:
            return True
        return False


def _reap(pid: int) -> None:
    """Collect a dead publisher's exit status, unless gunicorn's master already has."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


class _Report:
    """The publisher's :class:`~feedsvc.build.builder.BuildReport`: each build's figures, sent to the master."""

    def __init__(self, link: Link) -> None:
        self.link = link

    def snapshot_built(self, seconds: float, published: int, rejected: int, held: int = 0, others: int = 0) -> None:
        figures = {"seconds": seconds, "published": published, "rejected": rejected, "held": held, "others": others}
        self.link.send("built", json.dumps(figures).encode())

    def snapshot_failed(self, seconds: float) -> None:
        self.link.send("failed", json.dumps({"seconds": seconds}).encode())


def _publisher_main(
    link: Link,
    build: Callable[[], Builder],
    clock: Callable[[], datetime],
    again: bool = False,
    follow: Callable[[], float] | None = None,
    timing: Mapping[str, float | bool] | None = None,
) -> None:
    """Build, send, then watch when told to; exit when the master closes the socket.

    With ``timing``, the watch is armed before the first build lists the folder
    (the master is sent the first snapshot once changes are being watched), and
    started with that listing when the master says ``watch`` with the same timing.

    The first build of a server must succeed (there is nothing to serve
    otherwise); that of a publisher started ``again`` may fail like any
    later one: the master serves what it has, /healthz says why, and the
    watcher builds again once the folder changes.
    """
    # A publisher started again is forked from a running gunicorn master: its signal
    # handlers (which only queue a signal for the master's loop) must not outlive the fork.
    for number in (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2,
                   signal.SIGCHLD, signal.SIGWINCH, signal.SIGTTIN, signal.SIGTTOU):  # fmt: skip
        signal.signal(number, signal.SIG_DFL)
    # Ctrl-C in a terminal reaches every process of the group: the master stops the server, and
    # the publisher exits when its socket closes (a build under way finishes its file writes).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    code = 0
    try:
        builder = build()
        builder.report = _Report(link)
        watcher: Watcher | None = None
        started = False  # the watcher's thread runs (the master said "watch")
        poller: Poller | None = None

        def send_fault() -> None:
            link.send("fault", json.dumps(watcher.fault if watcher else None).encode())

        sending = threading.Lock()
        sent: list[Snapshot] = []  # the last snapshot the master has (whole or as a delta), when deltas are on
        deltas = False

        def publish(new: Snapshot, whole: bool = False) -> None:
            with sending:
                if deltas and sent and not whole:
                    send_delta(link, delta(sent[0], new))
                else:
                    send_snapshot(link, new)
                sent[:] = [new]

        armed = dict(timing) if timing is not None else None
        if armed is not None:
            watcher = Watcher.configured(builder, publish, clock, armed, on_fault=send_fault).arm()
        try:
            publish(builder.build(clock()), whole=True)
        except Exception as error:
            site_config = isinstance(error, SiteConfigError)
            if not site_config and not isinstance(error, (OSError, ValueError)):
                log.exception("the first build failed (internal error)")
            reason = str(error) or type(error).__name__
            if not again:
                link.send("error", json.dumps({"site_config": site_config, "message": reason}).encode())
                code = 1
                return
            since = datetime.now().astimezone().isoformat(timespec="seconds")
            path = str(getattr(error, "filename", None) or builder.content_dir)
            link.send("fault", json.dumps({"path": path, "reason": reason, "since": since}).encode())
        while (message := link.receive()) is not None:
            kind, payload, _fds = message
            if kind == "watch" and not started:
                options = json.loads(payload)
                deltas = bool(options.pop("deltas", False))
                if watcher is not None and options != armed:  # told to watch otherwise: as told
                    watcher.close()
                    watcher = None
                if watcher is None:
                    watcher = Watcher.configured(builder, publish, clock, options, on_fault=send_fault)
                watcher.start()
                started = True
                if follow is not None:
                    poller = Poller(follow).start()  # its imports land in the folder the watcher watches
            elif kind == "resync" and builder.snapshot is not None:
                publish(builder.snapshot, whole=True)  # the master could not apply a delta: all of it
        if poller is not None:
            poller.close()
        if watcher is not None:
            watcher.close()
    except OSError:
        code = 0  # the master is gone: nothing left to publish to
    except BaseException:
        log.exception("the publisher process failed")
        code = 1
    finally:
        os._exit(code)  # never run the master's exit handlers (gunicorn's, Flask's) here
