"""What the guard decides for one az command before it asks anyone: allow, confirm or deny.

The guard itself (main.py) acts on this, and ``az tokenguard classify`` reports it, so an AI agent's
pre-command hook learns exactly what the guard would do with each az call in a piece of shell text.
Standard library only.
"""
from .classify import READ, SECRET, changes_local_state, needs_confirmation
from .constants import Decision, ExitCode, Mode
from .invocation import parse, require

MODE_NORMAL, MODE_READ_ONLY, RULE_DENY = Mode.NORMAL, Mode.READ_ONLY, Mode.RULE_DENY

ALLOW = Decision.ALLOW
CONFIRM = Decision.CONFIRM
DENY = Decision.DENY
MODE_ENV = 'TOKENGUARD_MODE'
HELP_WORDS = frozenset(('-h', '--help'))
# Command groups that act on the local az installation, not on a subscription:
# no pin check, no context line, no "context unknown" warning (confirmation still applies).
CONTEXT_FREE_GROUPS = frozenset((
    'login', 'logout', 'version', 'upgrade', 'config', 'configure', 'extension', 'cloud', 'bicep',
    'find', 'feedback', 'interactive', 'init', 'self-test', 'survey', 'cache', 'tokenguard',
))


def read_only_source(policy, env):
    """Where read-only mode comes from ('' when it is off). The variable can only tighten the machine's
    policy, never loosen it; a value the guard does not know (a typo such as "readonly") fails closed."""
    if policy.mode == MODE_READ_ONLY:
        return 'the tokenguard policy (mode: read-only)'
    value = (env.get(MODE_ENV) or '').strip().lower()
    if value and value != MODE_NORMAL:
        return f'{MODE_ENV}={value[:20]}'
    return ''


def read_only_refusal(classification, policy, env, invocation=None):
    """The one-line reason a command (``invocation``: the parsed line, or None for tokenguard's own commands
    that name none) is refused in read-only mode, or ''."""
    if invocation is not None:
        require(invocation)
    source = read_only_source(policy, env)
    if not source:
        return ''
    if classification.kind == READ and not changes_local_state(classification.command, invocation):
        return ''
    if classification.kind == SECRET:
        return '' if policy.allow_secrets else (
            f'refused: read-only mode ({source}) lets only reads through, and no command that returns '
            f'credentials; az {classification.command}: {classification.reason}. The machine\'s owner can allow '
            'those with `az tokenguard policy set --allow-secrets true` (it asks for confirmation).')
    what = (classification.reason if classification.kind != READ
            else 'it changes local az or tokenguard settings, or hands tokens to another program')
    return f'refused: read-only mode ({source}) lets only reads through; az {classification.command}: {what}.'


def decide(invocation, classification, context, policy, env, *, protected, steering=None):  # pylint: disable=too-many-arguments
    """``(decision, reason, exit code if denied)`` for a parsed command line (invocation.parse), as the guard
    would decide it with no terminal answer yet: DENY (it refuses whatever anyone answers), CONFIRM (it asks; a
    script without a terminal is refused), or ALLOW. The checks run in the guard's own order. ``steering``:
    the shell selection's plan for the command (selection.plan), when there is one."""
    require(invocation)
    if invocation.has_any(HELP_WORDS):
        return ALLOW, 'help only', ExitCode.RUN
    for check in (_read_only_check, _sign_in_check, _selection_check(steering), _pin_check):
        verdict = check(invocation, classification, context, policy, env)
        if verdict:
            return verdict
    if not needs_confirmation(classification.kind, protected):
        return ALLOW, classification.reason, ExitCode.RUN
    from .confirm import confirm_env_matches  # the guard's own path asks instead
    if confirm_env_matches(context, env):
        named = context.subscription_name or context.subscription_id
        return ALLOW, f'confirmed for {named} by TOKENGUARD_CONFIRM', ExitCode.RUN
    return CONFIRM, classification.reason, ExitCode.RUN


def _read_only_check(invocation, classification, _context, policy, env):
    refusal = read_only_refusal(classification, policy, env, invocation)
    return (DENY, refusal, ExitCode.REFUSED_READ_ONLY) if refusal else None


def _sign_in_check(invocation, classification, context, policy, env):
    from .signin import detect_ci, is_device_code_login
    if is_device_code_login(classification.command, invocation):
        if policy.device_code == RULE_DENY:
            return DENY, 'device code sign-in is forbidden by the tokenguard policy', ExitCode.REFUSED_BY_POLICY
        return CONFIRM, 'device code sign-in is phishable: the person must confirm starting it', ExitCode.RUN
    if detect_ci(env) and context.known and context.identity_type == 'user' and policy.ci_user_login == RULE_DENY:
        return DENY, 'a user is signed in on a CI agent and the policy refuses that', ExitCode.REFUSED_BY_POLICY
    return None


def _selection_check(steering):
    """A command the shell's selection cannot steer, which would land elsewhere, is refused as a pin refuses."""
    def check(_invocation, _classification, _context, _policy, _env):
        from .selection import REFUSE
        if steering is not None and steering.action == REFUSE:
            return DENY, steering.message, ExitCode.REFUSED_BY_PIN
        return None
    return check


def _pin_check(_invocation, classification, context, _policy, env):
    from .pin import PIN_MISMATCH, PIN_UNVERIFIABLE, check_pin
    status, message = check_pin(context, env)
    if status == PIN_MISMATCH or (status == PIN_UNVERIFIABLE and classification.kind != READ):
        return DENY, message, ExitCode.REFUSED_BY_PIN
    return None


def decide_calls(invocations, config_dir, env, with_lines):
    """``([{line?, command, class, reason, decision, decisionReason}], exit code)`` for ``[(line, argv)]`` found
    in shell text, under the context, policy and mode this process sees (what an agent's pre-command hook
    needs). The exit code is the guard's refusal code of the first denied call, or 0."""
    from .classify import load_confirm_commands
    from .policy import load_policy
    confirm, policy = load_confirm_commands(config_dir), load_policy(config_dir)
    results = [_unreadable_call_decision(line, argv, policy, env, with_lines)
               or _call_decision(line, argv, confirm, policy, config_dir=config_dir, env=env, with_lines=with_lines)
               for line, argv in invocations]
    return [entry for entry, _code in results], next((code for _e, code in results if code), ExitCode.RUN)


def _call_decision(line, argv, confirm, policy, *, config_dir, env, with_lines):  # pylint: disable=too-many-arguments
    """``(entry, code)`` of one az call, decided as az will read it and shown as typed."""
    from .classify import classify, display_command
    from .selection import STEER
    invocation = parse(argv, config_dir)
    classification = classify(invocation, confirm)  # decided as az will read it
    entry = {'line': line} if with_lines else {}
    entry['command'] = display_command(argv)  # shown as typed: a file's contents may be secret
    context, steering = _steered_context(invocation, classification, config_dir, env)
    decision, reason, code = decide(invocation, classification, context, policy, env,
                                    protected=is_protected(policy, context), steering=steering)
    if steering.action == STEER and decision != DENY:
        reason += f' (steered to this shell\'s subscription {steering.subscription_id})'
    entry.update({'class': classification.kind, 'reason': classification.reason, 'decision': decision,
                  'decisionReason': reason})
    return entry, code


def _unreadable_call_decision(line, call, policy, env, with_lines):
    """``(entry, code)`` of a call the hook cannot read (script.UnknownCall), else None: denied, for it may run
    any az command. The code is read-only mode's when that is on, else the policy's: a hook must not let
    through what it cannot see."""
    from .classify import unknown_call_dict
    from .script import UnknownCall
    if not isinstance(call, UnknownCall):
        return None
    entry = {'line': line} if with_lines else {}
    entry.update(unknown_call_dict(call))
    entry.update({'decision': DENY, 'decisionReason': entry['reason'] + '; write the az call out literally '
                  '(az group delete ..., not $AZ, "az", \\az or eval), so that it can be checked'})
    code = ExitCode.REFUSED_READ_ONLY if read_only_source(policy, env) else ExitCode.REFUSED_BY_POLICY
    return entry, code


def _steered_context(invocation, classification, config_dir, env):
    """``(context, plan)``: where the command lands with this shell's selection applied, as the guard sees it
    when the shell function or the shim ran it (they can steer)."""
    from .profile import load_context
    from .selection import STEER, STEERING_ENV, plan
    steering = plan(invocation, classification.command, {**env, STEERING_ENV: '1'}, config_dir,
                    context_free=is_context_free(classification.command))
    steered = invocation.with_subscription(steering.subscription_id) if steering.action == STEER else invocation
    return load_context(steered, config_dir, env), steering


def is_context_free(command):
    """Whether a command path acts on the local az installation, not on a subscription."""
    return bool(command) and command.split()[0] in CONTEXT_FREE_GROUPS


def is_protected(policy, context):
    """Whether the command's subscription, or any other its resource ids name, is protected by the policy."""
    if getattr(context, 'doubtful', False) and (policy.protected or policy.error):
        return True  # a resource id az may read otherwise could name a protected subscription: writes ask too
    if policy.is_protected(context.subscription_name, context.subscription_id):
        return True
    return any(policy.is_protected('', other) for other in context.other_subscription_ids)
