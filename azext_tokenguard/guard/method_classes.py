"""The class an az command's HTTP requests imply, from the requests az's own code sends for it.

`az tokenguard refresh-classifier` records, for every command whose requests az's code names (AAZ operation
classes, SDK request builders), strings like ``"POST StorageAccountsOperations.list_keys /.../listKeys"``
(command_table_export.export_command_methods). This module turns them into a class:

* a request whose action hands out credentials (``listKeys``, ``listCredentials``, ``listConnectionStrings``,
  ``generateCredentials``...): ``secret``, unless the command also deletes;
* DELETE: ``destructive``;
* PUT, PATCH, POST: ``write``, except the few POST actions named in ``READ_ONLY_ACTIONS`` that only read
  (``list...``, ``query...``, ``check...Availability``, ``validate...``, ``whatIf``);
* GET, HEAD: ``read``.

Standard library only; the guard itself never reads the requests, only the classes the export derives.
"""
import re

DESTRUCTIVE = 'destructive'
SECRET = 'secret'
WRITE = 'write'
READ = 'read'

READ_METHODS = frozenset(('GET', 'HEAD'))
WRITE_METHODS = frozenset(('PUT', 'PATCH', 'POST'))

# POST actions that only read (ARM uses POST for queries whose input does not fit a URL). Small on purpose:
# anything else a POST does is a change until named here, with a test.
READ_ONLY_ACTIONS = (
    ('list', re.compile(r'^list')),                                    # listAlerts, listQuotaReport
    ('query', re.compile(r'^query')),                                  # query, queryStatus
    ('check...Availability', re.compile(r'^check\w*availability$')),   # checkNameAvailability
    ('validate', re.compile(r'^validate')),                            # validateMigrationToVirtualMachineScaleSet
    ('whatIf', re.compile(r'^whatif$')),                               # deployment what-if
)
# Actions whose response carries a credential: account keys, passwords, connection strings, SAS, tokens,
# kubeconfigs, publishing profiles. Matched on the action in lower case (the URL's last literal segment); the
# verb prefix is required, so a collection (``.../keys``, ``.../federatedIdentityCredentials``) is no secret.
SECRET_ACTION = re.compile(
    r'^(list|get|generate|fetch|show)\w*?'
    r'(keys|credentials?|secrets?|connectionstrings?|passphrases?|passwords?|sas|accesstoken|publishxml'
    r'|publishingprofile)$')
SECRET_ACTIONS_BY_NAME = frozenset((
    'readonlykeys', 'sharedkeys',
    'begingetaccess',  # a disk's SAS URL (disk grant-access)
    'getgatewaysettings',  # an HDInsight cluster's gateway user name and password
    'getvpnprofilepackageurl',  # a SAS URL of the VPN client profile
))
# Actions that end like a credential but hand none out: IKE security associations.
NOT_SECRET_ACTIONS = frozenset(('getikesas',))


def parse_request(request):
    """``(METHOD, operation, action)`` of one recorded request (``"POST StorageAccountsOperations.list_keys
    listKeys"``); the action is the last literal segment of the URL, ``?`` when az's code did not name it."""
    method, _, rest = request.partition(' ')
    operation, _, url = rest.partition(' ')
    return method.upper(), operation, last_literal_segment(url)


def last_literal_segment(url):
    """The URL template's last segment that is no parameter (``listKeys``, ``storageAccounts``), or ``?``."""
    segments = [part for part in str(url or '').split('/') if part and '{' not in part]
    return segments[-1] if segments else '?'


def is_secret_action(action):
    key = action.lower()
    if key in NOT_SECRET_ACTIONS:
        return False
    return key in SECRET_ACTIONS_BY_NAME or bool(SECRET_ACTION.match(key))


def read_only_action(action):
    """The name of the READ_ONLY_ACTIONS rule a POST action matches, or ''."""
    key = action.lower()
    return next((name for name, pattern in READ_ONLY_ACTIONS if pattern.match(key)), '')


def class_of_requests(requests):
    """``(class, reason)`` the recorded requests imply; None for no request."""
    parsed = [parse_request(request) for request in requests]
    if not parsed:
        return None
    for method, _operation, action in parsed:
        if method == 'DELETE':
            return DESTRUCTIVE, f'az sends DELETE ({action or "the resource"})'
    for method, _operation, action in parsed:
        if method != 'DELETE' and is_secret_action(action):
            return SECRET, f'returns credentials ({method} {action})'
    for method, _operation, action in parsed:
        if method in WRITE_METHODS and not (method == 'POST' and read_only_action(action)):
            return WRITE, f'az sends {method} ({action})'
    methods = sorted({method for method, _o, _a in parsed})
    if set(methods) <= READ_METHODS:
        return READ, f"az sends only {'/'.join(methods)}"
    actions = ', '.join(sorted({action for method, _o, action in parsed if method == 'POST'}))
    return READ, f'az sends only reads (POST {actions} only reads)'
