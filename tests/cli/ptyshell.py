# SPDX-License-Identifier: Apache-2.0
"""Drives a program through a pseudo-terminal, expect-style.

Used by the shell tests: start `sluice shell` on a pty, send keys, and
wait for text to appear on the terminal.  Standard library only.
"""
import os
import pty
import re
import select
import signal
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
        os.write(self.fd, text.encode() if isinstance(text, str) else text)

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
