"""Unit tests of command-line redaction (audit log, prompts, classify output)."""
import pytest

from azext_tokenguard.guard.redact import redact_argv, redact_value

JWT = "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.c2lnbmF0dXJl"


@pytest.mark.parametrize("argv, expected", [
    (["login", "-u", "app", "-p", "S3cret!", "--tenant", "t"], ["login", "-u", "app", "-p", "***", "--tenant", "t"]),
    (["login", "-pS3cret!"], ["login", "-p***"]),
    (["vm", "create", "--admin-password=S3cret!"], ["vm", "create", "--admin-password=***"]),
    (["ad", "sp", "credential", "reset", "--password", "x"], ["ad", "sp", "credential", "reset", "--password", "***"]),
    (["storage", "blob", "list", "--account-key", "k=="], ["storage", "blob", "list", "--account-key", "***"]),
    (["storage", "blob", "list", "--sas-token", "sv=1&sig=x"], ["storage", "blob", "list", "--sas-token", "***"]),
    (["webapp", "config", "--connection-string", "Server=x;Password=y"],
     ["webapp", "config", "--connection-string", "***"]),
    (["keyvault", "secret", "set", "--vault-name", "kv", "-n", "s", "--value", "v"],
     ["keyvault", "secret", "set", "--vault-name", "kv", "-n", "s", "--value", "***"]),
    (["ad", "app", "credential", "reset", "--client-secret", "x", "--key", "k"],
     ["ad", "app", "credential", "reset", "--client-secret", "***", "--key", "***"]),
    (["group", "delete", "-n", "rg1", "--yes"], ["group", "delete", "-n", "rg1", "--yes"]),
])
def test_secret_options_lose_their_values(argv, expected):
    assert redact_argv(argv) == expected


def test_tokens_and_headers_are_hidden_wherever_they_appear():
    argv = ["rest", "--url", "https://x", "--headers", f"Authorization=Bearer {JWT}", "--body", JWT]
    shown = " ".join(redact_argv(argv))
    assert JWT not in shown and "Bearer eyJ" not in shown
    assert redact_argv(["--headers", "Authorization=Bearer opaque-secret"]) == ["--headers", "***"]
    assert "AccountKey=***" in redact_value("DefaultEndpointsProtocol=https;AccountKey=abc==;EndpointSuffix=x")


def test_plain_arguments_are_untouched():
    argv = ["account", "list", "--query", "[?name=='x'].id", "-o", "tsv"]
    assert redact_argv(argv) == argv


@pytest.mark.parametrize('argv, secret', [
    (['vm', 'create', '--admin-pass', 'Hunter2x'], 'Hunter2x'),
    (['storage', 'account', 'keys', 'list', '--account-k', 'abc123'], 'abc123'),
    (['ad', 'sp', 'credential', 'reset', '--client-sec', 's3cr3t'], 's3cr3t'),
    (['login', '--pass', 'pw-123'], 'pw-123'), (['login', '--passw=pw-123'], 'pw-123'),
    (['keyvault', 'secret', 'set', '-n', 'x', '--val', 'topsecret'], 'topsecret'),
    (['deployment', 'group', 'create', '--parameters', '{"administratorLoginPassword": "P@ss w"}'], 'P@ss w'),
    (['deployment', 'group', 'create', '--parameters', 'adminSecret=abc123'], 'abc123'),
    (['rest', '--headers', 'x-functions-key=KEYVAL'], 'KEYVAL'),
    (['rest', '--url', 'https://x.blob.core.windows.net/c?sv=2020&sig=ABCDEF&se=1'], 'ABCDEF'),
])
def test_abbreviated_options_and_secret_shaped_values_are_hidden(argv, secret):
    assert secret not in ' '.join(redact_argv(argv))


def test_subscription_abbreviations_and_plain_values_stay_visible():
    argv = ['group', 'show', '--s', 'contoso-prod', '-n', 'rg1', '--parameters', 'location=westeurope']
    assert redact_argv(argv) == argv


# ---------------------------------------------------------------- every secret option of az's table

def test_no_secret_option_of_the_table_shows_its_value():
    """The prompt's command line, the audit log and classify all show the command through one redaction;
    none of them may show any secret value of any option az's table marks, typed in full or abbreviated."""
    from azext_tokenguard.guard.audit import entry
    from azext_tokenguard.guard.classify import WRITE, Classification, classify_to_dict
    from azext_tokenguard.guard.confirm import prompt_text
    from azext_tokenguard.guard.options import resolve_argv
    from azext_tokenguard.guard.profile import Context
    from tests.unit.option_table import secret_option_lines
    context = Context(True, subscription_id='s-1', subscription_name='contoso-dev')
    lines = list(secret_option_lines())
    assert len(lines) > 5000  # every secret option of az 2.91, several spellings each
    shown = []
    for argv, secret in lines:
        classification = Classification(WRITE, 'test', ' '.join(argv[:3]))
        texts = (prompt_text(argv, classification, context, True, False),
                 entry('refused', 'no terminal', argv, context, 'write', now=0)['command'],
                 classify_to_dict(argv)['command'], ' '.join(redact_argv(resolve_argv(argv, '/nonexistent'))))
        shown.extend(' '.join(argv) for text in texts if secret in text)
    assert shown == []
