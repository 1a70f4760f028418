"""One hierarchy for the failures a user can fix, shared by the guard and the extension. Standard library only.

Every error has a one-line message (what is wrong) and a ``recommendation`` (how to fix it; a class may give a
default). The subclasses below are the kinds of failure; the extension maps each kind to an
``azure.cli.core.azclierror`` type in one place (``azext_tokenguard/az_command.py``), and the modules' own errors
(``DurationError``, ``PolicyError``...) derive from one kind. They stay ValueErrors, so code that guards against
bad values still catches them.
"""


class TokenguardError(ValueError):
    """A failure the user can fix: ``str(error)`` says what is wrong, ``recommendation`` how to fix it."""

    recommendation = ''

    def __init__(self, message, recommendation=None):
        super().__init__(message)
        if recommendation is not None:
            self.recommendation = recommendation


class InvalidValueError(TokenguardError):
    """A value given (an argument, a file's content) cannot be used as it is."""


class ConflictingArgumentsError(TokenguardError):
    """Arguments that cannot be used together."""


class MissingArgumentError(TokenguardError):
    """Something needed was not given."""


class FileAccessError(TokenguardError):
    """A file cannot be read, written or removed safely."""


class NotSignedInError(TokenguardError):
    """az has no account for what was asked."""


class RefusedError(TokenguardError):
    """What was asked cannot be done as promised or safely, whatever the arguments' form."""


class TokenRequestError(RefusedError):
    """A token source could not serve a request (exec's and the agent's endpoint): the endpoint answers with
    ``status`` and the message, never a crash."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


class CancelledError(TokenguardError):
    """The user said no."""


class FindingsError(TokenguardError):
    """The command ran, and what it found is a failure (findings at a severity, tokens left on disk)."""
