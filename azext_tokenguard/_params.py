"""Arguments of the tokenguard commands."""


def load_arguments(self, _):  # pylint: disable=unused-argument
    # `status` takes only az's global arguments; az's global --subscription already selects the account
    # that Profile.get_subscription() returns, so it is not declared again here.
    pass
