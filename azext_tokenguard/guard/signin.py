"""Sign-in habits that hand tokens to others: device code sign-in (phishable) and a user's own login on a
CI agent (its refresh token stays in the agent's ~/.azure). Standard library only."""

# Where callers found them before: the guard reads them before it knows whether this module is needed.
from .environment import CI_ENV_VARS, detect_ci  # noqa: F401  pylint: disable=unused-import

DEVICE_CODE_FLAG = '--use-device-code'
DEVICE_CODE_SHORTEST = '--use-d'  # shorter prefixes may be other login options
ALLOW_DEVICE_CODE_ENV = 'TOKENGUARD_ALLOW_DEVICE_CODE'  # a script's explicit "yes, I started this sign-in"

DEVICE_CODE_WARNING = (
    'tokenguard: WARNING: device code sign-in can be phished. An attacker can start it and ask you to "go to '
    'microsoft.com/devicelogin and enter this code"; whoever enters the code signs the attacker in as you.\n'
    'tokenguard: continue only if you started this sign-in yourself, on this machine.')
CI_USER_ADVICE = ('use a service principal, a managed identity or workload identity federation (OIDC) '
                  'for automation instead')


def is_device_code_login(command, invocation):
    """`az login --use-device-code` (argparse also takes an unambiguous prefix such as --use-device), from the
    parsed command line (invocation.parse)."""
    return command == 'login' and bool(invocation.given_abbreviated(DEVICE_CODE_FLAG, DEVICE_CODE_SHORTEST))


def ci_user_message(ci_name, user, refused):
    """The one-line reason, without a prefix: the guard adds "tokenguard: ", az's logger adds its own."""
    verb = 'refused: a' if refused else 'warning: a'
    return (f"{verb} user ({user or '?'}) is signed in on a CI agent ({ci_name} is set); its refresh token stays in "
            f"this agent's az config dir for anyone to reuse. {CI_USER_ADVICE}.")
