"""importworks dev: a running program picks up edits; --check guards them."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
from pathlib import Path

from tests.conftest import SRC, build

from .conftest import write_source

PROGRAM = {
    "helper.py": "def value():\n    return 'v1'\n",
    "app.py": """
        import sys
        import time
        import helper

        if __name__ == "__main__":
            last, deadline = None, time.monotonic() + 30
            while time.monotonic() < deadline:
                value = helper.value()
                if value != last:
                    print(value, flush=True)
                    last = value
                if value == "stop":
                    sys.exit(0)
                time.sleep(0.01)
            sys.exit(3)
    """,
    "check.py": "import helper\nassert helper.value() != 'bad', 'helper returns bad'\n",
}


class Program:
    """A child process running ``importworks dev``, its stdout read line by line."""

    def __init__(self, root: Path, *args: str) -> None:
        env = dict(os.environ, PYTHONPATH=str(SRC))
        code = "import sys; from importworks.cli.dev import main; sys.exit(main(sys.argv[1:]))"
        self.process = subprocess.Popen(
            [sys.executable, "-c", code, *args],
            cwd=root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.errors: queue.Queue[str] = queue.Queue()
        self.stderr: list[str] = []
        self.readers = [
            threading.Thread(target=self._read, args=(stream, lines), daemon=True)
            for stream, lines in ((self.process.stdout, self.lines), (self.process.stderr, self.errors))
        ]
        for reader in self.readers:
            reader.start()

    @staticmethod
    def _read(stream, lines) -> None:
        for line in stream:
            lines.put(line.rstrip("\n"))

    def __enter__(self) -> Program:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.process.poll() is None:  # a failed test: do not leave the program running
            self.process.kill()
        self.finish()

    def next_line(self, timeout: float = 20) -> str:
        return self.lines.get(timeout=timeout)

    def next_error(self, timeout: float = 20) -> str:
        line = self.errors.get(timeout=timeout)
        self.stderr.append(line)
        return line

    def finish(self, timeout: float = 20) -> tuple[int, str]:
        if self.process.stdout.closed:
            return self.process.returncode, "\n".join(self.stderr)
        try:
            status = self.process.wait(timeout)
        finally:
            self.process.kill()
            self.process.wait()
            for reader in self.readers:
                reader.join(5)
            self.process.stdout.close()
            self.process.stderr.close()
        while True:
            try:
                self.next_error(timeout=1)
            except queue.Empty:
                return status, "\n".join(self.stderr)


def test_dev_applies_edits_as_they_are_saved(tmp_path):
    build(tmp_path, PROGRAM)
    with Program(tmp_path, "app.py") as program:
        assert program.next_line() == "v1"
        write_source(tmp_path / "helper.py", "def value():\n    return 'v2'\n")
        assert program.next_line() == "v2"
        write_source(tmp_path / "helper.py", "def value():\n    return 'stop'\n")
        assert program.next_line() == "stop"
        status, stderr = program.finish()
    reloads = [line for line in stderr.splitlines() if line.startswith("[importworks] reloaded")]
    assert status == 0 and len(reloads) == 2, stderr
    assert reloads[0].startswith("[importworks] reloaded helper (value) in ") and reloads[0].endswith(" ms")


def test_dev_check_keeps_the_running_code_when_the_command_fails(tmp_path):
    build(tmp_path, PROGRAM)
    with Program(tmp_path, "--check", f"{sys.executable} check.py", "app.py") as program:
        assert program.next_line() == "v1"
        write_source(tmp_path / "helper.py", "def value():\n    return 'bad'\n")
        assert program.next_error() == (
            "[importworks] kept the running code: check failed (exit status 1; "
            f"AssertionError: helper returns bad): {sys.executable} check.py"
        )
        write_source(tmp_path / "helper.py", "def value():\n    return 'stop'\n")
        assert program.next_line() == "stop"  # the bad edit never ran
        status, stderr = program.finish()
    assert status == 0, stderr
    assert "[importworks] reloaded helper (value) in " in stderr
