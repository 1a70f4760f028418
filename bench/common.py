"""A logged-in az against the emulator, for benchmarks; and timing helpers."""
import contextlib
import statistics
import tempfile
import time
from pathlib import Path

from tests.conftest import login
from tests.harness.az import Az, offline_env, prepare_offline_cloud
from tests.harness.egress import EgressRecorder
from tests.harness.emulator import EmulatorProcess
from tests.harness.wheel import build_wheel


@contextlib.contextmanager
def logged_in_az(identity="servicePrincipal"):
    """Yield an Az with tokenguard installed from its wheel and `identity` signed in to the emulator."""
    with tempfile.TemporaryDirectory(prefix="tokenguard-bench-") as scratch:
        scratch = Path(scratch)
        egress = EgressRecorder().start()
        emulator = EmulatorProcess(scratch / "emulator").start()
        try:
            (scratch / "home").mkdir()
            az = Az(scratch / "azure", offline_env(scratch / "home", scratch / "ext", emulator, egress.url))
            az.run("extension", "add", "--source", str(build_wheel(scratch / "dist")), "--yes", "--only-show-errors")
            prepare_offline_cloud(az, emulator.url)
            login(az, identity)
            yield az
        finally:
            emulator.stop()
            egress.stop()


def timed(run):
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def median_ms(samples):
    return statistics.median(samples) * 1000
