"""`python -m bot run` in a child process, for the tests of the production set-ups (webhook,
several processes): started with a clean environment of its own, its output in a log file,
stopped with SIGTERM as a supervisor would, or killed with SIGKILL."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO

from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def bot_environment(variables: Mapping[str, str]) -> dict[str, str]:
    """The test's environment without any of the bot's variables, then `variables`."""
    names = {name.upper() for name in Settings.env_names()}
    env = {k: v for k, v in os.environ.items() if k.upper() not in names}
    env.update(variables)
    env["PYTHONPATH"] = str(ROOT)
    return env


class BotProcess:
    def __init__(self, name: str, workdir: Path, variables: Mapping[str, str]) -> None:
        self.name = name
        self.workdir = workdir
        self.log = workdir / f"{name}.log"
        self._env = bot_environment(variables)
        self.process: subprocess.Popen[bytes] | None = None
        self._log_file: IO[bytes] | None = None

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)  # its cwd: no stray .env
        self._log_file = self.log.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            cwd=self.workdir,
            env=self._env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    async def until(
        self,
        condition: Callable[[], object],
        timeout: float = 60,  # noqa: ASYNC109 - a test helper: the timeout is its point
    ) -> None:
        """Wait for `condition` (polled), failing with the log when the process has ended."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition():
            if not self.running():
                raise AssertionError(f"{self.name} exited:\n{self.output()[-4000:]}")
            if loop.time() > deadline:
                raise AssertionError(f"{self.name}: timed out\n{self.output()[-4000:]}")
            await asyncio.sleep(0.05)

    async def terminate(self, timeout: float = 30) -> int:  # noqa: ASYNC109
        """SIGTERM, and its exit code."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return await asyncio.to_thread(self.process.wait, timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            await asyncio.to_thread(self.process.wait)
            raise AssertionError(f"{self.name} did not stop:\n{self.output()[-4000:]}") from None
        finally:
            self.close()

    async def kill(self) -> None:
        """kill -9."""
        assert self.process is not None
        self.process.kill()
        await asyncio.to_thread(self.process.wait)
        self.close()

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
