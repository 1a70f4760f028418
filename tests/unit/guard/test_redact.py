"""Unit tests of command-line redaction (audit log, prompts, classify output)."""
import pytest

from azext_tokenguard.guard.redact import redact_value

from tests.unit.guard.parsed import redacted as redact_argv

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
    from azext_tokenguard.guard.invocation import parse
    from azext_tokenguard.guard.profile import Context
    from tests.unit.guard.option_table import secret_option_lines
    context = Context(True, subscription_id='s-1', subscription_name='contoso-dev')
    lines = list(secret_option_lines())
    assert len(lines) > 5000  # every secret option of az 2.91, several spellings each
    shown = []
    for argv, secret in lines:
        classification = Classification(WRITE, 'test', ' '.join(argv[:3]))
        typed = parse(argv, '/nonexistent', read_files=False)
        texts = (prompt_text(typed, classification, context, True, False),
                 entry('refused', 'no terminal', typed, context, 'write', now=0)['command'],
                 classify_to_dict(argv)['command'], ' '.join(typed.redacted_as_read), ' '.join(redact_argv(argv)))
        shown.extend(' '.join(argv) for text in texts if secret in text)
    assert shown == []


# ---------------------------------------------------------------- secrets by shape, whatever the option

from hypothesis import given, strategies as st  # noqa: E402  (the property tests of this section only)

from tests.unit.fuzz_support import MANY, count  # noqa: E402

SECRET = "TgShapeSecret"
# Key words that mark a secret, as people spell them in app settings, env vars, headers and --set paths.
KEY_WORDS = ["pass", "password", "passwd", "pwd", "secret", "key", "apikey", "api_key", "accessKey", "token",
             "credential", "credentials", "connectionstring", "connection_string", "sas", "sig", "signature"]
QUERY_KEYS = ["code", "sig", "key", "token", "subscription-key", "access_token", "apikey", "client_secret"]
OPTIONS = ["--settings", "--env", "--env-vars", "--secure-environment-variables", "--set", "--parameters",
           "--environment-variables", "--app-settings", "--headers", "--tags", "--x-unknown"]
COMMANDS = [["webapp", "config", "appsettings", "set", "-g", "rg", "-n", "app"], ["container", "create", "-g", "rg"],
            ["containerapp", "update", "-n", "a"], ["rest", "-m", "post"], ["functionapp", "create"], ["no", "such"]]
piece = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", max_size=8)
separator = st.sampled_from(["", "_", "__", "-", "."])
# A secret value: the marker and characters a password may hold, never a separator of the shapes tested.
value = st.builds(lambda a, b: a + SECRET + b, st.text(alphabet="abcXYZ019!@$%^*()+~", max_size=6),
                  st.text(alphabet="abcXYZ019!@$%^*()+~,;", max_size=6))


@st.composite
def secret_key(draw):
    word = draw(st.sampled_from(KEY_WORDS))
    word = draw(st.sampled_from([word, word.upper(), word.capitalize()]))
    key = draw(piece) + (draw(separator) if draw(piece) else "") + word + draw(separator) + draw(piece)
    return key + draw(st.sampled_from(["", "[0].value", ".value"]))


@st.composite
def secret_spelling(draw):
    """One argv word that carries a secret by its shape, whatever the option before it."""
    secret = draw(value)
    shape = draw(st.sampled_from(["pair", "userinfo", "token-user", "query", "header"]))
    host = draw(st.sampled_from(["github.com", "example.azurewebsites.net", "dev.azure.com", "10.0.0.1:8443"]))
    if shape == "pair":
        return f"{draw(secret_key())}={secret}", secret
    if shape == "userinfo":
        return f"https://{draw(piece) or 'bot'}:{secret}@{host}/org/repo.git", secret
    if shape == "token-user":
        return f"https://{secret}@{host}/org/repo.git", secret
    if shape == "query":
        name = draw(st.sampled_from(QUERY_KEYS + [k.upper() for k in QUERY_KEYS]))
        before = draw(st.sampled_from(["", "api-version=2024-01-01&", "a=1&b=2&"]))
        return f"https://{host}/api/fn?{before}{name}={secret}", secret
    return f"{draw(secret_key())}: {secret}", secret


@MANY
@given(command=st.sampled_from(COMMANDS), option=st.sampled_from(OPTIONS), spelled=secret_spelling(),
       attached=st.booleans(), plain=st.sampled_from([[], ["location=westeurope"], ["env=prod"]]))
def test_secrets_by_shape_are_hidden_whatever_the_option(command, option, spelled, attached, plain):
    count("redaction by shape")
    word, secret = spelled
    argv = command + ([f"{option}={word}"] if attached else [option, *plain, word])
    shown = " ".join(redact_argv(argv))
    assert secret not in shown and SECRET not in shown, (argv, shown)


@pytest.mark.parametrize("argv, secret", [
    (["webapp", "config", "appsettings", "set", "--settings", "API_KEY=Tg9Secret1"], "Tg9Secret1"),
    (["rest", "-m", "post", "-u", "https://app.azurewebsites.net/api/fn?code=Tg9Secret2"], "Tg9Secret2"),
    (["rest", "-u", "https://user:Tg9Secret3@host.example/x"], "Tg9Secret3"),
    (["rest", "-u", "https://apim.example/x", "--headers", "Ocp-Apim-Subscription-Key=Tg9Secret4"], "Tg9Secret4"),
    (["containerapp", "update", "--set", "properties.configuration.secrets[0].value=Tg9Secret5"], "Tg9Secret5"),
    (["container", "create", "--secure-environment-variables", "DB_PASS=Tg9Secret6"], "Tg9Secret6"),
    (["webapp", "deployment", "source", "config", "--repo-url", "https://bot:Tg9Secret7@github.com/o/r"], "Tg9Secret7"),
    (["container", "create", "--env", "DB_PASS=Tg9,Sec;ret8"], "Sec;ret8"),
    (["functionapp", "config", "appsettings", "set", "--settings", "AzureWebJobsStorage__accessKey=Tg9S9"], "Tg9S9"),
    (["rest", "--headers", "Server=tcp:x;Password=Tg9S10"], "Tg9S10"),  # a harmless pair does not hide the next
])
def test_the_nine_spellings_of_the_review_are_hidden(argv, secret):
    assert secret not in " ".join(redact_argv(argv))


def test_shape_rules_leave_plain_values_and_take_linear_time():
    argv = ["webapp", "config", "appsettings", "set", "--settings", "WEBSITE_RUN_FROM_PACKAGE=1", "env=prod",
            "-u", "https://github.com/org/repo", "--query", "[?name=='x'].id"]
    assert redact_argv(argv) == argv
    for word in ("a." * 100_000, "eyJ" * 70_000, "x://" * 50_000, "a:" * 100_000, "key=" * 50_000):
        redact_value(word)  # each once: quadratic patterns would take minutes here
