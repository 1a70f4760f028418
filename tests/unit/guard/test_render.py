"""The context line: fields, protected marking, colour only on a terminal without NO_COLOR."""
import io

from azext_tokenguard.guard.profile import Context, context_unknown
from azext_tokenguard.guard.render import RED_BOLD, RESET, colour_enabled, context_line

TENANT = 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa'


def make_context(**overrides):
    values = dict(cloud='AzureCloud', tenant_id=TENANT, tenant_display_name='Contoso',
                  subscription_id='22222222-2222-2222-2222-222222222222', subscription_name='Prod',
                  identity_name='alice@contoso.com', identity_type='user')
    values.update(overrides)
    return Context(True, **values)


class Tty(io.StringIO):
    def isatty(self):
        return True


def test_line_names_tenant_subscription_and_identity_without_colour():
    line = context_line(make_context(), protected=False, colour=False)
    assert line == ('az context: tenant Contoso ({}) | subscription Prod '
                    '(22222222-2222-2222-2222-222222222222) | user alice@contoso.com'.format(TENANT))
    assert '\x1b' not in line


def test_cloud_shown_only_when_not_azure_cloud():
    assert 'cloud' not in context_line(make_context(), False, False)
    assert 'cloud AzureChinaCloud' in context_line(make_context(cloud='AzureChinaCloud'), False, False)


def test_protected_is_red_and_marked():
    line = context_line(make_context(), protected=True, colour=True)
    assert line.startswith(RED_BOLD) and line.endswith(RESET) and '[PROTECTED]' in line


def test_identity_kinds():
    assert 'service principal app-id' in context_line(
        make_context(identity_name='app-id', identity_type='servicePrincipal'), False, False)
    assert 'managed identity MSI' in context_line(
        make_context(identity_name='MSI', identity_type='managedIdentity'), False, False)


def test_unknown_context():
    line = context_line(context_unknown('no azureProfile.json (run az login)'), False, False)
    assert 'context unknown: no azureProfile.json' in line


def test_escape_sequences_in_names_are_neutralised():
    line = context_line(make_context(tenant_display_name='Evil\x1b[2J\x07Corp'), False, False)
    assert '\x1b' not in line and '\x07' not in line and 'Evil?[2J?Corp' in line


def test_colour_enabled_rules():
    assert colour_enabled(Tty(), {})
    assert not colour_enabled(Tty(), {'NO_COLOR': '1'})
    assert not colour_enabled(Tty(), {'TERM': 'dumb'})
    assert not colour_enabled(io.StringIO(), {})
    assert not colour_enabled(object(), {})


def test_the_line_fits_its_width_shortening_ids_then_names():
    context = make_context(tenant_display_name='Contoso Worldwide Holdings', subscription_name='contoso-production-eu')
    full = context_line(context, False, False)
    assert context_line(context, False, False, width=len(full)) == full  # fits: everything shown
    short_ids = context_line(context, False, False, width=len(full) - 1)
    assert '(aaaaaaaa...)' in short_ids and '(22222222...)' in short_ids and 'contoso-production-eu' in short_ids
    no_ids = context_line(context, False, False, width=120)
    assert '2222' not in no_ids and 'tenant Contoso Worldwide Holdings | subscription contoso-production-eu' in no_ids
    narrow = context_line(context, True, False, width=80)
    # labels go, then the tenant's and the identity's names are cut; the subscription's name stays whole
    assert narrow == 'az context: Contoso W... | contoso-production-eu [PROTECTED] | user alice@con...'
    assert '[PROTECTED]' in context_line(context, True, False, width=60)
    assert context_line(context, False, False, width=10).startswith('az context: ')  # narrowest, then it wraps


def test_terminal_width_from_columns_else_the_terminal_else_unknown():
    from azext_tokenguard.guard.render import terminal_width
    assert terminal_width(io.StringIO(), {'COLUMNS': '80'}) == 80
    assert terminal_width(io.StringIO(), {'COLUMNS': 'wide'}) is None  # a StringIO has no terminal size
