"""Fixtures that put the real az, the tokenguard wheel and the offline emulator together.

Session-wide: the egress recorder, the emulator, the wheel (built from this checkout) installed with
`az extension add --source`, and logged-in config dirs made once per identity. Each test then gets a
fresh copy of such a config dir, so what one test does to its tokens never reaches another.
"""
import collections
import shutil
import sys

import pytest

from tests.emulator import data
from tests.harness.az import Az, offline_env, prepare_offline_cloud
from tests.harness.egress import EgressRecorder
from tests.harness.emulator import EmulatorProcess
from tests.harness.faketime import frozen_clock_env
from tests.harness.wheel import build_wheel

FUZZ_MODULE = "tests.unit.fuzz_support"
FUZZ_FROM_WORKERS = collections.Counter()  # parser -> fuzz cases, summed over the pytest-xdist workers


def pytest_collection_modifyitems(items):
    """The slow tests (each waits out minutes of token lifetimes) go first, so they start at once, on different
    workers, instead of ending the run alone."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def pytest_sessionfinish(session):
    """On a pytest-xdist worker: hand this worker's fuzz case counts to the controller."""
    if hasattr(session.config, "workeroutput") and FUZZ_MODULE in sys.modules:
        session.config.workeroutput["fuzz_cases"] = dict(sys.modules[FUZZ_MODULE].FUZZ_CASES)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):  # pylint: disable=unused-argument
    FUZZ_FROM_WORKERS.update(getattr(node, "workeroutput", {}).get("fuzz_cases", {}))


def pytest_terminal_summary(terminalreporter):
    """How many cases each parser's fuzz tests tried, whether the run was spread over workers or not."""
    counts = FUZZ_FROM_WORKERS + getattr(sys.modules.get(FUZZ_MODULE), "FUZZ_CASES", collections.Counter())
    if not counts:
        return
    terminalreporter.write_sep("-", "fuzz cases tried per parser")
    for parser, count in sorted(counts.items()):
        terminalreporter.write_line(f"fuzz: {parser}: {count} cases")
    terminalreporter.write_line("fuzz: " + ", ".join(f"{parser} {count} cases" for parser, count in
                                                     sorted(counts.items()))
                                + f"; {sum(counts.values())} in all")


@pytest.fixture(scope="session")
def egress():
    recorder = EgressRecorder().start()
    yield recorder
    recorder.stop()


@pytest.fixture(scope="session")
def emulator(tmp_path_factory):
    process = EmulatorProcess(tmp_path_factory.mktemp("emulator")).start()
    yield process
    process.stop()


@pytest.fixture(scope="session")
def wheel(tmp_path_factory):
    return build_wheel(tmp_path_factory.mktemp("wheel"))


@pytest.fixture(scope="session")
def session_env(tmp_path_factory, emulator, egress, wheel):
    home = tmp_path_factory.mktemp("home")
    extension_dir = tmp_path_factory.mktemp("cliextensions")
    env = offline_env(home, extension_dir, emulator, egress.url)
    installer = Az(tmp_path_factory.mktemp("installer-config"), env)
    installer.run("extension", "add", "--source", str(wheel), "--yes")
    return env


@pytest.fixture(scope="session")
def cloud_template(tmp_path_factory, session_env, emulator):
    az = Az(tmp_path_factory.mktemp("template-cloud"), session_env)
    prepare_offline_cloud(az, emulator.url)
    return az.config_dir


def login(az, identity):
    """Sign az in as 'servicePrincipal' (deploy-bot, client secret) or 'user' (alice, device code)."""
    sp = data.DEPLOY_BOT
    args = {"servicePrincipal": ["--service-principal", "-u", sp.app_id, "-p", sp.secret, "--tenant", sp.tenant_id],
            "user": ["--use-device-code"]}[identity]
    az.run("login", *args, "--only-show-errors")


def _login_template(tmp_path_factory, cloud_template, session_env, emulator, identity):
    config_dir = tmp_path_factory.mktemp(f"template-{identity}") / "azure"
    shutil.copytree(cloud_template, config_dir)
    # A template is made in the set-up of the first test that needs it, before that test's clean_emulator: the
    # test before may have left the emulator handing out 70-second tokens, which every copy would then inherit.
    emulator.reset()
    login(Az(config_dir, session_env), identity)
    return config_dir


@pytest.fixture(scope="session")
def sp_template(tmp_path_factory, cloud_template, session_env, emulator):
    return _login_template(tmp_path_factory, cloud_template, session_env, emulator, "servicePrincipal")


@pytest.fixture(scope="session")
def user_template(tmp_path_factory, cloud_template, session_env, emulator):
    return _login_template(tmp_path_factory, cloud_template, session_env, emulator, "user")


def _fresh_az(tmp_path, template, session_env):
    config_dir = tmp_path / f"azure-{template.parent.name}"  # one per identity when a test takes two
    shutil.copytree(template, config_dir)
    return Az(config_dir, session_env)


@pytest.fixture
def anonymous_az(tmp_path, cloud_template, session_env):
    """az set up for the emulator's cloud, with nobody logged in."""
    return _fresh_az(tmp_path, cloud_template, session_env)


@pytest.fixture
def new_az(tmp_path, cloud_template, session_env):
    """A factory of further az users (each with its own config dir, nobody logged in yet), for tests that
    must sign in themselves, e.g. after changing the emulator's token lifetime."""
    counter = iter(range(1000))

    def make():
        config_dir = tmp_path / f"azure-new-{next(counter)}"
        shutil.copytree(cloud_template, config_dir)
        return Az(config_dir, session_env)
    return make


@pytest.fixture
def sp_az(tmp_path, sp_template, session_env):
    """az logged in as the deploy-bot service principal (client secret)."""
    return _fresh_az(tmp_path, sp_template, session_env)


@pytest.fixture
def user_az(tmp_path, user_template, session_env):
    """az logged in as alice@contoso.example (device code)."""
    return _fresh_az(tmp_path, user_template, session_env)


@pytest.fixture(params=["servicePrincipal", "user"])
def logged_in_az(request):
    """Each test that takes this runs once for a service principal and once for a user."""
    return request.getfixturevalue("sp_az" if request.param == "servicePrincipal" else "user_az")


@pytest.fixture(autouse=True)
def clean_emulator(request):
    """Every end-to-end test starts from the seeded emulator state with an empty request log."""
    if "emulator" in request.fixturenames or any(name.endswith("_az") for name in request.fixturenames):
        request.getfixturevalue("emulator").reset()


@pytest.fixture(autouse=True)
def no_egress(request):
    """Fail any end-to-end test during which something tried to reach a host other than loopback.

    A test that provokes egress on purpose takes the attempts itself with ``egress.take()``."""
    if "egress" not in request.fixturenames and not any(n.endswith("_az") for n in request.fixturenames):
        yield
        return
    recorder = request.getfixturevalue("egress")
    # Set up the test's az users first: az's own first runs while the session templates are made check for a
    # newer az (azcliprod.blob.core.windows.net). That is refused here, and it is not the test's doing.
    for name in request.fixturenames:
        if name.endswith("_az"):
            request.getfixturevalue(name)
    recorder.take()
    yield
    attempts = recorder.take()
    assert not attempts, f"tried to reach hosts other than loopback: {attempts}"


@pytest.fixture
def frozen():
    """A stopped clock (libfaketime) for az and the guard alike: tests/harness/faketime.py."""
    return frozen_clock_env()
