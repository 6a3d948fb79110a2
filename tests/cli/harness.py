# SPDX-License-Identifier: Apache-2.0
"""Helpers for the tests of the sluice program (standard library only).

PtyProgram drives a program through a pseudo-terminal, expect-style: start
`sluice shell` on a pty, send keys, wait for text on the terminal.
Broker runs `sluice broker` (the embedded in-memory broker) for the
length of a `with` block.  run() runs a command on pipes.
"""
import os
import pty
import re
import select
import signal
import subprocess
import sys
import tempfile
import time


class Timeout(AssertionError):
    pass


class PtyProgram:
    """A child process whose stdin, stdout and stderr are one pty."""

    def __init__(self, argv, env=None, cwd=None, cols=100, rows=40):
        pid, fd = pty.fork()
        if pid == 0:
            try:
                if cwd:
                    os.chdir(cwd)
                os.execve(argv[0], argv, env if env is not None else os.environ)
            finally:
                os._exit(127)
        self.pid = pid
        self.fd = fd
        self.seen = b""      # everything read so far
        self.pos = 0         # where the next expect starts looking
        self.status = None
        try:
            import fcntl
            import struct
            import termios
            fcntl.ioctl(fd, termios.TIOCSWINSZ,
                        struct.pack("HHHH", rows, cols, 0, 0))
        except OSError:
            pass

    def _read(self, timeout):
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return False
        try:
            data = os.read(self.fd, 65536)
        except OSError:
            data = b""
        if not data:
            raise EOFError("the program closed the terminal")
        self.seen += data
        return True

    def expect(self, pattern, timeout=10.0):
        """Waits until pattern (a regex string) matches output after the
        previous match; returns the match and moves past it."""
        rx = re.compile(pattern.encode() if isinstance(pattern, str)
                        else pattern)
        deadline = time.monotonic() + timeout
        while True:
            m = rx.search(self.seen, self.pos)
            if m:
                self.pos = m.end()
                return m
            left = deadline - time.monotonic()
            if left <= 0:
                raise Timeout("no %r within %.1f s; output after the last "
                              "match:\n%r" % (pattern, timeout,
                                              self.seen[self.pos:]))
            try:
                self._read(min(left, 0.2))
            except EOFError:
                raise Timeout("program ended before %r; output after the "
                              "last match:\n%r" % (pattern,
                                                   self.seen[self.pos:]))

    def send(self, text):
        """Writes text to the terminal at once."""
        os.write(self.fd, text.encode() if isinstance(text, str) else text)

    def type(self, text, timeout=10.0):
        """Writes text once the program reads the terminal in raw mode (a
        line editor waiting for keys).  Keys sent earlier, in canonical
        mode, would be taken by the terminal driver: ^D as end of file,
        and echoed twice."""
        import termios
        deadline = time.monotonic() + timeout
        while termios.tcgetattr(self.fd)[3] & termios.ICANON:
            if time.monotonic() > deadline:
                raise Timeout("the program never read the terminal in raw "
                              "mode; output:\n%r" % self.seen[self.pos:])
            try:
                self._read(0.01)
            except EOFError:
                raise Timeout("program ended; output:\n%r"
                              % self.seen[self.pos:])
        self.send(text)

    def drain(self, quiet=0.3):
        """Reads until the program has been silent for `quiet` seconds."""
        try:
            while self._read(quiet):
                pass
        except EOFError:
            pass

    def wait(self, timeout=15.0):
        """Waits for the program to exit; returns its exit code."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                self._read(0.1)
            except EOFError:
                pass
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(status)
                os.close(self.fd)
                return self.status
        raise Timeout("the program did not exit; output:\n%r"
                      % self.seen[self.pos:])

    def kill(self):
        if self.status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except OSError:
                pass
            try:
                os.close(self.fd)
            except OSError:
                pass
            self.status = -9


def clean_env(**overrides):
    """The test's environment without settings that would change what
    sluice does (a configured cluster, a history location)."""
    env = dict(os.environ)
    for name in ("SLUICE_BROKERS", "XDG_DATA_HOME"):
        env.pop(name, None)
    env.update(overrides)
    return env


def run(argv, stdin=b"", env=None, cwd=None, timeout=60):
    """Runs argv with stdin on pipes; returns (exit code, stdout, stderr)
    as text."""
    p = subprocess.run(argv, input=stdin if isinstance(stdin, bytes)
                       else stdin.encode(), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env or clean_env(),
                       cwd=cwd, timeout=timeout)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


class Broker:
    """`sluice broker` on 127.0.0.1 for the length of a with block; its
    address is .bootstrap."""

    def __init__(self, sluice):
        self.sluice = sluice
        self.proc = None
        self.bootstrap = None

    def __enter__(self):
        self.proc = subprocess.Popen(
            [self.sluice, "broker", "--log-level", "warn"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            env=clean_env())
        line = self.proc.stdout.readline().decode()
        m = re.match(r"bootstrap: (127\.0\.0\.1:\d+)$", line.strip())
        if not m:
            self.__exit__(None, None, None)
            raise AssertionError("sluice broker printed %r" % line)
        self.bootstrap = m.group(1)
        return self

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.proc.stdout.close()
        return False


def main(tests):
    """Runs each test function in order, in a fresh temporary directory
    passed as its argument; prints a line per test and exits 1 when any
    failed."""
    failed = 0
    for test in tests:
        work = tempfile.mkdtemp(prefix="sluice-cli-test-")
        start = time.monotonic()
        try:
            test(work)
            print("ok   %s (%.1f s)" % (test.__name__,
                                         time.monotonic() - start))
        except Exception as e:  # report every test, then fail
            failed += 1
            print("FAIL %s: %s: %s" % (test.__name__, type(e).__name__, e))
        finally:
            subprocess.run(["rm", "-rf", work])
        sys.stdout.flush()
    sys.exit(1 if failed else 0)
